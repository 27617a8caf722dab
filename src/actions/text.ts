// Small pure helpers over text: line endings, offsets, indentation. No `vscode`.

export type Eol = '\n' | '\r\n';

/** The document's line ending: the first one found, else LF. */
export function detectEol(text: string): Eol {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** CRLF (and lone CR) to LF: everything the actions compute works on LF text. */
export function normalizeEol(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** LF text to the document's line ending. */
export function toEol(text: string, eol: Eol): string {
  const lf = normalizeEol(text);
  return eol === '\n' ? lf : lf.replace(/\n/g, '\r\n');
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Line/offset arithmetic over a snapshot, counting CRLF as two characters as VS Code does. */
export class LineIndex {
  readonly lines: string[];
  private readonly starts: number[];

  constructor(readonly text: string) {
    this.lines = [];
    this.starts = [];
    const re = /\r?\n/g;
    let start = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      this.starts.push(start);
      this.lines.push(text.slice(start, m.index));
      start = m.index + m[0].length;
    }
    this.starts.push(start);
    this.lines.push(text.slice(start));
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Offset of a line's start; lineCount gives the end of the text. */
  lineStart(line: number): number {
    if (line >= this.starts.length) return this.text.length;
    return this.starts[Math.max(0, line)];
  }

  /** Offset just after a line's last character (before its line break). */
  lineEnd(line: number): number {
    const l = Math.min(Math.max(0, line), this.lines.length - 1);
    return this.starts[l] + this.lines[l].length;
  }

  offsetAt(line: number, character: number): number {
    if (line >= this.lines.length) return this.text.length;
    return this.lineStart(line) + Math.min(character, this.lines[line].length);
  }

  positionAt(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(offset - this.starts[lo], this.lines[lo].length) };
  }
}

export interface IndentStyle {
  insertSpaces: boolean;
  tabSize: number;
}

export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/** The lines without blank lines at either end. */
export function trimBlankEdges(lines: string[]): string[] {
  let s = 0;
  let e = lines.length;
  while (s < e && isBlank(lines[s])) s++;
  while (e > s && isBlank(lines[e - 1])) e--;
  return lines.slice(s, e);
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** Visual width of leading whitespace: a tab advances to the next multiple of tabSize. */
export function indentColumns(line: string, tabSize: number): number {
  let cols = 0;
  for (const ch of leadingWhitespace(line)) cols = ch === '\t' ? cols + tabSize - (cols % tabSize) : cols + 1;
  return cols;
}

/** Whitespace of the given width in the editor's style (tabs, then spaces for a remainder). */
export function indentString(cols: number, style: IndentStyle): string {
  if (cols <= 0) return '';
  if (style.insertSpaces) return ' '.repeat(cols);
  return '\t'.repeat(Math.floor(cols / style.tabSize)) + ' '.repeat(cols % style.tabSize);
}

/** One indentation step in the editor's style. */
export function indentUnit(style: IndentStyle): string {
  return style.insertSpaces ? ' '.repeat(style.tabSize) : '\t';
}

/** Longest whitespace prefix shared by all non-blank lines. */
export function commonIndent(lines: readonly string[]): string {
  let common: string | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const ws = leadingWhitespace(line);
    if (common === undefined) {
      common = ws;
      continue;
    }
    let i = 0;
    while (i < common.length && i < ws.length && common[i] === ws[i]) i++;
    common = common.slice(0, i);
    if (!common) break;
  }
  return common ?? '';
}

/** Removes the shared indentation (for prompts: the model sees code at column 0). */
export function dedent(text: string): string {
  const lines = normalizeEol(text).split('\n');
  const common = commonIndent(lines);
  return lines.map((l) => (isBlank(l) ? '' : l.slice(common.length))).join('\n');
}

/** Token count for budgets: the extension's one estimate. */
export { estimateTokens } from '../tokens';

/** A fence longer than any backtick run inside the code, so the code cannot close it. */
export function fence(code: string, language = ''): string {
  let longest = 0;
  for (const m of code.matchAll(/`{3,}/g)) longest = Math.max(longest, m[0].length);
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${language}\n${code}\n${ticks}`;
}
