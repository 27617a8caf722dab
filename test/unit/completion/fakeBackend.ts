// An in-memory Backend for engine tests: records requests, streams scripted answers, honours aborts.

import type { Backend, GenerateRequest, GenerationStats, StreamChunk } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';

export interface ScriptedAnswer {
  chunks?: string[];
  stats?: GenerationStats;
  error?: unknown;
  /** Hold the answer until `release()` is called (or the request is aborted). */
  held?: boolean;
}

export interface RecordedRequest {
  request: GenerateRequest;
  /** Chunks the engine actually read. */
  read: number;
  release(): void;
}

function abortError(): Error {
  const error = new Error('This operation was aborted');
  error.name = 'AbortError';
  return error;
}

export class FakeBackend implements Backend {
  readonly host = 'http://127.0.0.1:11434';
  readonly requests: RecordedRequest[] = [];
  active = 0;
  maxActive = 0;
  private script: ScriptedAnswer[] = [];

  /** Answers for the next requests, in order; the last one repeats. */
  answer(...answers: ScriptedAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  generate(request: GenerateRequest): AsyncIterable<StreamChunk> {
    const answer = (this.script.length > 1 ? this.script.shift() : this.script[0]) ?? { chunks: [] };
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const recorded: RecordedRequest = { request, read: 0, release };
    this.requests.push(recorded);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the generator below needs the instance
    const backend = this;
    return (async function* () {
      backend.active++;
      backend.maxActive = Math.max(backend.maxActive, backend.active);
      try {
        const signal = request.signal;
        if (answer.held) {
          await new Promise<void>((resolve, reject) => {
            if (signal?.aborted) reject(abortError());
            signal?.addEventListener('abort', () => reject(abortError()), { once: true });
            void released.then(resolve);
          });
        }
        if (answer.error !== undefined) throw answer.error;
        const chunks = answer.chunks ?? [];
        for (let i = 0; i < chunks.length; i++) {
          if (signal?.aborted) throw abortError();
          recorded.read++;
          const last = i === chunks.length - 1;
          yield { text: chunks[i] as string, done: false };
          if (last) yield { text: '', done: true, stats: answer.stats };
        }
        if (chunks.length === 0) yield { text: '', done: true, stats: answer.stats };
      } finally {
        backend.active--;
      }
    })();
  }

  chat(): AsyncIterable<StreamChunk> {
    throw new BackendError('server', 'not used in these tests', { host: this.host });
  }
  listModels(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  loadedModels(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  show(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  pull(): AsyncIterable<never> {
    throw new Error('not used');
  }
  version(): Promise<string> {
    return Promise.resolve('0.0.0-fake');
  }
}
