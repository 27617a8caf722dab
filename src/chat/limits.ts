// Hard limits on one streamed answer. Pure.
//
// A chat answer is at most a few thousand tokens (num_predict), tens of kilobytes. A server that
// sends far more, or one line without end, would stall the panel (every frame renders the open
// line again) and the extension host: the answer is stopped at the limit, what came is kept, and
// the message says why.

/** Characters of one answer (thinking included). */
export const MAX_ANSWER_CHARS = 1_000_000;
/** Characters of one line of an answer. */
export const MAX_LINE_CHARS = 64 * 1024;

export class AnswerGuard {
  private total = 0;
  /** Length of the line still open at the end of the text so far. */
  private line = 0;

  constructor(
    private readonly maxChars = MAX_ANSWER_CHARS,
    private readonly maxLine = MAX_LINE_CHARS,
  ) {}

  /** Counts a piece of the answer; returns why the answer must stop, or undefined. */
  add(piece: string): string | undefined {
    this.total += piece.length;
    if (this.total > this.maxChars) {
      return `The answer was stopped after ${size(this.maxChars)}: more than a chat answer can be (is the server repeating itself?). What came is kept.`;
    }
    const lastBreak = piece.lastIndexOf('\n');
    let longest: number;
    if (lastBreak < 0) longest = this.line += piece.length;
    else {
      const firstBreak = piece.indexOf('\n');
      longest = this.line + firstBreak;
      // The lines in the middle of a large piece count too.
      if (piece.length > this.maxLine) for (const l of piece.slice(firstBreak + 1, lastBreak).split('\n')) longest = Math.max(longest, l.length);
      this.line = piece.length - lastBreak - 1;
      longest = Math.max(longest, this.line);
    }
    if (longest > this.maxLine) {
      return `The answer was stopped: one line passed ${size(this.maxLine)} without a line break, more than the panel can show. What came is kept.`;
    }
    return undefined;
  }
}

function size(chars: number): string {
  return chars >= 1_000_000 ? `${Math.round(chars / 100_000) / 10} MB` : `${Math.round(chars / 1024)} KB`;
}
