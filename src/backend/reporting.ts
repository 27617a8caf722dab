// A Backend decorator that tells the status bar how each call ended, so no feature has to.
// Pure: the callbacks are injected.

import type { Backend, ChatRequest, GenerateRequest, PullProgress, StreamChunk } from './backend';
import { isAbort, toBackendError, type BackendError } from './errors';

export interface OutcomeListener {
  ok(): void;
  failed(error: BackendError): void;
}

export function withOutcomeReporting(inner: Backend, listener: OutcomeListener): Backend {
  const failed = (error: unknown, model?: string, report = true): never => {
    const typed = toBackendError(error, { host: inner.host, model });
    if (report && !isAbort(typed)) listener.failed(typed);
    throw typed;
  };
  // A pull reports its own failures in its progress notification; the status bar need not repeat them.
  async function* streamed<T>(source: () => AsyncIterable<T>, model: string, report = true): AsyncIterable<T> {
    let first = true;
    try {
      for await (const item of source()) {
        if (first) listener.ok();
        first = false;
        yield item;
      }
    } catch (error) {
      failed(error, model, report);
    }
  }
  const unary = async <T>(call: () => Promise<T>, model?: string): Promise<T> => {
    try {
      const result = await call();
      listener.ok();
      return result;
    } catch (error) {
      return failed(error, model);
    }
  };
  return {
    host: inner.host,
    generate: (r: GenerateRequest): AsyncIterable<StreamChunk> => streamed(() => inner.generate(r), r.model),
    chat: (r: ChatRequest): AsyncIterable<StreamChunk> => streamed(() => inner.chat(r), r.model),
    pull: (model: string, signal?: AbortSignal): AsyncIterable<PullProgress> => streamed(() => inner.pull(model, signal), model, false),
    listModels: (signal) => unary(() => inner.listModels(signal)),
    loadedModels: (signal) => unary(() => inner.loadedModels(signal)),
    show: (model, signal) => unary(() => inner.show(model, signal), model),
    version: (signal) => unary(() => inner.version(signal)),
  };
}
