// One request's abort controller and time limits, for backends that inject the signal into fetch so
// that an abort closes the connection at once. Server-neutral: the caller supplies the timeout error, so each
// backend names its own server in it. Pure: no `vscode`, no client.

import { BackendError, describe, type BackendErrorContext } from './errors';

export interface Timeouts {
  /** Non-streaming calls (model list, version): until the whole answer is in. */
  requestMs: number;
  /** Streaming calls: until the first chunk (a cold start or a long queue can take a while). */
  firstTokenMs: number;
  /** Streaming calls: the longest silence between two chunks once the answer has started. */
  idleMs: number;
  /** Streaming calls: the whole answer, so a never-ending stream cannot hold the server. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  requestMs: 5_000,
  firstTokenMs: 120_000,
  idleMs: 30_000,
  totalMs: 300_000,
};

/** Fires on the caller's signal, on a timer, or on dispose; remembers why, so errors say "timed out". */
export class RequestGuard {
  private readonly controller = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onOuterAbort = () => this.abort(undefined);
  reason: BackendError | undefined;

  constructor(
    private readonly outer: AbortSignal | undefined,
    private readonly ctx: BackendErrorContext,
    private readonly timeoutError: (what: string, ms: number) => BackendError,
  ) {
    if (outer?.aborted) this.abort(undefined);
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Arms a timer that aborts with a timeout error unless cleared first. */
  limit(ms: number, what: string): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.abort(this.timeoutError(what, ms));
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clear(timer: ReturnType<typeof setTimeout> | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Whether a stream's first part has arrived: a failure after it is a mid-answer failure. */
  started = false;

  /** Passes a stream's parts through: the first ends the `firstToken` limit, each restarts the silence limit. */
  async *watch<T>(parts: AsyncIterable<T>, firstToken: ReturnType<typeof setTimeout>, idleMs: number): AsyncGenerator<T> {
    for await (const part of parts) {
      if (!this.started) {
        this.started = true;
        this.clear(firstToken);
      }
      this.touch(idleMs);
      yield part;
    }
  }

  /** Restarts the silence timer after each chunk. */
  touch(idleMs: number): void {
    this.clear(this.idleTimer);
    this.idleTimer = this.limit(idleMs, 'no data');
  }

  private abort(reason: BackendError | undefined): void {
    if (this.controller.signal.aborted) return;
    this.reason ??= reason ?? new BackendError('aborted', describe('aborted', this.ctx), this.ctx);
    this.controller.abort();
  }

  /** Ends the request: if the server is still sending, this is what makes it stop. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.outer?.removeEventListener('abort', this.onOuterAbort);
    if (!this.controller.signal.aborted) this.controller.abort();
  }
}
