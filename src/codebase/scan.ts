// One pass over a file's lines that says, for each line, how deep it sits (bracket depth, or
// indentation for Python) and what it is (code, comment, attribute, blank, or the inside of a
// multi-line string). The chunker cuts only at code lines of the shallowest level of a range.

import type { Syntax } from './languages';

export type LineKind = 'code' | 'comment' | 'attr' | 'blank' | 'inside';

export interface LineInfo {
  kind: LineKind;
  /** Bracket depth after the line's leading closers, or indentation width for Python. */
  level: number;
}

interface State {
  depth: number;
  /** Open multi-line construct carried into the next line: a block comment or a string's quote. */
  open: '' | '*/' | string;
}

const OPENERS = '{([';
const CLOSERS = '})]';
const REGEX_BEFORE = '(,=:[!&|?{};+-*%<>~^';

export function scanLines(lines: readonly string[], syntax: Syntax): LineInfo[] {
  const state: State = { depth: 0, open: '' };
  const out: LineInfo[] = [];
  let continued = false;
  for (const line of lines) {
    const startsOpen = state.open;
    const depthBefore = state.depth;
    const leading = scanLine(line, syntax, state);
    const trimmed = line.trim();
    let kind: LineKind;
    if (startsOpen !== '') kind = startsOpen === '*/' ? 'comment' : 'inside';
    else if (trimmed === '') kind = 'blank';
    else if (syntax.indentation && (depthBefore > 0 || continued)) kind = 'inside';
    else if (isComment(trimmed, syntax)) kind = 'comment';
    else if (/^(?:@[A-Za-z_]|#!?\[)/.test(trimmed)) kind = 'attr';
    else kind = 'code';
    const level = syntax.indentation ? indentWidth(line) : Math.max(0, depthBefore - leading);
    out.push({ kind, level });
    continued = syntax.indentation && state.open === '' && trimmed.endsWith('\\');
  }
  return out;
}

function isComment(trimmed: string, syntax: Syntax): boolean {
  if (syntax.blockComments && trimmed.startsWith('/*')) return true;
  return syntax.lineComments.some((opener) => trimmed.startsWith(opener));
}

function indentWidth(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === ' ') width++;
    else if (c === '\t') width += 4;
    else break;
  }
  return width;
}

/** Updates the state across one line; returns how many closers the line starts with. */
function scanLine(line: string, syntax: Syntax, state: State): number {
  let i = 0;
  let leading = 0;
  let sawCode = false;
  const n = line.length;
  while (i < n) {
    if (state.open !== '') {
      i = closeOpen(line, i, syntax, state);
      continue;
    }
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (syntax.lineComments.some((opener) => line.startsWith(opener, i))) break;
    if (syntax.blockComments && c === '/' && line[i + 1] === '*') {
      state.open = '*/';
      i += 2;
      continue;
    }
    if (syntax.tripleQuotes && (line.startsWith('"""', i) || line.startsWith("'''", i))) {
      state.open = line.slice(i, i + 3);
      i += 3;
      sawCode = true;
      continue;
    }
    if (syntax.multilineQuotes.includes(c)) {
      state.open = c;
      i++;
      sawCode = true;
      continue;
    }
    if (syntax.quotes.includes(c)) {
      i = skipString(line, i + 1, c);
      sawCode = true;
      continue;
    }
    if (syntax.charLiterals && c === "'") {
      i = skipCharLiteral(line, i);
      sawCode = true;
      continue;
    }
    if (syntax.regexLiterals && c === '/' && startsRegex(line, i)) {
      i = skipRegex(line, i + 1);
      sawCode = true;
      continue;
    }
    if (OPENERS.includes(c)) state.depth++;
    else if (CLOSERS.includes(c)) {
      if (!sawCode) leading++;
      state.depth = Math.max(0, state.depth - 1);
    }
    if (!CLOSERS.includes(c)) sawCode = true;
    i++;
  }
  return leading;
}

/** Inside a block comment or a multi-line string: finds its end on this line, or consumes the line. */
function closeOpen(line: string, from: number, syntax: Syntax, state: State): number {
  const closer = state.open;
  // Go raw strings take backslashes literally; JavaScript templates and Rust strings escape.
  const escapes = closer !== '*/' && !(closer === '`' && !syntax.regexLiterals);
  for (let i = from; i < line.length; i++) {
    if (escapes && line[i] === '\\') {
      i++;
      continue;
    }
    if (line.startsWith(closer, i)) {
      state.open = '';
      return i + closer.length;
    }
  }
  return line.length;
}

function skipString(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === quote) return i + 1;
  }
  return line.length;
}

/** `'a'`, `'\n'`, `'\u{1F600}'` are skipped whole; a lone `'` (a Rust lifetime) is just passed. */
function skipCharLiteral(line: string, at: number): number {
  if (line[at + 1] === '\\') {
    const end = line.indexOf("'", at + 3);
    return end !== -1 && end - at <= 12 ? end + 1 : at + 1;
  }
  return line[at + 2] === "'" ? at + 3 : at + 1;
}

/** A `/` starts a regular expression after an operator, an opening bracket or a keyword. */
function startsRegex(line: string, at: number): boolean {
  const next = line[at + 1];
  if (next === '/' || next === '*') return false;
  let j = at - 1;
  while (j >= 0 && (line[j] === ' ' || line[j] === '\t')) j--;
  if (j < 0) return true;
  if (REGEX_BEFORE.includes(line[j])) return true;
  return /\b(?:return|typeof|case|in|of|void|yield|await)$/.test(line.slice(0, j + 1));
}

function skipRegex(line: string, from: number): number {
  let inClass = false;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i + 1;
  }
  // No closing slash on the line: it was a division after all; go on after the slash.
  return from;
}
