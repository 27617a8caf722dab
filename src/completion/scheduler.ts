// When a completion request may go out: after the debounce, when the server lane is free, and
// never beside another completion on the same server.
//
// - Every keystroke supersedes the previous ticket: its AbortSignal fires, which cancels the HTTP
//   request (Ollama stops generating) and marks its result as typed past. The exception is a
//   request in flight that the keystroke can still be the start of (`enter(caller, keep)`): it
//   runs on, and the engine serves the rest of its answer after what was typed.
// - One request in flight per server: a new ticket also waits until the previous one finished.
// - Chat wins: while a foreground request (chat, a command) holds the server's lane, completions
//   wait; one in flight when the chat starts is aborted.

import type { ServerLane } from '../backend/lanes';
import { sleep, type Clock, type TimerHandle } from './clock';

export type AbortReason = 'superseded' | 'cancelled' | 'foreground';

export interface Ticket {
  /** Aborted when superseded by a newer keystroke, cancelled by the editor, or preempted by chat. */
  readonly signal: AbortSignal;
  readonly abortReason: AbortReason | undefined;
  /** Marks the request as over; the next ticket may then send its own. */
  finish(): void;
}

/**
 * The editor cancels its call on every keystroke, before it asks again; a request already at the
 * server waits this long for that next call, which may keep it, before the cancellation ends it.
 * A second: on a loaded machine the next call can come later than 400 ms (one failure of the
 * real-editor scenario 35-ahead, Enter's request ended just before its answer was whole, is
 * thought to be this). A request nobody asks for again runs at most this much longer; any newer
 * call supersedes it at once.
 */
const CANCEL_GRACE_MS = 1000;

class SchedulerTicket implements Ticket {
  readonly controller = new AbortController();
  abortReason: AbortReason | undefined;
  /** Sent to the server: the editor's cancellation then waits CANCEL_GRACE_MS. */
  sent = false;
  private graceTimer: TimerHandle | undefined;
  private finished = false;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });
  private readonly unlink: () => void;

  /** When the keystroke came: the debounce counts from here, whatever the call waited for since. */
  readonly enteredAt: number;

  constructor(
    caller: AbortSignal,
    private readonly clock: Clock,
  ) {
    this.enteredAt = clock.now();
    const onCancel = () => {
      if (!this.sent) this.abort('cancelled');
      else this.graceTimer ??= this.clock.setTimeout(() => this.abort('cancelled'), CANCEL_GRACE_MS);
    };
    if (caller.aborted) this.abort('cancelled');
    else caller.addEventListener('abort', onCancel, { once: true });
    this.unlink = () => caller.removeEventListener('abort', onCancel);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Kept by a newer keystroke: the first caller's cancellation no longer ends it. */
  detach(): void {
    this.unlink();
    if (this.graceTimer !== undefined) this.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  abort(reason: AbortReason): void {
    if (this.graceTimer !== undefined) this.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    if (this.controller.signal.aborted) return;
    this.abortReason = reason;
    this.controller.abort();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.detach();
    this.resolveDone();
  }
}

const GAP_SAMPLES = 16;
const MIN_DEBOUNCE_MS = 40;
const MAX_DEBOUNCE_MS = 400;
/** A cheap request (server idle, prompt cached) may go after this share of the debounce. */
const WARM_FACTOR = 0.6;
/** Gaps longer than this are pauses, not typing rhythm. */
const PAUSE_MS = 1000;

export class CompletionScheduler {
  private current: SchedulerTicket | undefined;
  private inFlight: SchedulerTicket | undefined;
  private lastKeystroke: number | undefined;
  private readonly gaps: number[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly lane: ServerLane,
    private readonly clock: Clock,
    private readonly baseDebounceMs: () => number,
    /** The older debounce rule (1.5 × the median gap, within [½, 2] × the setting), for the benchmark. */
    private readonly legacyDebounce = false,
  ) {
    this.unsubscribe = lane.onForegroundBusy(() => this.inFlight?.abort('foreground'));
  }

  dispose(): void {
    this.unsubscribe();
    this.current?.abort('cancelled');
  }

  /** No completion at the server and no chat holding it: a request would go out at once. */
  get idle(): boolean {
    return this.inFlight === undefined && !this.lane.foregroundBusy;
  }

  /**
   * A keystroke (or any new completion call): the previous ticket and the request in flight are
   * superseded, except `keep`, the request in flight this keystroke can still be served by.
   */
  enter(caller: AbortSignal, keep?: Ticket): Ticket {
    const now = this.clock.now();
    if (this.lastKeystroke !== undefined) {
      const gap = now - this.lastKeystroke;
      if (gap > 0 && gap < PAUSE_MS) {
        this.gaps.push(gap);
        if (this.gaps.length > GAP_SAMPLES) this.gaps.shift();
      }
    }
    this.lastKeystroke = now;
    const kept = keep === this.inFlight ? this.inFlight : undefined;
    if (this.current !== kept) this.current?.abort('superseded');
    if (this.inFlight !== kept) this.inFlight?.abort('superseded');
    kept?.detach();
    const ticket = new SchedulerTicket(caller, this.clock);
    this.current = ticket;
    return ticket;
  }

  /**
   * The debounce, learnt from this user's typing (kept in memory only): just above their usual gap
   * between keystrokes within a word (the 75th percentile of recent gaps, plus a quarter), so it
   * ends only at a real pause. Shorter when the request would be cheap: the server idle and the
   * prompt mostly in its cache (`warm`: the same lines above as the last request). Until a few
   * gaps are known, the setting. Always within [40, 400] ms; a setting of 0 turns it off.
   */
  debounceMs(options: { warm?: boolean } = {}): number {
    const base = this.baseDebounceMs();
    if (base <= 0) return 0;
    if (this.legacyDebounce) return this.gaps.length < 4 ? base : Math.round(Math.min(2 * base, Math.max(base / 2, 1.5 * median(this.gaps))));
    let ms = base;
    if (this.gaps.length >= 4) {
      const sorted = [...this.gaps].sort((a, b) => a - b);
      ms = 1.25 * (sorted[Math.floor(sorted.length * 0.75)] as number);
    }
    if (options.warm && this.idle) ms *= WARM_FACTOR;
    return Math.round(Math.min(MAX_DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, ms)));
  }

  /**
   * Waits until the ticket may send: the debounce (unless the user asked explicitly), a free lane,
   * and the end of the previous request. False when the ticket was aborted meanwhile.
   */
  async ready(ticket: Ticket, options: { debounce: boolean; warm?: boolean }): Promise<boolean> {
    const own = ticket as SchedulerTicket;
    // From the keystroke: a call that first waited for a kept answer in flight (which then could
    // not serve it) has already waited through its pause.
    const debounce = options.debounce ? this.debounceMs({ warm: options.warm }) - (this.clock.now() - own.enteredAt) : 0;
    if (debounce > 0 && !(await sleep(this.clock, debounce, own.signal))) return false;
    for (;;) {
      if (!(await this.lane.whenFree(own.signal))) return false;
      const previous = this.inFlight;
      if (previous && previous !== own) {
        await Promise.race([previous.done, aborted(own.signal)]);
        if (own.signal.aborted) return false;
        continue;
      }
      // The lane may have been taken while we waited for the previous request.
      if (this.lane.foregroundBusy) continue;
      this.inFlight = own;
      own.sent = true;
      void own.done.then(() => {
        if (this.inFlight === own) this.inFlight = undefined;
      });
      return true;
    }
  }
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/** Ends a ticket whose answer can no longer serve what the user typed. */
export function supersede(ticket: Ticket): void {
  (ticket as SchedulerTicket).abort('superseded');
}

export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
