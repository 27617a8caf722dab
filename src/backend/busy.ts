// "Server busy": a shared server (vLLM's full waiting queue, a gateway's rate limit) answered 429 or
// 503. Every editor of the team got the same answer at about the same time, so each waits a doubling
// delay with jitter before its completions ask again: a busy server sees fewer requests, not a wave
// of retries in step. Chat and actions are a person's explicit request: they still go (one request
// each), and a busy answer tells that person, whose question stays in the chat to retry.
// Pure: the clock and the randomness are injected.

import type { Backend, GenerateRequest, StreamChunk } from './backend';
import { BackendError } from './errors';

/** The first wait after a busy answer; doubles with each busy answer in a row. */
export const BUSY_BASE_MS = 2_000;
export const BUSY_MAX_MS = 60_000;
/** The most of a server's own Retry-After that pauses completions (a day-long value is not obeyed). */
export const RETRY_AFTER_MAX_MS = 300_000;

/**
 * The wait a Retry-After header asks for (RFC 9110 10.2.3: seconds, or an HTTP date), in ms;
 * undefined when there is none or it cannot be read.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month ("Fri, 04 Dec 2026 20:00:45 GMT"); Date.parse alone takes "-5".
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class BusyBackoff {
  private strikes = 0;
  private until = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The server said busy: completions pause for half the doubled delay plus a random share of the
   * other half ("equal jitter": never shorter than half, never in step with the other editors).
   * When the server said how long (`retryAfterMs`, from a gateway's Retry-After), at least that,
   * plus up to a quarter more so that the team's editors do not all come back at that moment.
   */
  hit(retryAfterMs?: number): number {
    this.strikes++;
    const cap = Math.min(BUSY_MAX_MS, BUSY_BASE_MS * 2 ** (this.strikes - 1));
    let wait = Math.round(cap / 2 + this.random() * (cap / 2));
    if (retryAfterMs !== undefined) wait = Math.max(wait, Math.round(Math.min(RETRY_AFTER_MAX_MS, retryAfterMs) * (1 + 0.25 * this.random())));
    this.until = Math.max(this.until, this.now() + wait);
    return wait;
  }

  /** An answer came through: the server has room again. */
  clear(): void {
    this.strikes = 0;
    this.until = 0;
  }

  /** Milliseconds completions still wait (0 when they may ask). */
  get remainingMs(): number {
    return Math.max(0, this.until - this.now());
  }

  get busyInARow(): number {
    return this.strikes;
  }
}

/** A completion is a raw (FIM) generation: the requests that come with every pause in typing. */
export function isCompletion(request: GenerateRequest): boolean {
  return request.raw === true;
}

/** The error a skipped completion ends with: local, never sent, never reported again. */
export function skippedWhileBusy(host: string, model: string, remainingMs: number): BackendError {
  return new BackendError(
    'busy',
    `The server at ${host} is busy: completions pause for ${Math.ceil(remainingMs / 1000)} s.`,
    { host, model },
    undefined,
    'skipped while the server is busy',
  );
}

/** The backend with completions skipped, without a request, while the backoff runs. */
export function withBusyGate(inner: Backend, backoff: BusyBackoff): Backend {
  return {
    host: inner.host,
    generate(request: GenerateRequest): AsyncIterable<StreamChunk> {
      const left = backoff.remainingMs;
      if (left <= 0 || !isCompletion(request)) return inner.generate(request);
      const error = skippedWhileBusy(inner.host, request.model, left);
      return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
    },
    chat: (request) => inner.chat(request),
    listModels: (signal) => inner.listModels(signal),
    loadedModels: (signal) => inner.loadedModels(signal),
    show: (model, signal) => inner.show(model, signal),
    pull: (model, signal) => inner.pull(model, signal),
    version: (signal) => inner.version(signal),
    embed: (model, texts, signal) => inner.embed(model, texts, signal),
  };
}
