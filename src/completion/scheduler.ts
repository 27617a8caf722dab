// When a completion request may go out: after the debounce, when the server lane is free, and
// never beside another completion on the same server.
//
// - Every keystroke supersedes the previous ticket: its AbortSignal fires, which cancels the HTTP
//   request (Ollama stops generating) and marks its result as typed past.
// - One request in flight per server: a new ticket also waits until the previous one finished.
// - Chat wins: while a foreground request (chat, a command) holds the server's lane, completions
//   wait; one in flight when the chat starts is aborted.

import { sleep, type Clock } from './clock';

export type AbortReason = 'superseded' | 'cancelled' | 'foreground';

/**
 * One model server's "lane". A server that runs one request at a time (Ollama with
 * OLLAMA_NUM_PARALLEL=1, the default on small GPUs) would queue a completion behind a whole chat
 * answer; holding the lane during the chat makes completions wait instead.
 */
export class ServerLane {
  private holds = 0;
  private readonly freeWaiters = new Set<() => void>();
  private readonly busyListeners = new Set<() => void>();
  private anonymousRelease: (() => void) | undefined;

  /**
   * @param exclusive false for a server known to run requests in parallel: completions then never
   *   wait for (nor get aborted by) the foreground.
   */
  constructor(public exclusive = true) {}

  get foregroundBusy(): boolean {
    return this.exclusive && this.holds > 0;
  }

  /** Marks a foreground request as running until the returned function is called (idempotent). */
  acquireForeground(): () => void {
    this.holds++;
    if (this.holds === 1 && this.exclusive) for (const listener of [...this.busyListeners]) listener();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) {
        const waiters = [...this.freeWaiters];
        this.freeWaiters.clear();
        for (const wake of waiters) wake();
      }
    };
  }

  /** For callers that prefer a flag: true holds the lane (once), false releases that hold. */
  setForegroundBusy(busy: boolean): void {
    if (busy && !this.anonymousRelease) this.anonymousRelease = this.acquireForeground();
    if (!busy && this.anonymousRelease) {
      const release = this.anonymousRelease;
      this.anonymousRelease = undefined;
      release();
    }
  }

  /** Resolves true once no foreground request holds the lane; false if the signal aborts first. */
  whenFree(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (!this.foregroundBusy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = () => {
        this.freeWaiters.delete(wake);
        resolve(false);
      };
      this.freeWaiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Called when a foreground request takes the lane. Returns the unsubscribe function. */
  onForegroundBusy(listener: () => void): () => void {
    this.busyListeners.add(listener);
    return () => this.busyListeners.delete(listener);
  }
}

/** One lane per server address, shared by completions and chat. */
export class ServerLanes {
  private readonly lanes = new Map<string, ServerLane>();

  for(host: string): ServerLane {
    let lane = this.lanes.get(host);
    if (!lane) {
      lane = new ServerLane();
      this.lanes.set(host, lane);
    }
    return lane;
  }
}

export interface Ticket {
  /** Aborted when superseded by a newer keystroke, cancelled by the editor, or preempted by chat. */
  readonly signal: AbortSignal;
  readonly abortReason: AbortReason | undefined;
  /** Marks the request as over; the next ticket may then send its own. */
  finish(): void;
}

class SchedulerTicket implements Ticket {
  readonly controller = new AbortController();
  abortReason: AbortReason | undefined;
  private finished = false;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });
  private readonly unlink: () => void;

  constructor(caller: AbortSignal) {
    const onCancel = () => this.abort('cancelled');
    if (caller.aborted) this.abort('cancelled');
    else caller.addEventListener('abort', onCancel, { once: true });
    this.unlink = () => caller.removeEventListener('abort', onCancel);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: AbortReason): void {
    if (this.controller.signal.aborted) return;
    this.abortReason = reason;
    this.controller.abort();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unlink();
    this.resolveDone();
  }
}

const GAP_SAMPLES = 16;
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
  ) {
    this.unsubscribe = lane.onForegroundBusy(() => this.inFlight?.abort('foreground'));
  }

  dispose(): void {
    this.unsubscribe();
    this.current?.abort('cancelled');
  }

  /** A keystroke (or any new completion call): the previous ticket is superseded. */
  enter(caller: AbortSignal): Ticket {
    const now = this.clock.now();
    if (this.lastKeystroke !== undefined) {
      const gap = now - this.lastKeystroke;
      if (gap > 0 && gap < PAUSE_MS) {
        this.gaps.push(gap);
        if (this.gaps.length > GAP_SAMPLES) this.gaps.shift();
      }
    }
    this.lastKeystroke = now;
    this.current?.abort('superseded');
    const ticket = new SchedulerTicket(caller);
    this.current = ticket;
    return ticket;
  }

  /**
   * The debounce: the setting, adapted to the typing rhythm. Fast typists get a shorter wait
   * (a pause of 1.5 of their usual gap is already telling), slow ones a longer one so a request
   * does not go out between each of their keystrokes. Bounded to [½, 2] × the setting.
   */
  debounceMs(): number {
    const base = this.baseDebounceMs();
    if (base <= 0 || this.gaps.length < 4) return Math.max(0, base);
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    return Math.round(Math.min(2 * base, Math.max(base / 2, 1.5 * median)));
  }

  /**
   * Waits until the ticket may send: the debounce (unless the user asked explicitly), a free lane,
   * and the end of the previous request. False when the ticket was aborted meanwhile.
   */
  async ready(ticket: Ticket, options: { debounce: boolean }): Promise<boolean> {
    const own = ticket as SchedulerTicket;
    if (options.debounce && !(await sleep(this.clock, this.debounceMs(), own.signal))) return false;
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
      void own.done.then(() => {
        if (this.inFlight === own) this.inFlight = undefined;
      });
      return true;
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
