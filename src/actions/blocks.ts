// Which code an action works on when nothing is selected: the enclosing function or block, from the
// language's document symbols, else from indentation. Also the normalization of a selection. Pure.

import { indentColumns, isBlank } from './text';

export type SymbolKindName =
  | 'function'
  | 'method'
  | 'constructor'
  | 'class'
  | 'interface'
  | 'struct'
  | 'enum'
  | 'namespace'
  | 'variable'
  | 'other';

/** A document symbol as plain data (the glue converts vscode.DocumentSymbol). Lines are 0-based. */
export interface SymbolInfo {
  name: string;
  kind: SymbolKindName;
  startLine: number;
  endLine: number;
  /** The line of the symbol's name (the header), which can follow decorators. */
  nameLine: number;
  children: SymbolInfo[];
}

export interface LineBlock {
  /** First line of the block, including decorators/attributes above the header. */
  startLine: number;
  /** The line with the declaration itself (`def f(`, `function f(`, `fn f(`). */
  headerLine: number;
  /** Last line of the block, inclusive. */
  endLine: number;
  name?: string;
  functionLike: boolean;
}

const FUNCTION_KINDS: ReadonlySet<SymbolKindName> = new Set(['function', 'method', 'constructor']);
const TYPE_KINDS: ReadonlySet<SymbolKindName> = new Set(['class', 'interface', 'struct', 'enum']);

export type SymbolPreference = 'function' | 'functionOrType' | 'any';

/**
 * The innermost symbol around a line: a function-like one first; with 'functionOrType' a class or
 * struct next; with 'any' any multi-line symbol other than a namespace (e.g. `const f = () => {…}`).
 */
export function enclosingSymbol(symbols: readonly SymbolInfo[], line: number, prefer: SymbolPreference): SymbolInfo | undefined {
  const chain: SymbolInfo[] = [];
  let level: readonly SymbolInfo[] = symbols;
  for (;;) {
    const hit = level.find((s) => s.startLine <= line && line <= s.endLine);
    if (!hit) break;
    chain.push(hit);
    level = hit.children;
  }
  const innermost = (test: (s: SymbolInfo) => boolean) => [...chain].reverse().find(test);
  const fn = innermost((s) => FUNCTION_KINDS.has(s.kind) || (s.kind === 'variable' && s.endLine > s.startLine));
  if (fn) return fn;
  if (prefer === 'function') return undefined;
  const type = innermost((s) => TYPE_KINDS.has(s.kind));
  if (type) return type;
  if (prefer === 'functionOrType') return undefined;
  return innermost((s) => s.kind !== 'namespace' && s.endLine > s.startLine);
}

/** Words that start statements, never declarations. */
const CONTROL = new Set([
  'if', 'for', 'while', 'switch', 'catch', 'return', 'else', 'new', 'do', 'try', 'with', 'elif', 'except', 'match', 'when',
  'foreach', 'using', 'lock', 'sizeof', 'typeof', 'await', 'yield', 'throw', 'raise', 'case', 'assert', 'del', 'go', 'defer',
  'loop', 'select', 'finally', 'not', 'print', 'echo', 'delete',
]);

const NAME_PATTERNS: RegExp[] = [
  /^\s*(?:async\s+)?def\s+(\w+)/, // Python
  /\bfunction\s*\*?\s*([\w$]+)/, // JS/TS function
  /^\s*func\s+(?:\([^)]*\)\s*)?(\w+)/, // Go (methods too)
  /\bfn\s+(\w+)/, // Rust
  /^\s*(?:[\w@]+\s+)*fun\s+(?:<[^>]*>\s*)?(?:[\w.<>,? ]+?\.)?(\w+)/, // Kotlin (extension functions too)
  /^\s*(?:export\s+)?(?:const|let|var)\s+([\w$]+)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[\w$]+\s*=>)/, // arrow
  /^\s*(?:[\w$<>[\],.?*&:]+\s+)+\**(~?[\w$]+)\s*(?:<[^>]*>)?\s*\(/, // C-family: types/modifiers, then name(
  /^\s*(~?[\w$]+)\s*(?:<[^>]*>)?\s*\(.*\)\s*(?::\s*[^{]+)?\{\s*$/, // a JS/TS method without modifiers: name(…) {
  /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|struct|interface|enum|trait|impl|record)\s+(\w+)/, // types
];

/** The declared name on a header line, or undefined when the line declares nothing we know. */
export function declarationName(line: string): string | undefined {
  if (/^\s*(?:\/\/|#|\*|\/\*)/.test(line)) return undefined;
  if (CONTROL.has(/^\s*([\w$]+)/.exec(line)?.[1] ?? '')) return undefined;
  for (const re of NAME_PATTERNS) {
    const m = re.exec(line);
    if (m?.[1] && !CONTROL.has(m[1])) return m[1];
  }
  return undefined;
}

function isFunctionHeader(line: string): boolean {
  const name = declarationName(line);
  return name !== undefined && !/^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|struct|interface|enum|trait|impl|record)\b/.test(line);
}

/** Net brackets a line opens (positive) or closes (negative); strings are not parsed (a heuristic). */
function bracketBalance(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === '(' || ch === '[' || ch === '{') n++;
    else if (ch === ')' || ch === ']' || ch === '}') n--;
  }
  return n;
}

const ATTRIBUTE = /^\s*(?:@[\w.]+|#\[|\[[\w.]+(?:\(.*\))?\]\s*$)/;

/** The first line of a declaration whose header spans lines (`) {` closes a parameter list). */
function declarationStart(lines: readonly string[], header: number): number {
  let balance = bracketBalance(lines[header].replace(/[{:]\s*$/, ''));
  let line = header;
  while (balance < 0 && line > 0) {
    line--;
    balance += bracketBalance(lines[line]);
  }
  return line;
}

/** Decorators/attributes directly above a declaration (`@Input()`, `#[test]`, `[Fact]`), multi-line ones too. */
export function attributesStart(lines: readonly string[], header: number): number {
  let start = header;
  for (let i = header - 1; i >= 0; i--) {
    const t = lines[i];
    if (ATTRIBUTE.test(t)) {
      start = i;
      continue;
    }
    // The last line of a multi-line decorator: walk up to its `@` if the brackets balance there.
    if (/[)\]]\s*$/.test(t)) {
      let balance = bracketBalance(t);
      let j = i;
      while (balance < 0 && j > 0) {
        j--;
        balance += bracketBalance(lines[j]);
      }
      if (balance === 0 && ATTRIBUTE.test(lines[j])) {
        start = j;
        i = j;
        continue;
      }
    }
    break;
  }
  return start;
}

const CLOSER = /^\s*(?:[}\])]|end\b)/;

function nextNonBlank(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) if (!isBlank(lines[i])) return i;
  return -1;
}

/** Last line of the block a header opens: its deeper-indented body plus a closing line (`}`, `} else {` …). */
function blockEnd(lines: readonly string[], header: number, tabSize: number): number {
  const base = indentColumns(lines[header], tabSize);
  let end = header;
  let i = header + 1;
  for (;;) {
    while (i < lines.length && (isBlank(lines[i]) || indentColumns(lines[i], tabSize) > base)) {
      if (!isBlank(lines[i])) end = i;
      i++;
    }
    if (i < lines.length && indentColumns(lines[i], tabSize) === base && CLOSER.test(lines[i])) {
      end = i;
      // `} else {`, `} catch (e) {`: the chain continues with another body.
      if (/[{:]\s*$/.test(lines[i]) && i + 1 < lines.length) {
        i++;
        continue;
      }
    }
    return end;
  }
}

/** Whether a line opens an indented block: the next non-blank line is indented deeper. */
function opensBlock(lines: readonly string[], line: number, tabSize: number): boolean {
  const next = nextNonBlank(lines, line + 1);
  return next >= 0 && indentColumns(lines[next], tabSize) > indentColumns(lines[line], tabSize);
}

/**
 * The enclosing block by indentation, for languages or moments without a symbol provider: the
 * innermost enclosing function header when there is one, else the innermost enclosing block.
 */
export function enclosingBlockByIndent(lines: readonly string[], cursorLine: number, tabSize: number): LineBlock | undefined {
  if (lines.length === 0) return undefined;
  let line = Math.min(Math.max(0, cursorLine), lines.length - 1);
  // On a blank line, use the nearest code above (else below).
  if (isBlank(lines[line])) {
    let up = line;
    while (up >= 0 && isBlank(lines[up])) up--;
    line = up >= 0 ? up : nextNonBlank(lines, line);
    if (line < 0) return undefined;
  }
  // On a closing line (`}`), step into the body above it.
  if (CLOSER.test(lines[line]) && !/[{:]\s*$/.test(lines[line])) {
    const closing = indentColumns(lines[line], tabSize);
    for (let i = line - 1; i >= 0; i--) {
      if (isBlank(lines[i])) continue;
      if (indentColumns(lines[i], tabSize) > closing) line = i;
      break;
    }
  }

  const headers: number[] = [];
  // On a decorator line, the declaration below is meant.
  if (ATTRIBUTE.test(lines[line])) {
    for (let i = line + 1; i < lines.length && i < line + 20; i++) {
      if (isBlank(lines[i]) || ATTRIBUTE.test(lines[i])) continue;
      if (opensBlock(lines, i, tabSize)) headers.push(i);
      break;
    }
  }
  if (headers.length === 0 && opensBlock(lines, line, tabSize)) headers.push(line);
  let current = indentColumns(lines[headers[0] ?? line], tabSize);
  for (let i = (headers[0] ?? line) - 1; i >= 0 && current > 0; i--) {
    if (isBlank(lines[i])) continue;
    const cols = indentColumns(lines[i], tabSize);
    if (cols < current) {
      headers.push(i);
      current = cols;
    }
  }
  if (headers.length === 0) return undefined;

  const toBlock = (h: number): LineBlock => {
    // Allman style: a lone `{` belongs to the declaration on the line before it.
    let opener = h;
    if (lines[h].trim() === '{') {
      let prev = h - 1;
      while (prev >= 0 && isBlank(lines[prev])) prev--;
      if (prev >= 0) opener = prev;
    }
    const headerLine = declarationStart(lines, opener);
    const nameLine = declarationName(lines[headerLine]) !== undefined ? headerLine : opener;
    return {
      startLine: attributesStart(lines, headerLine),
      headerLine,
      endLine: blockEnd(lines, h, tabSize),
      name: declarationName(lines[nameLine]),
      functionLike: isFunctionHeader(lines[nameLine]),
    };
  };
  const blocks = headers.map(toBlock);
  return blocks.find((b) => b.functionLike) ?? blocks[0];
}

/** Turns a symbol into the block shape (adding decorators the provider's range may leave out). */
export function symbolBlock(lines: readonly string[], symbol: SymbolInfo): LineBlock {
  const headerLine = Math.max(symbol.startLine, Math.min(symbol.nameLine, symbol.endLine));
  return {
    startLine: Math.min(symbol.startLine, attributesStart(lines, symbol.startLine)),
    headerLine,
    endLine: symbol.endLine,
    name: symbol.name,
    functionLike: FUNCTION_KINDS.has(symbol.kind) || symbol.kind === 'variable',
  };
}

export interface LineRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

/**
 * A selection as the edit replaces it: one that spans lines becomes whole lines (from column 0 to the
 * end of its last line; a selection ending at column 0 stops at the line before); one inside a single
 * line stays as it is, except that a start within the indentation moves to column 0.
 */
export function normalizeSelection(sel: LineRange, lineText: (line: number) => string): LineRange {
  if (sel.startLine === sel.endLine) {
    const indent = /^[ \t]*/.exec(lineText(sel.startLine))?.[0].length ?? 0;
    return sel.startCharacter <= indent ? { ...sel, startCharacter: 0 } : sel;
  }
  let endLine = sel.endLine;
  if (sel.endCharacter === 0 && endLine > sel.startLine) endLine--;
  return { startLine: sel.startLine, startCharacter: 0, endLine, endCharacter: lineText(endLine).length };
}

/** Nests a flat symbol list (SymbolInformation) by containment, so the innermost can be found. */
export function nestSymbols(flat: readonly SymbolInfo[]): SymbolInfo[] {
  const sorted = [...flat].sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  const roots: SymbolInfo[] = [];
  const stack: SymbolInfo[] = [];
  for (const s of sorted) {
    const node: SymbolInfo = { ...s, children: [] };
    while (stack.length && !(stack[stack.length - 1].startLine <= node.startLine && node.endLine <= stack[stack.length - 1].endLine)) stack.pop();
    if (stack.length) stack[stack.length - 1].children.push(node);
    else roots.push(node);
    stack.push(node);
  }
  return roots;
}
