// One line or a block? A block where the user is clearly about to write one (an empty line after a
// block opener, an empty body, below a comment that describes what comes), a single line elsewhere.
// The setting `qwenLocal.completion.maxLines` can force either.

import type { CompletionLength } from './templates';

export type MaxLinesSetting = 'auto' | 'line' | 'block';

export interface MultilineInput {
  /** Text before the cursor (at least the few lines above it). */
  prefix: string;
  /** Text after the cursor (at least the rest of its line and the next lines). */
  suffix: string;
  languageId: string;
  setting: MaxLinesSetting;
}

/** Closing brackets and what usually trails them on a line (`});`, `),`, `]`). */
const ONLY_CLOSERS = /^[\s)\]}>;,'"`]*$/;

const LINE_COMMENT: Readonly<Record<string, string>> = {
  python: '#',
  ruby: '#',
  shellscript: '#',
  perl: '#',
  r: '#',
  yaml: '#',
  lua: '--',
  sql: '--',
  haskell: '--',
};

function lineCommentFor(languageId: string): string {
  return LINE_COMMENT[languageId] ?? '//';
}

/** Does a line open a block whose body starts on the next line? */
export function opensBlock(line: string, languageId: string): boolean {
  const code = stripTrailingComment(line, languageId).trimEnd();
  if (!code) return false;
  // `{`, `(` and `[` cover C-family bodies, calls and literals spread over lines; `=>` an arrow
  // function whose body comes next, `:` a Python block; `=` alone is left out (too often one line).
  if (languageId === 'python') return /[:{([]$/.test(code);
  return /[{([]$/.test(code) || /=>$/.test(code);
}

function stripTrailingComment(line: string, languageId: string): string {
  const marker = lineCommentFor(languageId);
  const at = line.indexOf(marker);
  // A marker inside a string would cut too early; good enough for "ends with an opener".
  return at >= 0 && !/['"`]/.test(line.slice(0, at)) ? line.slice(0, at) : line;
}

export function decideLength(input: MultilineInput): CompletionLength {
  const linePrefix = input.prefix.slice(input.prefix.lastIndexOf('\n') + 1);
  const newline = input.suffix.indexOf('\n');
  const lineSuffix = newline === -1 ? input.suffix : input.suffix.slice(0, newline);

  // Real text after the cursor: a multi-line insert would split that line.
  if (!ONLY_CLOSERS.test(lineSuffix)) return 'line';
  if (input.setting === 'line') return 'line';
  if (input.setting === 'block') return 'block';

  const comment = lineCommentFor(input.languageId);
  if (linePrefix.trimStart().startsWith(comment)) return 'line';

  // On an empty line: look at the line above.
  if (!linePrefix.trim()) {
    const above = lastNonBlankLine(input.prefix.slice(0, input.prefix.length - linePrefix.length));
    // An empty file: write away. The top of a non-empty one: a line (a header, an import).
    if (above === undefined) return input.suffix.trim() ? 'line' : 'block';
    if (opensBlock(above, input.languageId)) return 'block';
    // A comment line above describes what comes next, usually more than one line.
    if (above.trimStart().startsWith(comment) || /^\s*(\/\*\*?|\*|""")/.test(above)) return 'block';
    return 'line';
  }

  // At the end of a line that opens a block (`if (x) {|` or an empty body `{|}`).
  if (opensBlock(linePrefix, input.languageId)) return 'block';
  return 'line';
}

function lastNonBlankLine(text: string): string | undefined {
  let end = text.length;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.trim()) return line.replace(/\n$/, '');
    end = start - 1;
    if (end < 0) break;
  }
  return undefined;
}
