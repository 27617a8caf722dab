// Typing into an answer in flight: while a completion streams, the user often types exactly what
// it is about to say. Such a keystroke keeps the request (no abort, no second request); the
// answer, once there, is served after what was typed. The first character that cannot be the
// start of the answer ends it at the server.

import type { Ticket } from './scheduler';

/** Auto-closers the editor may have inserted after the cursor since the request was sent. */
const AUTO_CLOSERS = /^[)\]}"'`>]{0,4}$/;

/** A completion request at the server, and what is known of its answer so far. */
export interface Flight {
  ticket: Ticket;
  model: string;
  path: string;
  prefix: string;
  suffix: string;
  /** One line: the server stops at its newline, so typing a newline can never match. */
  line: boolean;
  /** The raw answer streamed so far. */
  streamed: string;
  /** What the user has typed since the request was sent (the latest keystroke that kept it). */
  typed: string;
  /** Settles when the request has ended (its answer is cached, or it was aborted). */
  done: Promise<void>;
}

/** Where a keystroke is, as far as keeping a request goes. */
export interface Position {
  model: string;
  path: string;
  prefix: string;
  suffix: string;
}

/**
 * The characters typed at `at` since the flight was sent, or undefined when `at` is not the
 * flight's position with more text typed (another file, model, line, a deletion, a jump).
 */
export function typedSince(flight: Flight, at: Position): string | undefined {
  if (at.model !== flight.model || at.path !== flight.path) return undefined;
  if (at.prefix.length < flight.prefix.length || !at.prefix.startsWith(flight.prefix)) return undefined;
  if (!at.suffix.endsWith(flight.suffix) || !AUTO_CLOSERS.test(at.suffix.slice(0, at.suffix.length - flight.suffix.length))) return undefined;
  return at.prefix.slice(flight.prefix.length);
}

/**
 * Can the answer still start with `typed`? While it streams: when the two agree as far as both
 * go. Once whole (`finished`): only when it contains all of `typed`.
 */
export function canStillMatch(streamed: string, typed: string, finished: boolean): boolean {
  if (streamed.startsWith(typed)) return true;
  return !finished && typed.startsWith(streamed);
}

/** The flight a keystroke at `at` keeps, with what was typed; undefined: it must be superseded. */
export function keepable(flight: Flight | undefined, at: Position): { flight: Flight; typed: string } | undefined {
  if (!flight || flight.ticket.signal.aborted) return undefined;
  const typed = typedSince(flight, at);
  // Nothing typed is the same position again: the cache or the flight itself answers it.
  if (typed === undefined || (flight.line && typed.includes('\n')) || !canStillMatch(flight.streamed, typed, false)) return undefined;
  return { flight, typed };
}
