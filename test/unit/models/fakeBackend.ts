// A plain Backend for the model tests: scripted answers, records calls, honours AbortSignal.

import type { Backend, InstalledModel, LoadedModel, ModelDetails, PullProgress, StreamChunk } from '../../../src/backend/backend';

export interface FakeBackendOptions {
  installed?: InstalledModel[];
  loaded?: LoadedModel[];
  version?: string;
  /** Thrown by every call when set (e.g. an unreachable server). */
  failWith?: unknown;
  /** What a pull of a tag streams; a function may await between items. */
  pulls?: Record<string, (signal?: AbortSignal) => AsyncIterable<PullProgress>>;
}

export class FakeBackend implements Backend {
  readonly host = 'http://127.0.0.1:11434';
  readonly calls: string[] = [];
  pullSignals: (AbortSignal | undefined)[] = [];

  constructor(public options: FakeBackendOptions = {}) {}

  private check(name: string): void {
    this.calls.push(name);
    if (this.options.failWith !== undefined) throw this.options.failWith;
  }

  // eslint-disable-next-line require-yield
  async *generate(): AsyncIterable<StreamChunk> {
    throw new Error('not used');
  }

  // eslint-disable-next-line require-yield
  async *chat(): AsyncIterable<StreamChunk> {
    throw new Error('not used');
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
}

export function installed(name: string, sizeBytes = 1e9): InstalledModel {
  return { name, sizeBytes, digest: `sha256:${name}`, modifiedAt: '2025-01-01T00:00:00Z' };
}

/** An AbortError as fetch throws it. */
export function abortError(): Error {
  return Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}
