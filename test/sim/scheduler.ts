// Ollama's scheduler in miniature: per model, a FIFO of requests waiting for one of
// `numParallel` generation slots, a load on first use / after keep_alive expiry / when num_ctx
// changes, and the keep_alive clock that starts when the last request using the model ends.

/** keep_alive < 0 means "for ever": Ollama stores MaxInt64 nanoseconds, about 292 years. */
export const FOREVER_MS = 9_223_372_036_854;

export class AbortedError extends Error {
  constructor() {
    super('client went away');
    this.name = 'AbortError';
  }
}

export class QueueFullError extends Error {}

/** Resolves with `p`, or rejects with AbortedError as soon as `signal` aborts (p keeps running). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Sleeps `ms` (Infinity: until aborted); rejects with AbortedError when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    // Still yield, so a tight token loop notices a client that went away.
    return abortable(new Promise<void>((resolve) => setImmediate(resolve)), signal);
  }
  let timer: NodeJS.Timeout | undefined;
  const p = new Promise<void>((resolve) => {
    if (Number.isFinite(ms)) timer = setTimeout(resolve, ms);
  });
  return abortable(p, signal).finally(() => clearTimeout(timer));
}

interface Waiter {
  resolve: () => void;
}

export class Runner {
  loaded = false;
  numCtx = 0;
  /** When an idle loaded model unloads (ms). */
  expiresAt = 0;
  /** keep_alive of the latest request (ms). */
  sessionMs = 300_000;
  /** The last prompt evaluated, for the prompt cache. */
  lastPrompt = '';
  /** Requests using the model right now (generating, or waiting for its load). */
  active = 0;
  slotsInUse = 0;
  readonly waiters: Waiter[] = [];
  loading: { numCtx: number; promise: Promise<void> } | undefined;

  constructor(readonly name: string) {}

  /** Loaded and not expired. */
  isLoaded(now = Date.now()): boolean {
    if (this.loaded && this.active === 0 && now >= this.expiresAt) this.unload();
    return this.loaded;
  }

  unload(): void {
    this.loaded = false;
    this.lastPrompt = '';
  }

  /** Expiry as /api/ps reports it: while in use, counted from now. */
  expiry(now = Date.now()): number {
    return this.active > 0 ? now + this.sessionMs : this.expiresAt;
  }
}

export class Scheduler {
  private runners = new Map<string, Runner>();

  constructor(private readonly limits: () => { numParallel: number; maxQueue: number }) {}

  runner(name: string): Runner {
    const key = name.toLowerCase();
    let r = this.runners.get(key);
    if (!r) {
      r = new Runner(name);
      this.runners.set(key, r);
    }
    return r;
  }

  /** Requests waiting for a slot, all models together (OLLAMA_MAX_QUEUE counts these). */
  pending(): number {
    let n = 0;
    for (const r of this.runners.values()) n += r.waiters.length;
    return n;
  }

  /** Marks the model in use by one more request, with that request's keep_alive. */
  hold(r: Runner, keepAliveMs: number): void {
    r.isLoaded();
    r.active++;
    r.sessionMs = keepAliveMs;
  }

  /** The request is done with the model: start its keep_alive clock, or unload at once for 0. */
  release(r: Runner): void {
    r.active--;
    if (r.active > 0) return;
    if (r.sessionMs <= 0) r.unload();
    else r.expiresAt = Date.now() + r.sessionMs;
  }

  /** Waits (FIFO) for a generation slot. */
  async acquireSlot(r: Runner, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new AbortedError();
    if (r.slotsInUse < this.limits().numParallel && r.waiters.length === 0) {
      r.slotsInUse++;
      return;
    }
    if (this.pending() >= this.limits().maxQueue) throw new QueueFullError();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = r.waiters.indexOf(waiter);
        if (i >= 0) r.waiters.splice(i, 1);
        reject(new AbortedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      r.waiters.push(waiter);
    });
  }

  /** Hands the slot to the next waiter, if any. */
  releaseSlot(r: Runner): void {
    const next = r.waiters.shift();
    if (next) next.resolve();
    else r.slotsInUse = Math.max(0, r.slotsInUse - 1);
  }

  /**
   * Makes sure the model is loaded with `numCtx`; returns the milliseconds this request waited.
   * A load, once started, finishes even if the request that started it goes away (as in Ollama).
   */
  async ensureLoaded(r: Runner, numCtx: number, loadMs: number, force: boolean, signal: AbortSignal): Promise<number> {
    const start = Date.now();
    for (;;) {
      if (r.loading) {
        await abortable(r.loading.promise, signal);
        continue;
      }
      if (!force && r.isLoaded() && r.numCtx === numCtx) return Date.now() - start;
      force = false;
      r.unload();
      const loading = {
        numCtx,
        promise: new Promise<void>((resolve) => setTimeout(resolve, loadMs)).then(() => {
          // A server restart replaced this runner: its late load must not count.
          if (r.loading !== loading) return;
          r.loading = undefined;
          r.loaded = true;
          r.numCtx = numCtx;
          r.expiresAt = Date.now() + r.sessionMs;
        }),
      };
      r.loading = loading;
    }
  }

  loaded(): Runner[] {
    const now = Date.now();
    return [...this.runners.values()].filter((r) => r.isLoaded(now));
  }

  /** Unloads one model (as keep_alive expiry would), or all of them. */
  unload(name?: string): void {
    for (const r of this.runners.values()) {
      if (name === undefined || r.name.toLowerCase() === name.toLowerCase()) {
        r.unload();
        r.expiresAt = 0;
      }
    }
  }

  /** Server restart: nothing stays loaded; requests in flight were cut with their sockets. */
  reset(): void {
    for (const r of this.runners.values()) r.loading = undefined;
    this.runners.clear();
  }
}
