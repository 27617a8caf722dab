// Re-basing the indentation of generated code onto the place it goes. Pure.

import { indentColumns, indentString, isBlank, normalizeEol, type IndentStyle } from './text';

export interface IndentTarget {
  /** Whitespace that starts every line at the target (taken verbatim from the document). */
  indent: string;
  /** The editor's options for this document: tabs or spaces, and the tab width. */
  style: IndentStyle;
  /** False when the code replaces text that starts mid-line: the first line gets no indent. */
  firstLineIndented: boolean;
}

/**
 * The answer's indentation step, when its code is laid out in whole steps: the most common positive
 * increase between consecutive non-blank lines (unless another is as common), provided every
 * relative indent is a multiple of it.
 * Undefined when the code has alignment-style indents (continuation lines) or no nesting.
 */
export function indentStep(relative: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < relative.length; i++) {
    const delta = relative[i] - relative[i - 1];
    if (delta > 0) counts.set(delta, (counts.get(delta) ?? 0) + 1);
  }
  let step: number | undefined;
  let best = 0;
  let tied = false;
  for (const [delta, n] of counts) {
    if (n > best) {
      step = delta;
      best = n;
      tied = false;
    } else if (n === best) tied = true;
  }
  // A tie (say one step of 4 and one of 2) is ambiguous: better not to scale at all.
  if (step === undefined || tied || step < 2 || step > 8) return undefined;
  return relative.every((r) => r % step === 0) ? step : undefined;
}

/**
 * Moves code to the target: strips the code's own common indentation, converts the relative
 * indentation to the editor's tabs/spaces (and to its step width when the model used another step,
 * say 4 spaces in a 2-space file), and prefixes the target's indentation. Blank lines become empty.
 */
export function reindent(code: string, target: IndentTarget): string {
  const { style } = target;
  const lines = normalizeEol(code).split('\n');
  const contentLines = lines.map((l, i) => ({ line: l, i })).filter(({ line }) => !isBlank(line));
  if (contentLines.length === 0) return lines.map(() => '').join('\n');

  const cols = lines.map((l) => (isBlank(l) ? 0 : indentColumns(l, style.tabSize)));
  // A mid-line target's first line carries no meaningful indentation of its own.
  const measured = contentLines.filter(({ i }) => target.firstLineIndented || i > 0);
  const base = measured.length ? Math.min(...measured.map(({ i }) => cols[i])) : 0;
  const relative = measured.map(({ i }) => Math.max(0, cols[i] - base));
  const step = indentStep(relative);
  const scale = (r: number) => (step !== undefined && step !== style.tabSize ? (r / step) * style.tabSize : r);

  return lines
    .map((line, i) => {
      if (isBlank(line)) return '';
      const content = line.trimStart();
      if (i === 0 && !target.firstLineIndented) return content;
      return target.indent + indentString(scale(Math.max(0, cols[i] - base)), style) + content;
    })
    .join('\n');
}

/**
 * How a file indents, read from its text as VS Code's "detect indentation" does: tabs when more lines
 * start with a tab than with spaces, else the most common increase of leading spaces between
 * consecutive lines (2, 3, 4 or 8). Undefined when the text shows neither.
 */
export function detectIndentStyle(text: string, tabSize: number): IndentStyle | undefined {
  let tabs = 0;
  let spaced = 0;
  const counts = new Map<number, number>();
  let previous = 0;
  for (const line of normalizeEol(text).split('\n')) {
    if (isBlank(line)) continue;
    if (line.startsWith('\t')) tabs++;
    else if (line.startsWith(' ')) spaced++;
    if (line.startsWith('\t')) continue;
    const cols = line.length - line.trimStart().length;
    const delta = cols - previous;
    if (delta >= 2 && delta <= 8) counts.set(delta, (counts.get(delta) ?? 0) + 1);
    previous = cols;
  }
  if (tabs > spaced) return { insertSpaces: false, tabSize };
  let best: number | undefined;
  for (const [delta, n] of counts) if ([2, 3, 4, 8].includes(delta) && (best === undefined || n > (counts.get(best) ?? 0))) best = delta;
  return best === undefined ? undefined : { insertSpaces: true, tabSize: best };
}
