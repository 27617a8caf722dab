// Whether the completion model is believed to be in the server's memory. Ollama aborts a load
// when the request that started it goes away (server/sched.go `load` waits with the request's
// context), so a cold model must be loaded by a request typing does not cancel: the warm-up.
// Cold means: never loaded here, past the keep_alive deadline we set, after a server restart or a
// model switch, or completions have waited for a first token for too long (someone else evicted it).
// Another client, or the server's own keep_alive clock, can also unload it while we are idle: after
// a quiet spell `/api/ps` is asked before the next completion (the gate below), so the reload is
// the warm-up's and not a completion's that the next keystroke would abort.
// Pure: no vscode, no timers.

import type { LoadedModel } from './backend';

/** keep_alive as Ollama reads it: a number is seconds, a string a Go duration; negative = for ever. Undefined if unreadable. */
export function keepAliveToMs(value: string | number): number | undefined {
  if (typeof value === 'number') return value < 0 ? Infinity : value * 1000;
  const text = value.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) return keepAliveToMs(Number(text));
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const m = /^([-+]?)((?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (const part of text.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ms += Number(part[1]) * unit[part[2]!]!;
  return m[1] === '-' ? Infinity : ms;
}

/** Completions that wait this long without a first token mean the model is being loaded for them. */
export const SLOW_FIRST_BYTE_MS = 1_500;

/** After this long with no sign that the model is loaded, `/api/ps` is asked before the next completion. */
export const CHECK_AFTER_IDLE_MS = 20_000;

export class ModelResidency {
  private readonly until = new Map<string, number>();
  /** Per key: when the model was last known to be loaded (an answer, a load, a check). */
  private readonly seenAt = new Map<string, number>();
  /** Per key: when the oldest request still without an answer started. */
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly slowFirstByteMs = SLOW_FIRST_BYTE_MS,
    private readonly checkAfterIdleMs = CHECK_AFTER_IDLE_MS,
  ) {}

  /** Loaded or answered just now: it stays for `keepAlive` (unreadable: Ollama's default 5 minutes). */
  used(key: string, keepAlive: string | number): void {
    const ms = keepAliveToMs(keepAlive) ?? 300_000;
    // keep_alive 0: the user wants the model out of memory after each request; warming it up
    // again would load it twice per completion.
    this.until.set(key, ms <= 0 ? Infinity : this.now() + ms);
    this.seenAt.set(key, this.now());
    this.waitingSince.delete(key);
  }

  /** Believed loaded, but not seen so for a while: worth asking `/api/ps` before the next completion. */
  shouldCheck(key: string): boolean {
    return !this.isCold(key) && this.now() - (this.seenAt.get(key) ?? 0) >= this.checkAfterIdleMs;
  }

  /** What `/api/ps` said. Returns true when the model is not (usably) loaded any more: it is now cold. */
  checked(key: string, state: ResidentState): boolean {
    if (state === 'loaded') {
      this.seenAt.set(key, this.now());
      return false;
    }
    this.forget(key);
    return true;
  }

  isCold(key: string): boolean {
    return this.now() >= (this.until.get(key) ?? 0);
  }

  /** The server restarted or lost the model: every (or this) model is cold. */
  forget(key?: string): void {
    if (key === undefined) this.until.clear();
    else this.until.delete(key);
  }

  /** A completion was sent. */
  started(key: string): void {
    if (!this.waitingSince.has(key)) this.waitingSince.set(key, this.now());
  }

  /**
   * A completion ended. With an answer the model is loaded; without one (cancelled by typing,
   * timed out) after completions have waited `slowFirstByteMs` for a first token, the model is
   * cold: returns true, and the caller should load it with a request typing does not cancel.
   */
  ended(key: string, answered: boolean, keepAlive: string | number): boolean {
    if (answered) {
      this.used(key, keepAlive);
      return false;
    }
    const since = this.waitingSince.get(key);
    if (since === undefined || this.now() - since < this.slowFirstByteMs) return false;
    this.waitingSince.delete(key);
    this.forget(key);
    return true;
  }
}

/**
 * How a model stands in `/api/ps`: loaded; not listed (evicted, expired); or loaded with another
 * context size than completions ask for, which Ollama answers by loading it again (sched.go
 * `needsReload` compares num_ctx). Servers before v0.10 do not list `context_length`: then only
 * presence counts.
 */
export type ResidentState = 'loaded' | 'evicted' | 'otherContext';

export function residentState(loaded: readonly LoadedModel[], model: string, numCtx: number | undefined): ResidentState {
  const entry = loaded.find((m) => m.name === model || m.name === `${model}:latest`);
  if (!entry) return 'evicted';
  if (numCtx !== undefined && entry.contextLength !== undefined && entry.contextLength !== numCtx) return 'otherContext';
  return 'loaded';
}

export interface ResidencyGateDeps {
  residency: ModelResidency;
  key(model: string): string;
  /** Ollama, with completions on: the only case where loads are ours to manage. */
  active(): boolean;
  loadedModels(signal: AbortSignal): Promise<LoadedModel[]>;
  /** The num_ctx completions send (undefined: the server's default). */
  numCtx(): number | undefined;
  /** Starts the warm-up (a request typing does not cancel) if the model is cold. */
  warm(): void;
  /** Settles when the warm-up in progress (if any) has ended. */
  warming(): Promise<void>;
  log(message: string): void;
}

/** How long the `/api/ps` check may take before the completion goes on without its answer. */
const CHECK_TIMEOUT_MS = 1_000;

/**
 * Runs before each completion request is sent. After a quiet spell it asks `/api/ps` whether the
 * model is still loaded; when it is cold (evicted, expired, never loaded), the warm-up loads it and
 * the completion waits for that load instead of starting one the next keystroke would abort.
 * Typing on (the signal) ends the wait, never the load. Never throws.
 */
export function residencyGate(deps: ResidencyGateDeps): (model: string, signal: AbortSignal) => Promise<void> {
  return async (model, signal) => {
    if (!deps.active()) return;
    const key = deps.key(model);
    const { residency } = deps;
    if (residency.shouldCheck(key)) {
      try {
        const loaded = await deps.loadedModels(AbortSignal.any([signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]));
        const state = residentState(loaded, model, deps.numCtx());
        if (residency.checked(key, state)) {
          deps.log(
            state === 'evicted'
              ? `${model} is no longer loaded (another client or its keep_alive unloaded it): reloading it`
              : `${model} is loaded with another context size: reloading it with the one completions use`,
          );
        }
      } catch {
        // No answer in time: go on as believed; a slow first token still tells (ended()).
        if (signal.aborted) return;
      }
    }
    if (!residency.isCold(key)) return;
    deps.warm();
    await Promise.race([deps.warming(), untilAborted(signal)]);
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
