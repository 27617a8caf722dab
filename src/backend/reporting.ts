// A Backend decorator that tells the status bar how each call ended, so no feature has to.
// Pure: the callbacks are injected.

import type { Backend, ChatRequest, GenerateRequest, PullProgress, StreamChunk } from './backend';
import { isAbort, toBackendError, type BackendError } from './errors';

export interface OutcomeListener {
  /** The call succeeded: a unary answer, or a stream that ended (or was stopped by its reader) without an error. */
  ok(): void;
  /**
   * The server answered, which proves it is up but not that the call works: the first chunk of a
   * stream, or a metadata call (version, tags, ps, show). Without it, a metadata answer counts as `ok`.
   */
  reachable?(): void;
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
    let received = false;
    let failure = false;
    try {
      for await (const item of source()) {
        if (!received) listener.reachable?.();
        received = true;
        yield item;
      }
    } catch (error) {
      failure = true;
      failed(error, model, report);
    } finally {
      // Only now is it a success: a stream that fails after its first chunk ({"error"} line, dropped
      // connection) must not end, then reopen, the incident it belongs to.
      if (received && !failure) listener.ok();
    }
  }
  const unary = async <T>(call: () => Promise<T>, model?: string): Promise<T> => {
    try {
      const result = await call();
      if (listener.reachable) listener.reachable();
      else listener.ok();
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
    // The codebase index reports its own embedding failures (it falls back to words only).
    embed: (model, texts, signal) => inner.embed(model, texts, signal).catch((error: unknown) => failed(error, model, false)),
  };
}
