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

/** Turns successive splits of a growing answer into what to append (or replace) on screen. */
export class ThinkStream {
  private shown: ThinkSplit = { thinking: '', answer: '', thinkingOpen: false };
  private raw = '';

  get text(): string {
    return this.raw;
  }

  get current(): ThinkSplit {
    return this.shown;
  }

  /** Starts from an already shown answer (Continue appends to it). */
  static resume(thinking: string, answer: string): ThinkStream {
    const stream = new ThinkStream();
    stream.shown = { thinking, answer, thinkingOpen: false };
    stream.prefix = { thinking, answer };
    return stream;
  }

  private prefix: { thinking: string; answer: string } | undefined;

  push(text: string, final = false): ThinkDelta {
    this.raw += text;
    let next = splitThink(this.raw, final);
    if (this.prefix) {
      // A continuation: its own think part (if any) is dropped, its answer appended.
      next = { thinking: this.prefix.thinking, answer: this.prefix.answer + next.answer, thinkingOpen: next.thinkingOpen };
    }
    const previous = this.shown;
    this.shown = next;
    if (next.thinking.startsWith(previous.thinking) && next.answer.startsWith(previous.answer)) {
      return {
        content: next.answer.slice(previous.answer.length),
        thinking: next.thinking.slice(previous.thinking.length),
        replace: false,
      };
    }
    return { content: next.answer, thinking: next.thinking, replace: true };
  }
}
