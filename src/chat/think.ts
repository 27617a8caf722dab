// Splits a reasoning model's answer into its `<think>…</think>` part and the answer proper.
// Pure. Works on the text received so far: while streaming (`final` false) it holds back the end of
// the text when that could be the start of a tag, so a tag is never shown half-typed.
//
// Recognized shapes:
// - Qwen3 and most R1 distills: "<think>\n…\n</think>\n\nanswer" (leading whitespace allowed).
// - Templates that put "<think>" into the prompt, so the model only emits "…</think>answer".
//   Accepted only when no code fence comes before the "</think>", so an answer that merely talks
//   about the tag is left alone.
// A "<think>" anywhere but the start is ordinary text.

import { hasFence } from '../markdown/fences';

export interface ThinkSplit {
  thinking: string;
  answer: string;
  /** The model is still thinking (an opening tag without its close yet). */
  thinkingOpen: boolean;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/** How many characters at the end of `text` could begin `tag` (a partial tag to hold back). */
function partialTagAt(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (tag.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}

export function splitThink(raw: string, final: boolean): ThinkSplit {
  const lead = raw.length - raw.trimStart().length;
  const body = raw.slice(lead);

  if (body.startsWith(OPEN)) {
    const inner = body.slice(OPEN.length);
    const close = inner.indexOf(CLOSE);
    if (close < 0) {
      const held = final ? 0 : partialTagAt(inner, CLOSE);
      // Trimmed at both ends like the closed form, so each version is a prefix of the next.
      return { thinking: inner.slice(0, inner.length - held).trim(), answer: '', thinkingOpen: !final };
    }
    return {
      thinking: inner.slice(0, close).trim(),
      answer: inner.slice(close + CLOSE.length).replace(/^\s+/, ''),
      thinkingOpen: false,
    };
  }

  // The start may still turn into "<think>".
  if (!final && body.length < OPEN.length && OPEN.startsWith(body)) return { thinking: '', answer: '', thinkingOpen: false };

  const orphan = body.indexOf(CLOSE);
  if (orphan >= 0 && !hasFence(body.slice(0, orphan))) {
    return {
      thinking: body.slice(0, orphan).trim(),
      answer: body.slice(orphan + CLOSE.length).replace(/^\s+/, ''),
      thinkingOpen: false,
    };
  }
  const held = final ? 0 : partialTagAt(body, CLOSE);
  return { thinking: '', answer: body.slice(0, body.length - held), thinkingOpen: false };
}

export interface ThinkDelta {
  content: string;
  thinking: string;
  /** The shown text must be replaced, not appended to (a late "</think>" moved text into thinking). */
  replace: boolean;
}

type Mode = 'lead' | 'think' | 'plain' | 'after';

const FENCE_AT_LINE = /(^|\n) {0,3}(```|~~~)/;

/**
 * splitThink for a growing text, one piece at a time: each push looks only at the new piece (and
 * the few characters held back from the last one), never at the whole text again, so a long answer
 * costs its length, not its length squared. `current` always equals splitThink(all text, final).
 */
export class ThinkStream {
  private mode: Mode = 'lead';
  /** Lead mode: the start of the body (after leading whitespace), while it may still become "<think>". */
  private lead = '';
  /** Characters held back at the end of the last piece: they may start "</think>". */
  private held = '';
  private thinking = '';
  /** Whitespace at the end of the thinking, shown only once something follows it (trimmed at the end). */
  private thinkingSpace = '';
  private answer = '';
  /** After "</think>": whitespace before the answer is skipped. */
  private answerStarted = false;
  /** Plain mode: a code fence came first, so a later "</think>" is text. */
  private fenceSeen = false;
  /** Plain mode: the current line up to its first few characters, to find fences across pieces. */
  private lineStart = '';
  private ended = false;
  private prefix: { thinking: string; answer: string } | undefined;
  /** What this push added to each part. */
  private delta = { thinking: '', answer: '' };

  get current(): ThinkSplit {
    const open = this.mode === 'think' && !this.ended;
    if (this.prefix) return { thinking: this.prefix.thinking, answer: this.prefix.answer + this.answer, thinkingOpen: open };
    return { thinking: this.thinking, answer: this.answer, thinkingOpen: open };
  }

  /** Starts from an already shown answer (Continue appends to it; its own thinking is dropped). */
  static resume(thinking: string, answer: string): ThinkStream {
    const stream = new ThinkStream();
    stream.prefix = { thinking, answer };
    return stream;
  }

  push(text: string, final = false): ThinkDelta {
    this.delta = { thinking: '', answer: '' };
    const replaced = this.consume(text, final);
    if (final) this.ended = true;
    if (replaced) {
      const now = this.current;
      return { content: now.answer, thinking: now.thinking, replace: true };
    }
    // Only the new pieces: slicing the whole text would copy it on every push.
    return { content: this.delta.answer, thinking: this.prefix ? '' : this.delta.thinking, replace: false };
  }

  /** Returns true when text already shown moved (a late "</think>" turned the answer into thinking). */
  private consume(text: string, final: boolean): boolean {
    if (this.mode === 'lead') {
      const body = this.lead + (this.lead ? text : text.trimStart());
      if (body.startsWith(OPEN)) {
        this.mode = 'think';
        this.lead = '';
        return this.consume(body.slice(OPEN.length), final);
      }
      if (!final && body.length < OPEN.length && OPEN.startsWith(body)) {
        this.lead = body;
        return false;
      }
      this.mode = 'plain';
      this.lead = '';
      text = body;
    }
    const work = this.held + text;
    this.held = '';
    switch (this.mode) {
      case 'think': {
        const close = work.indexOf(CLOSE);
        if (close >= 0) {
          this.addThinking(work.slice(0, close));
          this.thinkingSpace = '';
          this.mode = 'after';
          this.addAnswer(work.slice(close + CLOSE.length));
          return false;
        }
        const hold = final ? 0 : partialTagAt(work, CLOSE);
        this.addThinking(work.slice(0, work.length - hold));
        this.held = work.slice(work.length - hold);
        if (final) this.thinkingSpace = '';
        return false;
      }
      case 'plain': {
        const close = this.fenceSeen ? -1 : work.indexOf(CLOSE);
        const upTo = close >= 0 ? work.slice(0, close) : work;
        if (!this.fenceSeen) this.fenceSeen = FENCE_AT_LINE.test(this.lineStart + upTo);
        if (close >= 0 && !this.fenceSeen) {
          // An orphan "</think>" (the template opened the tag): everything before it was thinking.
          const shown = this.answer.length > 0;
          this.thinking = (this.answer + upTo).trim();
          this.delta.thinking = this.thinking;
          this.answer = '';
          this.delta.answer = '';
          this.mode = 'after';
          this.addAnswer(work.slice(close + CLOSE.length));
          return shown;
        }
        const hold = final ? 0 : partialTagAt(work, CLOSE);
        const shown = work.slice(0, work.length - hold);
        this.trackLine(shown);
        this.answer += shown;
        this.delta.answer += shown;
        this.held = work.slice(work.length - hold);
        return false;
      }
      case 'after':
        this.addAnswer(work);
        return false;
      default:
        return false;
    }
  }

  private addThinking(piece: string): void {
    if (!this.thinking) piece = piece.trimStart();
    if (!piece) return;
    const body = piece.trimEnd();
    if (!body) {
      this.thinkingSpace += piece;
      return;
    }
    this.thinking += this.thinkingSpace + body;
    this.delta.thinking += this.thinkingSpace + body;
    this.thinkingSpace = piece.slice(body.length);
  }

  private addAnswer(piece: string): void {
    if (!this.answerStarted) {
      piece = piece.replace(/^\s+/, '');
      if (!piece) return;
      this.answerStarted = true;
    }
    this.answer += piece;
    this.delta.answer += piece;
  }

  /** Keeps the start of the current line (a fence is at most 3 spaces and 3 marks long). */
  private trackLine(piece: string): void {
    const nl = piece.lastIndexOf('\n');
    const line = nl >= 0 ? `\n${piece.slice(nl + 1)}` : this.lineStart + piece;
    this.lineStart = line.slice(0, 7);
  }
}
