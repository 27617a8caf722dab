// Asking ahead: at the points where a pause is likely and the next text predictable, the request
// for the new position goes out at once instead of after the debounce (when the server is idle),
// so its answer is on its way, or cached, when the user pauses a few keystrokes later.
// The points: right after a suggestion was accepted, and right after Enter at the end of a line.

/** The editor asks for the position after an accepted suggestion within this time. */
const AFTER_ACCEPT_MS = 1000;

/** Text after the cursor that still counts as the end of a line (auto-closers, spaces). */
const LINE_END = /^[ \t)\]}"'`;,]*(\r?\n|$)/;

export class AskAhead {
  private acceptedAt: number | undefined;
  private previous: { path: string; prefix: string } | undefined;

  /** A suggestion was accepted: the next position is worth asking for at once. */
  accepted(now: number): void {
    this.acceptedAt = now;
  }

  /**
   * Called once per completion call, in order: true when this position comes right after an
   * accepted suggestion, or right after Enter at the end of the line the last call was on.
   */
  next(path: string, prefix: string, suffix: string, now: number): boolean {
    const afterAccept = this.acceptedAt !== undefined && now - this.acceptedAt <= AFTER_ACCEPT_MS;
    this.acceptedAt = undefined;
    const previous = this.previous;
    this.previous = { path, prefix };
    return afterAccept || (previous?.path === path && enteredAtLineEnd(previous.prefix, prefix, suffix));
  }
}

/** `prefix` is `before` plus a newline and its indentation, and nothing but closers follow. */
export function enteredAtLineEnd(before: string, prefix: string, suffix: string): boolean {
  if (prefix.length <= before.length || !prefix.startsWith(before)) return false;
  return /^\r?\n[ \t]*$/.test(prefix.slice(before.length)) && LINE_END.test(suffix);
}
