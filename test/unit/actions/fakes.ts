// A plain fake Backend for the actions' tests: scripted chunks, optional failure, and the requests it saw.

import type { Backend, ChatRequest, StreamChunk } from '../../../src/backend/backend';

export interface FakeScript {
  chunks: string[];
  /** Thrown after the chunks (e.g. a 404 from the client, or a dropped connection). */
  error?: unknown;
  /** Waits this long before each chunk, honouring the request's signal. */
  delayMs?: number;
  /** The stream closes without its final chunk (a server or proxy cut it cleanly). */
  noFinal?: boolean;
}

export class FakeBackend implements Backend {
  readonly host = 'http://127.0.0.1:11434';
  readonly requests: ChatRequest[] = [];
  /** Set when the consumer stopped or the signal fired before the stream ended. */
  abortedMidStream = false;

  constructor(private readonly script: FakeScript) {}

  async *chat(request: ChatRequest): AsyncIterable<StreamChunk> {
    this.requests.push(request);
    for (const text of this.script.chunks) {
      if (this.script.delayMs) await sleep(this.script.delayMs, request.signal);
      if (request.signal?.aborted) {
        this.abortedMidStream = true;
        throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      }
      yield { text, done: false };
    }
    if (this.script.error !== undefined) throw this.script.error;
    if (this.script.noFinal) return;
    yield { text: '', done: true, stats: { evalCount: this.script.chunks.length, doneReason: 'stop' } };
  }

  generate(): AsyncIterable<StreamChunk> {
    throw new Error('not used by the actions');
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
    return Promise.resolve('0.0.0');
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Splits a text into chunks of n characters, as a server streams tokens. */
export function chunked(text: string, n = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}
