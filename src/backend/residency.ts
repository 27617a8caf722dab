// Whether the completion model is believed to be in the server's memory. Ollama aborts a load
// when the request that started it goes away (server/sched.go `load` waits with the request's
// context), so a cold model must be loaded by a request typing does not cancel: the warm-up.
// Cold means: never loaded here, past the keep_alive deadline we set, after a server restart or a
// model switch, or completions have waited for a first token for too long (someone else evicted it).
// Pure: no vscode, no timers.

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

export class ModelResidency {
  private readonly until = new Map<string, number>();
  /** Per key: when the oldest request still without an answer started. */
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly slowFirstByteMs = SLOW_FIRST_BYTE_MS,
  ) {}

  /** Loaded or answered just now: it stays for `keepAlive` (unreadable: Ollama's default 5 minutes). */
  used(key: string, keepAlive: string | number): void {
    const ms = keepAliveToMs(keepAlive) ?? 300_000;
    // keep_alive 0: the user wants the model out of memory after each request; warming it up
    // again would load it twice per completion.
    this.until.set(key, ms <= 0 ? Infinity : this.now() + ms);
    this.waitingSince.delete(key);
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
