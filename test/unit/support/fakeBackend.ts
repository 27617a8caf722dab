// The one in-memory Backend of the unit tests that need no simulator: scripted generations (the
// completion engine), a scripted chat stream (the actions), model listings and pulls (the model
// commands). Records what it was asked and honours AbortSignal. Tests that check what goes over
// HTTP use the simulator (test/sim/) through the real client instead.

import type {
  Backend,
  ChatRequest,
  GenerateRequest,
  GenerationStats,
  InstalledModel,
  LoadedModel,
  ModelDetails,
  PullProgress,
  StreamChunk,
} from '../../../src/backend/backend';

/** One scripted generation (`answer()`). */
export interface ScriptedAnswer {
  chunks?: string[];
  stats?: GenerationStats;
  error?: unknown;
  /** Hold the answer until `release()` is called (or the request is aborted). */
  held?: boolean;
  /** End the stream after the chunks without the final `done` chunk (a cut connection). */
  incomplete?: boolean;
}

export interface RecordedRequest {
  request: GenerateRequest;
  /** Chunks the reader actually read. */
  read: number;
  release(): void;
}

export interface FakeBackendOptions {
  /** What every chat request streams. */
  chunks?: string[];
  /** Thrown after the chat chunks (e.g. a 404 from the client, or a dropped connection). */
  error?: unknown;
  /** Waits this long before each chat chunk, honouring the request's signal. */
  delayMs?: number;
  /** The chat stream closes without its final chunk (a server or proxy cut it cleanly). */
  noFinal?: boolean;
  installed?: InstalledModel[];
  loaded?: LoadedModel[];
  version?: string;
  /** Thrown by every metadata call and pull when set (e.g. an unreachable server). */
  failWith?: unknown;
  /** What a pull of a tag streams; a function may await between items. */
  pulls?: Record<string, (signal?: AbortSignal) => AsyncIterable<PullProgress>>;
}

/** An AbortError as fetch throws it. */
export function abortError(): Error {
  return Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}

export class FakeBackend implements Backend {
  readonly host = 'http://127.0.0.1:11434';
  /** Generate requests, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Chat requests, in order. */
  readonly chats: ChatRequest[] = [];
  /** Metadata calls and pulls, by name ("listModels", "pull qwen…"). */
  readonly calls: string[] = [];
  pullSignals: (AbortSignal | undefined)[] = [];
  /** Generations running now, and the most at once. */
  active = 0;
  maxActive = 0;
  /** Set when the chat's signal fired before its stream ended. */
  abortedMidStream = false;
  private script: ScriptedAnswer[] = [];

  constructor(public options: FakeBackendOptions = {}) {}

  /** Answers for the next generations, in order; the last one repeats. */
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
        for (const text of answer.chunks ?? []) {
          if (signal?.aborted) throw abortError();
          recorded.read++;
          yield { text, done: false };
        }
        if (!answer.incomplete) yield { text: '', done: true, stats: answer.stats };
      } finally {
        backend.active--;
      }
    })();
  }

  async *chat(request: ChatRequest): AsyncIterable<StreamChunk> {
    this.chats.push(request);
    const chunks = this.options.chunks ?? [];
    for (const text of chunks) {
      if (this.options.delayMs) await sleep(this.options.delayMs, request.signal);
      if (request.signal?.aborted) {
        this.abortedMidStream = true;
        throw abortError();
      }
      yield { text, done: false };
    }
    if (this.options.error !== undefined) throw this.options.error;
    if (this.options.noFinal) return;
    yield { text: '', done: true, stats: { evalCount: chunks.length, doneReason: 'stop' } };
  }

  async listModels(): Promise<InstalledModel[]> {
    this.check('listModels');
    return this.options.installed ?? [];
  }

  async loadedModels(): Promise<LoadedModel[]> {
    this.check('loadedModels');
    return this.options.loaded ?? [];
  }

  async show(): Promise<ModelDetails> {
    this.check('show');
    return { capabilities: ['completion', 'insert'] };
  }

  async version(): Promise<string> {
    this.check('version');
    return this.options.version ?? '0.6.5';
  }

  async embed(model: string, texts: string[]): Promise<number[][]> {
    this.check(`embed ${model}`);
    return texts.map(() => [1, 0]);
  }

  pull(model: string, signal?: AbortSignal): AsyncIterable<PullProgress> {
    this.calls.push(`pull ${model}`);
    this.pullSignals.push(signal);
    const script = this.options.pulls?.[model];
    const fail = this.options.failWith;
    return (async function* () {
      if (fail !== undefined) throw fail;
      if (!script) throw Object.assign(new Error('pull model manifest: file does not exist'), { name: 'ResponseError', status_code: 500 });
      yield* script(signal);
    })();
  }

  private check(name: string): void {
    this.calls.push(name);
    if (this.options.failWith !== undefined) throw this.options.failWith;
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

export function installed(name: string, sizeBytes = 1e9): InstalledModel {
  return { name, sizeBytes, digest: `sha256:${name}`, modifiedAt: '2025-01-01T00:00:00Z' };
}
