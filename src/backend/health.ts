// Checks that the server answers: after activation, on demand, and while offline with backoff.
// Never faster than every 30 s, never while the window is unfocused: an idle editor costs no CPU.
// Pure: timers, focus and the probe are injected.

export interface HealthDeps {
  /** Resolves when the server answers (e.g. GET /api/version); rejects otherwise. */
  probe(signal: AbortSignal): Promise<unknown>;
  onResult(ok: boolean, error?: unknown): void;
  isFocused(): boolean;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  now(): number;
}

export const MIN_INTERVAL_MS = 30_000;
export const MAX_INTERVAL_MS = 300_000;

export class HealthMonitor {
  private timer: unknown;
  private failures = 0;
  private lastCheck = -Infinity;
  private running: Promise<boolean> | undefined;
  private disposed = false;
  private abort: AbortController | undefined;

  constructor(private readonly deps: HealthDeps) {}

  /** Checks now (deduplicated while one check runs). Returns whether the server answered. */
  check(): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<boolean> {
    this.cancelTimer();
    this.lastCheck = this.deps.now();
    this.abort = new AbortController();
    let ok = false;
    let error: unknown;
    try {
      await this.deps.probe(this.abort.signal);
      ok = true;
    } catch (e) {
      error = e;
    }
    if (this.disposed) return ok;
    this.markResult(ok, error);
    return ok;
  }

  /** Any request's outcome counts as a check: a success while offline ends the backoff at once. */
  markResult(ok: boolean, error?: unknown): void {
    this.failures = ok ? 0 : this.failures + 1;
    this.deps.onResult(ok, error);
    if (!ok) this.scheduleRetry();
    else this.cancelTimer();
  }

  /** The delay before the next background check after `failures` failed ones. */
  static backoff(failures: number): number {
    return Math.min(MAX_INTERVAL_MS, MIN_INTERVAL_MS * 2 ** Math.max(0, failures - 1));
  }

  private scheduleRetry(): void {
    this.cancelTimer();
    if (!this.deps.isFocused()) return; // focus() picks it up again
    this.timer = this.deps.setTimer(() => {
      this.timer = undefined;
      if (this.deps.isFocused()) void this.check();
    }, HealthMonitor.backoff(this.failures));
  }

  /** The window got focus: if we are offline, look again now (but not more than every 5 s). */
  focusChanged(focused: boolean): void {
    if (!focused) {
      this.cancelTimer();
      return;
    }
    if (this.failures > 0 && this.deps.now() - this.lastCheck >= 5_000) void this.check();
    else if (this.failures > 0) this.scheduleRetry();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.abort?.abort();
  }
}
