// Incremental Markdown rendering for a streamed answer.
//
// The text is split into top-level blocks. A block followed by another block is complete: it is
// rendered once and never touched again. Only the last block (the "tail") is rendered again on each
// flush, so a frame costs the size of one block, not of the answer.
// A fenced code block is the exception: it can be thousands of lines long, so while it is open it
// is not lexed at all. New lines are scanned for the closing fence only; finished stretches of code
// are highlighted once and frozen, and only the last short stretch is highlighted again per flush.

import type { Token } from 'marked';
import { decorateCodeBlocks, fencedPre, setFencedCode, wrapCodeBlock } from './codeblock';
import { fenceLanguage } from './highlight';
import { closesFence, openingFence } from '../markdown/fences';
import type { MarkdownRenderer } from './markdown';

/** Lines in the stretch of an open code block that is re-highlighted on every flush, at most… */
const SEGMENT_MAX_LINES = 32;
/** …and at least this many before a blank line may end it. */
const SEGMENT_MIN_LINES = 12;
/**
 * A closed code block longer than this keeps its streamed (segment-highlighted) DOM instead of
 * being rendered again whole: no hitch when a long block ends. Shorter ones are rendered again so
 * that highlighting spans the whole block (a multi-line string or comment across segments).
 */
const REHIGHLIGHT_MAX_CHARS = 4_000;

interface OpenFence {
  /** Offset of the opening fence line in the text. */
  start: number;
  /** Offset just after the opening line's newline; -1 until that line is complete. */
  bodyStart: number;
  char: '`' | '~';
  length: number;
  lang: string;
  /** Where to look for the closing fence next (start of the first line not yet scanned). */
  scanFrom: number;
  /** Body text up to here is highlighted and frozen. */
  frozenEnd: number;
  frozenLines: number;
  block: HTMLElement;
  pre: HTMLElement;
  code: HTMLElement;
  pending: HTMLElement;
}

export class StreamingMarkdown {
  readonly element: HTMLElement;
  private text = '';
  /** Text before this offset is in finished blocks. */
  private committed = 0;
  private readonly tail: HTMLElement;
  private fence: OpenFence | undefined;
  private dirty = false;

  constructor(
    private readonly doc: Document,
    private readonly markdown: MarkdownRenderer,
    className = 'markdown',
  ) {
    this.element = doc.createElement('div');
    this.element.className = className;
    this.tail = doc.createElement('div');
    this.tail.className = 'md-tail';
    this.element.append(this.tail);
  }

  get source(): string {
    return this.text;
  }

  get needsFlush(): boolean {
    return this.dirty;
  }

  append(delta: string): void {
    if (!delta) return;
    this.text += delta.replace(/\r\n?/g, '\n');
    this.dirty = true;
  }

  /** Replaces everything shown. */
  setText(text: string): void {
    this.text = text.replace(/\r\n?/g, '\n');
    this.committed = 0;
    this.fence = undefined;
    this.element.replaceChildren(this.tail);
    this.tail.replaceChildren();
    this.dirty = true;
  }

  /** Shows the whole text as plain text (when rendering it failed); later text is appended plain too. */
  showPlain(): void {
    const p = this.doc.createElement('p');
    p.className = 'plain-text';
    p.textContent = this.text;
    this.fence = undefined;
    this.committed = this.text.length;
    this.tail.replaceChildren();
    this.element.replaceChildren(p, this.tail);
    this.dirty = false;
  }

  /** Renders what changed. `final`: the text is complete; render everything as finished. */
  flush(final = false): void {
    this.dirty = false;
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.fence) {
        if (!this.advanceFence(final)) return;
        continue;
      }
      const rest = this.text.slice(this.committed);
      if (!rest.trim()) {
        this.tail.replaceChildren();
        if (final) this.committed = this.text.length;
        return;
      }
      const tokens = this.markdown.lex(rest);
      if (final) {
        this.commit(tokens, tokens.links, rest.length);
        this.tail.replaceChildren();
        return;
      }
      let last = tokens.length - 1;
      while (last >= 0 && tokens[last].type === 'space') last--;
      if (last < 0) {
        this.tail.replaceChildren();
        return;
      }
      if (last > 0) {
        const done = tokens.slice(0, last);
        const length = done.reduce((n, t) => n + t.raw.length, 0);
        // The lexer returns the source verbatim in `raw`; if it ever does not, render it all as the tail.
        if (rest.startsWith(done.map((t) => t.raw).join(''))) {
          this.commit(done, tokens.links, length);
          continue;
        }
      }
      const open = this.openFenceAt(tokens[last]);
      if (open && last === 0) {
        this.fence = this.startFence(open);
        continue;
      }
      this.renderTail(tokens.slice(last), tokens.links);
      return;
    }
  }

  private commit(tokens: Token[], links: Parameters<MarkdownRenderer['renderTokens']>[1], length: number): void {
    if (tokens.every((t) => t.type === 'space')) {
      this.committed += length;
      return;
    }
    const block = this.doc.createElement('div');
    block.className = 'md-block';
    block.append(this.markdown.renderTokens(tokens, links));
    decorateCodeBlocks(block);
    this.tail.before(block);
    this.committed += length;
  }

  private renderTail(tokens: Token[], links: Parameters<MarkdownRenderer['renderTokens']>[1]): void {
    const fragment = this.markdown.renderTokens(tokens, links);
    decorateCodeBlocks(fragment);
    this.tail.replaceChildren(fragment);
  }

  /** The fence of a code token that is still open (its closing line has not arrived). */
  private openFenceAt(token: Token): { char: '`' | '~'; length: number; info: string } | undefined {
    if (token.type !== 'code' || token.codeBlockStyle === 'indented') return undefined;
    const lines = token.raw.replace(/\n+$/, '').split('\n');
    const open = openingFence(lines[0] ?? '');
    if (!open || (lines.length > 1 && closesFence(lines[lines.length - 1] ?? '', open))) return undefined;
    return { char: open.char, length: open.length, info: open.info };
  }

  private isClosing(line: string, char: '`' | '~', length: number): boolean {
    return closesFence(line, { char, length });
  }

  private startFence(open: { char: '`' | '~'; length: number; info: string }): OpenFence {
    const lang = fenceLanguage(open.info);
    const pending = this.doc.createElement('span');
    pending.className = 'code-pending';
    const { pre, code } = fencedPre(this.doc, { code: '', language: lang }, pending);
    this.tail.replaceChildren(pre);
    const block = wrapCodeBlock(this.doc, pre);
    block.classList.add('streaming');
    return {
      start: this.committed,
      bodyStart: -1,
      char: open.char,
      length: open.length,
      lang,
      scanFrom: -1,
      frozenEnd: -1,
      frozenLines: 0,
      block,
      pre,
      code,
      pending,
    };
  }

  /** Moves an open code block forward. True when it closed (and was committed). */
  private advanceFence(final: boolean): boolean {
    const f = this.fence!;
    const text = this.text;
    if (f.bodyStart < 0) {
      const eol = text.indexOf('\n', f.start);
      if (eol < 0) {
        if (final) return this.closeFence(text.length);
        return false;
      }
      f.bodyStart = eol + 1;
      f.scanFrom = f.bodyStart;
      f.frozenEnd = f.bodyStart;
    }
    // Scan the complete lines that arrived since the last flush for the closing fence.
    let lineStart = f.scanFrom;
    for (let eol = text.indexOf('\n', lineStart); eol >= 0; eol = text.indexOf('\n', lineStart)) {
      if (this.isClosing(text.slice(lineStart, eol), f.char, f.length)) return this.closeFence(eol + 1, lineStart);
      lineStart = eol + 1;
    }
    f.scanFrom = lineStart;
    const partial = text.slice(lineStart);
    if (final) {
      if (this.isClosing(partial, f.char, f.length)) return this.closeFence(text.length, lineStart);
      return this.closeFence(text.length, text.length);
    }
    // A last line that may become the closing fence is not shown yet.
    const shownEnd = /^ {0,3}[`~]*$/.test(partial) ? lineStart : text.length;
    this.freezeSegments(f, lineStart);
    f.pending.replaceChildren(this.markdown.highlight(text.slice(f.frozenEnd, shownEnd), f.lang));
    // The buttons take exactly what is shown so far.
    setFencedCode(f.pre, text.slice(f.bodyStart, shownEnd).replace(/\n$/, ''));
    return false;
  }

  /** Highlights finished stretches of the open block once and leaves them alone afterwards. */
  private freezeSegments(f: OpenFence, completeEnd: number): void {
    for (;;) {
      const body = this.text.slice(f.frozenEnd, completeEnd);
      const lines = body.split('\n');
      lines.pop(); // the part after the last newline is not a complete line
      if (lines.length < SEGMENT_MIN_LINES) return;
      // End the stretch at a blank line if there is one (highlighting state rarely spans those).
      let cut = -1;
      for (let i = Math.min(lines.length, SEGMENT_MAX_LINES) - 1; i >= SEGMENT_MIN_LINES - 1; i--) {
        if (!lines[i].trim()) {
          cut = i + 1;
          break;
        }
      }
      if (cut < 0) {
        if (lines.length < SEGMENT_MAX_LINES) return;
        cut = SEGMENT_MAX_LINES;
      }
      const segmentText = lines.slice(0, cut).join('\n') + '\n';
      const segment = this.doc.createElement('span');
      segment.className = 'code-segment';
      segment.append(this.markdown.highlight(segmentText, f.lang));
      f.pending.before(segment);
      f.frozenEnd += segmentText.length;
      f.frozenLines += cut;
    }
  }

  /** The block ends at `end`; `closingLine` is where its closing fence line starts. */
  private closeFence(end: number, closingLine = end): boolean {
    const f = this.fence!;
    this.fence = undefined;
    const bodyEnd = f.bodyStart < 0 ? end : Math.max(f.bodyStart, closingLine);
    const bodyLength = bodyEnd - Math.max(f.bodyStart, 0);
    const wrapper = this.doc.createElement('div');
    wrapper.className = 'md-block';
    if (bodyLength > REHIGHLIGHT_MAX_CHARS) {
      // Keep the streamed DOM: highlight the rest and stop there (no 100 ms hitch at the end).
      this.freezeSegments(f, bodyEnd);
      let rest = this.text.slice(f.frozenEnd, bodyEnd);
      if (rest.endsWith('\n')) rest = rest.slice(0, -1);
      f.pending.replaceChildren(this.markdown.highlight(rest, f.lang));
      setFencedCode(f.pre, this.text.slice(f.bodyStart, bodyEnd).replace(/\n$/, ''));
      f.block.classList.remove('streaming');
      wrapper.append(f.block);
    } else {
      wrapper.append(this.markdown.render(this.text.slice(f.start, end)));
      decorateCodeBlocks(wrapper);
    }
    this.tail.replaceChildren();
    this.tail.before(wrapper);
    this.committed = end;
    return true;
  }
}
