// Ollama's scheduler in miniature (ollama/ollama server/sched.go): per model, a FIFO of requests
// waiting for one of `numParallel` generation slots, a load on first use / after keep_alive expiry /
// when num_ctx changes, the keep_alive clock that starts when the last request using the model
// ends, loads owned by the request that started them (a client that leaves aborts its load), and
// eviction of idle models to fit VRAM and OLLAMA_MAX_LOADED_MODELS.

/** keep_alive < 0 means "for ever": Ollama stores MaxInt64 nanoseconds, about 292 years. */
export const FOREVER_MS = 9_223_372_036_854;

export class AbortedError extends Error {
  constructor() {
    super('client went away');
    this.name = 'AbortError';
  }
}

export class QueueFullError extends Error {}

/** What happened to a model's runner, for tests and the reload benchmark. */
export interface ModelEvent {
  kind: 'loadStart' | 'loaded' | 'loadAborted' | 'evicted' | 'expired' | 'unloaded';
  model: string;
  at: number;
}

/** The scheduler's view of the settings, read at each decision. */
export interface SchedLimits {
  maxQueue: number;
  /** GPU memory (undefined: unlimited). */
  vramBytes: number | undefined;
  /** OLLAMA_MAX_LOADED_MODELS; 0 = no limit. */
  maxLoadedModels: number;
}

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
  loading: { numCtx: number; promise: Promise<void>; abort: () => void } | undefined;
  /** Chosen to make room for another model: unloads as soon as it is idle. */
  evicting = false;
  /** Memory the loaded (or loading) runner takes, for eviction. */
  sizeBytes = 0;

  constructor(readonly name: string) {}

  /** Loaded and not expired. */
  isLoaded(now = Date.now()): boolean {
    if (this.loaded && this.active === 0 && now >= this.expiresAt) {
      this.unload();
      this.onEvent?.('expired');
    }
    return this.loaded;
  }

  /** Set by the scheduler, to record what happens to this runner. */
  onEvent: ((kind: ModelEvent['kind']) => void) | undefined;

  unload(): void {
    if (this.loaded && this.evicting) this.onEvent?.('evicted');
    this.evicting = false;
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

  /** Requests waiting for a model to be loaded (sched.go's pendingReqCh; OLLAMA_MAX_QUEUE bounds it). */
  private waitingForLoad = 0;
  /** Loads, aborted loads, evictions and expiries, oldest first. */
  readonly events: ModelEvent[] = [];

  constructor(private readonly limits: () => SchedLimits) {}

  runner(name: string): Runner {
    const key = name.toLowerCase();
    let r = this.runners.get(key);
    if (!r) {
      r = new Runner(name);
      r.onEvent = (kind) => this.events.push({ kind, model: r!.name, at: Date.now() });
      this.runners.set(key, r);
    }
    return r;
  }

  /**
   * Marks the model in use by one more request. A request without keep_alive (undefined) keeps
   * the runner's previous duration; only a fresh load takes the server default (sched.go
   * `useLoadedRunner` sets sessionDuration only when the request has one; `load` falls back to
   * envconfig.KeepAlive).
   */
  hold(r: Runner, keepAliveMs: number | undefined, defaultMs: number): void {
    const warm = r.isLoaded() || r.loading !== undefined || r.active > 0;
    r.active++;
    if (keepAliveMs !== undefined) r.sessionMs = keepAliveMs;
    else if (!warm) r.sessionMs = defaultMs;
  }

  /** The request is done with the model: start its keep_alive clock, or unload at once for 0. */
  release(r: Runner): void {
    r.active--;
    if (r.active > 0) return;
    if (r.sessionMs <= 0) {
      if (r.loaded && !r.evicting) r.onEvent?.('unloaded');
      r.unload();
    } else r.expiresAt = Date.now() + r.sessionMs;
  }

  /**
   * Waits (FIFO) for one of `numParallel` generation slots. Never 503: in Ollama a request that has
   * its runner waits on the runner's semaphore (llm/server.go `Completion`, s.sem.Acquire) without
   * a limit; only the scheduler's queue is bounded (see ensureLoaded).
   */
  async acquireSlot(r: Runner, numParallel: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new AbortedError();
    if (r.slotsInUse < numParallel && r.waiters.length === 0) {
      r.slotsInUse++;
      return;
    }
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
   *
   * - The request that starts a load owns it: when its client goes away first, the load is
   *   aborted and the runner expired (sched.go `load` runs `llama.WaitUntilRunning(req.ctx)` and
   *   on error sends the runner to expiredCh; llm/server.go `WaitUntilRunning` logs "client
   *   connection closed before server finished loading, aborting load"). Other requests waiting
   *   for that load then start one of their own. (In Ollama they were already handed the loading
   *   runner and would fail or be rescheduled; which one is not verified here.)
   * - Before a load, idle models are unloaded to make room (see makeRoom).
   */
  async ensureLoaded(r: Runner, numCtx: number, loadMs: number, force: boolean, signal: AbortSignal, sizeBytes = 0): Promise<number> {
    const start = Date.now();
    for (;;) {
      if (r.loading) {
        await abortable(r.loading.promise, signal);
        continue;
      }
      if (!force && r.isLoaded() && r.numCtx === numCtx) return Date.now() - start;
      force = false;
      await this.makeRoom(r, sizeBytes, signal);
      if (r.loading) continue; // another request started it while this one made room
      r.unload();
      const mine = this.startLoad(r, numCtx, loadMs, sizeBytes);
      await abortable(mine.promise, signal).catch((e: unknown) => {
        // The client that started the load went away: abort it (see above).
        if (e instanceof AbortedError) mine.abort();
        throw e;
      });
    }
  }

  /** Whether a request for `r` with `numCtx` will have to wait for a load. */
  needsLoad(r: Runner, numCtx: number): boolean {
    return r.loading !== undefined || !r.isLoaded() || r.numCtx !== numCtx;
  }

  /**
   * Enters the queue of requests waiting for a load; 503 past `maxQueue` (sched.go `GetRunner`:
   * pendingReqCh holds OLLAMA_MAX_QUEUE requests, then ErrMaxQueue). Returns the leave function.
   */
  enterLoadQueue(): () => void {
    if (this.waitingForLoad >= this.limits().maxQueue) throw new QueueFullError();
    this.waitingForLoad++;
    let left = false;
    return () => {
      if (!left) this.waitingForLoad--;
      left = true;
    };
  }

  private startLoad(r: Runner, numCtx: number, loadMs: number, sizeBytes: number): NonNullable<Runner['loading']> {
    let settle!: () => void;
    const loading = {
      numCtx,
      promise: new Promise<void>((resolve) => (settle = resolve)),
      abort: () => {
        if (r.loading !== loading) return;
        clearTimeout(timer);
        r.loading = undefined;
        r.unload();
        r.onEvent?.('loadAborted');
        settle();
      },
    };
    const timer = setTimeout(() => {
      // A server restart replaced this runner: its late load must not count.
      if (r.loading === loading) {
        r.loading = undefined;
        r.loaded = true;
        r.numCtx = numCtx;
        r.expiresAt = Date.now() + r.sessionMs;
        r.onEvent?.('loaded');
      }
      settle();
    }, loadMs);
    r.loading = loading;
    r.sizeBytes = sizeBytes;
    r.onEvent?.('loadStart');
    return loading;
  }

  /**
   * Unloads other models until `r` fits (sched.go `processPending`): at OLLAMA_MAX_LOADED_MODELS
   * loaded, or when the new model does not fit in the VRAM left (`pickBestFitGPUs` after
   * `updateFreeSpace`), one runner is expired and the request waits for the unload, then tries
   * again. The first model always loads (partly in system RAM if it must: the `loadedCount == 0`
   * branch). The runner chosen is `findRunnerToUnload`'s: sorted by keep_alive duration, shortest
   * first, then by model path (`ByDurationAndName`; the simulator sorts by name, Ollama's path is
   * the blob digest, so its tie order is arbitrary), the first idle one, else the first; its
   * duration is set to 0 so it unloads as soon as its requests finish. Not LRU: Ollama does not
   * track last use. While another model is still loading, Ollama retries after 250 ms
   * (`reschedDelay`); the simulator polls every 10 ms.
   */
  private async makeRoom(r: Runner, sizeBytes: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const { vramBytes, maxLoadedModels } = this.limits();
      const others = [...this.runners.values()].filter((o) => o !== r && (o.loading !== undefined || o.isLoaded()));
      if (others.length === 0) return;
      const tooMany = maxLoadedModels > 0 && others.length >= maxLoadedModels;
      const used = others.reduce((sum, o) => sum + o.sizeBytes, 0);
      const fits = vramBytes === undefined || used + sizeBytes <= vramBytes;
      if (!tooMany && fits) return;
      const sorted = others.sort((a, b) => a.sessionMs - b.sessionMs || a.name.localeCompare(b.name));
      const victim = sorted.find((o) => o.active === 0 && o.loading === undefined) ?? sorted[0]!;
      victim.sessionMs = 0;
      victim.evicting = true;
      if (victim.active === 0 && victim.loading === undefined) {
        victim.unload();
        victim.expiresAt = 0;
        continue;
      }
      await abortableSleep(10, signal);
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
        if (r.loaded) r.onEvent?.('unloaded');
        r.unload();
        r.expiresAt = 0;
      }
    }
  }

  /** Server restart: nothing stays loaded; requests in flight were cut with their sockets. */
  clearEvents(): void {
    this.events.length = 0;
  }

  reset(): void {
    for (const r of this.runners.values()) r.loading = undefined;
    this.runners.clear();
  }
}
