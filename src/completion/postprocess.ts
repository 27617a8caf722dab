// The clean-up of a model's raw answer before it becomes ghost text. Pure, one rule per function,
// applied in the order of `postprocess`. Each rule exists because of a failure seen in FIM output:
// leaked special tokens, markdown fences, repeating the code below the cursor, doubling the
// closing brackets the editor already inserted, indentation in the wrong style or level.

import { TEMPLATES, type CompletionLength } from './templates';
import { opensBlock } from './multiline';
import { closesFence, openingFence } from '../markdown/fences';

export interface Indentation {
  insertSpaces: boolean;
  tabSize: number;
}

export interface PostprocessContext {
  /** Text before the cursor (at least its line and a few above). */
  prefix: string;
  /** Text after the cursor (at least the rest of its line and a few below). */
  suffix: string;
  length: CompletionLength;
  languageId: string;
  indentation: Indentation;
  /** The template's stop strings; every family's special tokens are cut as well. */
  stops: readonly string[];
}

/**
 * Other families' special tokens that cannot be code (`<|…|>`, `<｜…｜>`, `<fim_…>`, `<file_sep>`):
 * a model sometimes emits another family's. Tokens that can be code (`</s>` in HTML, `<PRE>`,
 * `[INST]`) are cut only for their own family, through the template's stops.
 */
const FOREIGN_SPECIALS = [...new Set(Object.values(TEMPLATES).flatMap((t) => t.specialTokens))].filter((token) =>
  /[|｜]|^<(fim_|file_sep|repo_name)/.test(token),
);

const OPENERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

/** The text to insert at the cursor, or undefined when nothing is worth showing. */
export function postprocess(raw: string, ctx: PostprocessContext): string | undefined {
  let text = cutAtStop(raw, [...ctx.stops, ...FOREIGN_SPECIALS]);
  text = stripMarkdownFences(text, ctx.languageId);
  if (ctx.length === 'line') text = firstLine(text);
  text = stopAtRepeatedLines(text);
  if (isRepetitive(text)) return undefined;
  text = trimTrailingBlankLines(text);
  text = cutWhereSuffixRepeats(text, ctx);
  text = trimTrailingBlankLines(text);
  text = balanceAgainstLineSuffix(text, ctx);
  text = fixIndentation(text, ctx);
  return text.trim() ? text : undefined;
}

// ---- rule: stop strings and leaked special tokens ---------------------------------------------

/**
 * Cuts at the first stop string. Special tokens at the very start (a model echoing
 * `<|fim_middle|>`) are skipped first, or the cut would leave nothing.
 */
export function cutAtStop(text: string, stops: readonly string[]): string {
  let start = 0;
  for (;;) {
    const echoed = stops.find((stop) => stop && text.startsWith(stop, start) && !isEndToken(stop));
    if (!echoed) break;
    start += echoed.length;
  }
  let body = text.slice(start);
  let cut = body.length;
  for (const stop of stops) {
    if (!stop) continue;
    const at = body.indexOf(stop);
    if (at !== -1 && at < cut) cut = at;
  }
  body = body.slice(0, cut);
  return body;
}

/** Tokens that end a document: at the start they mean "nothing to insert", not noise. */
function isEndToken(token: string): boolean {
  return /endoftext|end▁of▁sentence|EOT|<\/s>|file_sep|im_end/.test(token);
}

// ---- rule: markdown fences -----------------------------------------------------------------

/** Drops an opening ```lang line and everything from a closing ``` line on (not in Markdown). */
export function stripMarkdownFences(text: string, languageId: string): string {
  if (languageId === 'markdown' || languageId === 'mdx') return text;
  let lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  // Only a complete opening line counts (a line follows it).
  const open = first >= 0 && first < lines.length - 1 ? openingFence(lines[first]) : undefined;
  if (open) lines = lines.slice(first + 1);
  // Without an opening fence, a stray closing one at any indentation still ends the code.
  const end = lines.findIndex((l) => closesFence(l, open ?? { char: '`', length: 3, indent: Infinity }));
  return (end === -1 ? lines : lines.slice(0, end)).join('\n');
}

// ---- rule: single line ------------------------------------------------------------------------

export function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline === -1 ? text : text.slice(0, newline);
}

// ---- rule: repetition -------------------------------------------------------------------------

/** A line that is only brackets and punctuation: legitimately repeated (`}` below `}`). */
function isTrivialLine(line: string): boolean {
  return /^[\s)\]};,]*$/.test(line);
}

/**
 * Cuts where the output starts repeating itself: a block of 1 to 6 lines immediately followed by
 * the same block again (a degenerate loop). Blocks of only closing brackets do not count.
 */
export function stopAtRepeatedLines(text: string): string {
  const lines = text.split('\n');
  const norm = lines.map((l) => l.trim());
  for (let at = 1; at < lines.length; at++) {
    for (let size = 1; size <= 6 && size <= at && at + size <= lines.length; size++) {
      let same = true;
      let meaningful = false;
      for (let i = 0; i < size && same; i++) {
        same = norm[at - size + i] === norm[at + i];
        if (!isTrivialLine(norm[at + i] as string)) meaningful = true;
      }
      if (same && meaningful) return lines.slice(0, at).join('\n');
    }
  }
  return text;
}

/** True for output that is one short unit over and over (`======`, `a, a, a, a, a`). */
export function isRepetitive(text: string): boolean {
  const compact = text.replace(/\s+/g, ' ').trim();
  if (compact.length < 10) return false;
  return /^(.{1,8}?)\1{4,}.{0,8}$/.test(compact);
}

// ---- rule: blank endings ---------------------------------------------------------------------

/** Removes trailing whitespace-only lines and trailing spaces; a leading newline stays. */
export function trimTrailingBlankLines(text: string): string {
  const lines = text.split('\n');
  while (lines.length > 1 && !(lines[lines.length - 1] as string).trim()) lines.pop();
  lines[lines.length - 1] = (lines[lines.length - 1] as string).trimEnd();
  return lines.join('\n');
}

// ---- rule: never repeat what follows the cursor ---------------------------------------------

/** Open minus close brackets, ignoring those inside simple string literals. */
function bracketDelta(line: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c in OPENERS) depth++;
    else if (CLOSERS.has(c)) depth--;
  }
  return depth;
}

/** The next non-blank lines after the cursor's line. */
function linesBelow(suffix: string, count: number): string[] {
  const newline = suffix.indexOf('\n');
  if (newline === -1) return [];
  return suffix
    .slice(newline + 1)
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, count);
}

/**
 * Cuts the output where it starts writing the code that already follows: a line equal to the
 * first non-blank line below the cursor. A line of only closing brackets counts only when it
 * would close something opened before the completion (not one of its own blocks).
 */
export function cutWhereSuffixRepeats(text: string, ctx: Pick<PostprocessContext, 'prefix' | 'suffix'>): string {
  const below = linesBelow(ctx.suffix, 1)[0]?.trim();
  if (!below) return text;
  const lines = text.split('\n');
  const linePrefix = ctx.prefix.slice(ctx.prefix.lastIndexOf('\n') + 1);
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    // The first line continues the cursor's line; it repeats the line below only if that line is empty.
    const whole = i === 0 ? linePrefix + line : line;
    // A closing-bracket line only repeats the one below when it closes something from before.
    if ((i > 0 || !linePrefix.trim()) && whole.trim() === below && (!isTrivialLine(below) || depth <= 0)) {
      return lines.slice(0, i).join('\n');
    }
    depth += bracketDelta(line);
  }
  return text;
}

/** Index of the first closing bracket in `text` that closes nothing opened inside `text`. */
export function firstUnmatchedCloser(text: string): number {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote || c === '\n') quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c in OPENERS) stack.push(OPENERS[c] as string);
    else if (CLOSERS.has(c)) {
      if (stack[stack.length - 1] === c) stack.pop();
      else return i;
    }
  }
  return -1;
}

/** Closing brackets in `text` that close nothing opened inside it. */
function countUnmatchedClosers(text: string): number {
  let count = 0;
  let rest = text;
  for (let at = firstUnmatchedCloser(rest); at !== -1; at = firstUnmatchedCloser(rest)) {
    count++;
    rest = rest.slice(at + 1);
  }
  return count;
}

/**
 * Balances the output's closing brackets against the rest of the cursor's line, so the line ends
 * up closed exactly once. The output is always inserted at the cursor (VS Code shows an item only
 * when the text it replaces is a prefix of it, so the line's own closers cannot be retyped):
 * - the line already has what the output closes with (`foo(|)` and `a, b)`): that ending goes;
 * - the output closes more than the line has (`foo(bar(|)` and `a, b));`): it keeps only the
 *   closers the line lacks (`a, b)`);
 * - the output ends by retyping the rest of the line (`= |foo;` and `await foo;`): that goes too,
 *   unless the brackets say it belongs (`bar(x)` before a `)` closes its own `(`).
 */
export function balanceAgainstLineSuffix(text: string, ctx: Pick<PostprocessContext, 'suffix'>): string {
  const newline = ctx.suffix.indexOf('\n');
  const rest = (newline === -1 ? ctx.suffix : ctx.suffix.slice(0, newline)).trim();
  if (!rest) return text;

  const unmatched = firstUnmatchedCloser(text);
  if (unmatched !== -1) {
    const tail = text.slice(unmatched).trimEnd();
    if (/^[)\]};,\s]*$/.test(tail)) {
      if (rest.startsWith(tail)) return text.slice(0, unmatched);
      const tailClosers = tail.replace(/[^)\]}]/g, '');
      const restClosers = rest.replace(/[^)\]}]/g, '');
      if (/^[)\]};,\s]*$/.test(rest) && restClosers && tailClosers.endsWith(restClosers)) {
        return text.slice(0, unmatched) + tailClosers.slice(0, tailClosers.length - restClosers.length);
      }
    }
  }
  if (text.length > rest.length && text.endsWith(rest) && countUnmatchedClosers(text) >= countUnmatchedClosers(rest)) {
    return text.slice(0, text.length - rest.length);
  }
  return text;
}

// ---- rule: indentation ------------------------------------------------------------------------

function columns(whitespace: string, tabSize: number): number {
  let width = 0;
  for (const c of whitespace) width = c === '\t' ? width + tabSize - (width % tabSize) : width + 1;
  return width;
}

function indentString(width: number, indentation: Indentation): string {
  if (indentation.insertSpaces) return ' '.repeat(width);
  return '\t'.repeat(Math.floor(width / indentation.tabSize)) + ' '.repeat(width % indentation.tabSize);
}

function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/**
 * Keeps the editor's indentation: tabs or spaces as the editor is set, and the current level. On
 * an indented empty line the model sometimes indents again; the first line is then brought back
 * to the level the line above implies, and the following lines are shifted by the same amount.
 */
export function fixIndentation(text: string, ctx: Pick<PostprocessContext, 'prefix' | 'languageId' | 'indentation'>): string {
  const { tabSize } = ctx.indentation;
  const lines = text.split('\n');
  const linePrefix = ctx.prefix.slice(ctx.prefix.lastIndexOf('\n') + 1);
  let shift = 0;

  const firstLead = leadingWhitespace(lines[0] as string);
  if (!linePrefix.trim() && linePrefix.length > 0 && firstLead.length > 0) {
    const beforeLine = ctx.prefix.slice(0, ctx.prefix.length - linePrefix.length);
    const above = beforeLine.replace(/\n+$/, '').split('\n').reverse().find((l) => l.trim());
    const expected =
      above === undefined ? 0 : columns(leadingWhitespace(above), tabSize) + (opensBlock(above, ctx.languageId) ? tabSize : 0);
    const cursorColumn = columns(linePrefix, tabSize);
    const total = cursorColumn + columns(firstLead, tabSize);
    if (total > expected) {
      const keep = Math.max(0, expected - cursorColumn);
      shift = columns(firstLead, tabSize) - keep;
      lines[0] = indentString(keep, ctx.indentation) + (lines[0] as string).slice(firstLead.length);
    }
  } else if (linePrefix.length === 0 && firstLead.length > 0) {
    // At column 0 the first line's indentation is all its own: give it the editor's style.
    lines[0] = indentString(columns(firstLead, tabSize), ctx.indentation) + (lines[0] as string).slice(firstLead.length);
  }

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    // Blank lines inside lose their spaces; a last whitespace-only line is the indentation the
    // text after the cursor (a closing bracket) will sit at, so it stays.
    if (!line.trim() && i < lines.length - 1) {
      lines[i] = '';
      continue;
    }
    const lead = leadingWhitespace(line);
    const width = columns(lead, tabSize);
    const shifted = width >= shift ? width - shift : width;
    lines[i] = indentString(shifted, ctx.indentation) + line.slice(lead.length);
  }
  return lines.join('\n');
}
