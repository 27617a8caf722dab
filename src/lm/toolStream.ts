// Streams a model's answer as text while holding back what may be a tool call written as text.
// Prose goes out as it arrives; a `<tool_call>` block, a `<function=…>` block, a fenced block or a
// JSON value at the start of a line is held until it is complete, then either kept as a call or
// let through as text. `<think>` reasoning is dropped (VS Code's stable API has no part for it).
// Pure: no `vscode`.

import { callsInTagBody, callsInValue, callsInXml, parseLenient, type FoundCall } from './toolCalls';

type Region = { kind: 'think' | 'tag' | 'function' | 'fence' | 'json'; start: number };

/** Markers that open a region; a JSON value only counts at the start of a line. */
const OPENERS: { kind: Region['kind']; re: RegExp }[] = [
  { kind: 'think', re: /<think>/ },
  { kind: 'tag', re: /<tool_call>/ },
  { kind: 'function', re: /<function=/ },
  { kind: 'fence', re: /(^|\n)[ \t]*```/ },
  { kind: 'json', re: /(^|\n)[ \t]*[{[]/ },
];

/** The longest suffix of `text` that could still grow into a marker: held back one more chunk. */
function partialMarker(text: string): number {
  const tail = text.slice(-12);
  for (const marker of ['<tool_call>', '<function=', '<think>', '```']) {
    for (let n = Math.min(marker.length - 1, tail.length); n > 0; n--) {
      if (tail.endsWith(marker.slice(0, n))) return n;
    }
  }
  return 0;
}

/** End of a balanced JSON value starting at `start` (string-aware), or -1 while it is open. */
function jsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export class ToolCallScanner {
  private text = '';
  /** Everything before this index has been decided (shown, dropped or kept as a call). */
  private cursor = 0;
  private readonly found: FoundCall[] = [];

  /** Adds a piece of the answer; returns the text that can be shown now. */
  push(piece: string): string {
    this.text += piece;
    return this.scan(false);
  }

  /** The answer ended: decides what is still held; returns the last text and every call found. */
  finish(): { text: string; found: FoundCall[] } {
    return { text: this.scan(true), found: this.found };
  }

  private scan(final: boolean): string {
    let out = '';
    for (;;) {
      const rest = this.text.slice(this.cursor);
      const next = this.nextRegion(rest);
      if (!next) {
        const hold = final ? 0 : partialMarker(rest);
        out += rest.slice(0, rest.length - hold);
        this.cursor += rest.length - hold;
        return out;
      }
      out += rest.slice(0, next.start);
      this.cursor += next.start;
      const end = this.regionEnd(next.kind, final);
      if (end < 0) return out; // still open: wait for more
      out += this.decide(next.kind, this.text.slice(this.cursor, end));
      this.cursor = end;
    }
  }

  /** The first region opener in `rest`, positioned at the marker itself (after any newline). */
  private nextRegion(rest: string): Region | undefined {
    let best: Region | undefined;
    for (const { kind, re } of OPENERS) {
      const m = re.exec(rest);
      if (!m) continue;
      const start = m.index + (m[1]?.length ?? 0);
      if (!best || start < best.start) best = { kind, start };
    }
    return best;
  }

  /** Where the region at the cursor ends; -1 while more text is needed (at the end: the text's end). */
  private regionEnd(kind: Region['kind'], final: boolean): number {
    const from = this.cursor;
    const t = this.text;
    const closeAfter = (close: string, skip: number): number => {
      const i = t.indexOf(close, from + skip);
      return i < 0 ? (final ? t.length : -1) : i + close.length;
    };
    switch (kind) {
      case 'think':
        return closeAfter('</think>', 7);
      case 'tag':
        return closeAfter('</tool_call>', 11);
      case 'function':
        return closeAfter('</function>', 10);
      case 'fence': {
        const open = t.indexOf('```', from);
        const lineEnd = t.indexOf('\n', open);
        if (lineEnd < 0) return final ? t.length : -1;
        const close = /(^|\n)[ \t]*```[ \t]*(\n|$)/.exec(t.slice(lineEnd));
        // A closing fence at the very end may still grow (```python…): wait unless the answer ended.
        if (!close || (!final && close.index + close[0].length === t.length - lineEnd && !close[2])) return final ? t.length : -1;
        return lineEnd + close.index + close[0].length;
      }
      case 'json': {
        const start = t.slice(from).search(/[{[]/) + from;
        const end = jsonEnd(t, start);
        return end < 0 ? (final ? t.length : -1) : end;
      }
    }
  }

  /** Keeps a region as calls (returns '') or gives its text back to be shown. */
  private decide(kind: Region['kind'], region: string): string {
    switch (kind) {
      case 'think':
        return '';
      case 'tag': {
        const body = region.replace(/^<tool_call>/, '').replace(/<\/tool_call>$/, '');
        this.found.push(...callsInTagBody(body, region));
        return '';
      }
      case 'function':
        this.found.push(...callsInXml(region, region));
        return '';
      case 'fence': {
        const body = /^[ \t]*```[\w-]*[^\n]*\n([\s\S]*?)(?:\n[ \t]*```[ \t]*\n?)?$/.exec(region)?.[1] ?? '';
        const calls = /^\s*[{[]/.test(body) ? callsInValue(parseLenient(body), region, false) : [];
        if (calls.length === 0) return region;
        this.found.push(...calls);
        return '';
      }
      case 'json': {
        const calls = callsInValue(parseLenient(region.trim()), region, false);
        if (calls.length === 0) return region;
        this.found.push(...calls);
        return '';
      }
    }
  }
}
