// Putting generated tests into their file: a new file, appended to an existing one (new imports go
// up with the others), inside the test class (Java/Kotlin), or into Rust's `mod tests`. Pure.

import type { TextReplacement } from './docstring';
import { detectIndentStyle, reindent } from './indent';
import type { TestLanguage } from './testPlan';
import { dedent, indentColumns, indentUnit, isBlank, leadingWhitespace, trimBlankEdges, LineIndex, normalizeEol, toEol, type Eol, type IndentStyle } from './text';

export type TestMode = 'create' | 'append' | 'rustModule' | 'rustNewModule';

const RUST_TESTS_MODULE = /^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+tests\s*\{/m;

/** How the tests get into their file. */
export function testMode(language: TestLanguage, targetExists: boolean, targetIsSource: boolean, targetText: string): TestMode {
  if (language === 'rust' && targetIsSource) return RUST_TESTS_MODULE.test(targetText) ? 'rustModule' : 'rustNewModule';
  return targetExists ? 'append' : 'create';
}

export interface ImportStatement {
  text: string;
  /** What makes two imports the same: a module specifier, a Go path, or the normalized statement. */
  key: string;
}

interface Split {
  imports: ImportStatement[];
  body: string[];
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function jsKey(stmt: string): string {
  const m = /\bfrom\s*(['"])([^'"]+)\1|^import\s*(['"])([^'"]+)\3|require\(\s*(['"])([^'"]+)\5\s*\)/.exec(stmt.trim());
  return m ? (m[2] ?? m[4] ?? m[6] ?? squash(stmt)) : squash(stmt);
}

function goSpecs(stmt: string): ImportStatement[] {
  const specs: ImportStatement[] = [];
  for (const m of stmt.matchAll(/^\s*(?:import\s+)?(?:(\w+|\.|_)\s+)?("[^"]+")\s*$/gm)) {
    specs.push({ text: m[1] ? `${m[1]} ${m[2]}` : m[2], key: m[2] });
  }
  return specs;
}

/** Reads one import statement starting at `i`, or undefined when line i starts none. Returns the end line. */
function readImport(lines: readonly string[], i: number, language: TestLanguage): { text: string; end: number } | undefined {
  const line = lines[i];
  const until = (done: (l: string) => boolean): { text: string; end: number } => {
    let end = i;
    while (end < lines.length - 1 && !done(lines[end])) end++;
    return { text: lines.slice(i, end + 1).join('\n'), end };
  };
  switch (language) {
    case 'js':
      if (/^import\s*(?:type\s+)?['"]/.test(line)) return { text: line, end: i };
      if (/^import\b/.test(line)) return until((l) => /\bfrom\s*['"][^'"]+['"]\s*;?\s*$/.test(l));
      if (/^(?:const|let|var)\s+[^=]+=\s*require\(\s*['"][^'"]+['"]\s*\)\s*;?\s*$/.test(line)) return { text: line, end: i };
      return undefined;
    case 'python':
      if (/^from\s+\S+\s+import\s*\(/.test(line)) return until((l) => l.includes(')'));
      if (/^(?:import|from)\s+\S+/.test(line)) return { text: line, end: i };
      return undefined;
    case 'go':
      if (/^import\s*\(/.test(line)) return until((l) => /^\s*\)/.test(l));
      if (/^import\s+/.test(line)) return { text: line, end: i };
      return undefined;
    case 'java':
    case 'kotlin':
      return /^import\s+/.test(line) ? { text: line, end: i } : undefined;
    case 'rust':
      return /^use\s+/.test(line) ? { text: line, end: i } : undefined;
  }
}

function toStatements(text: string, language: TestLanguage): ImportStatement[] {
  if (language === 'go') return goSpecs(text.replace(/^import\s*\(|\)\s*$/gm, ''));
  return [{ text, key: language === 'js' ? jsKey(text) : squash(text) }];
}

/** Splits generated code into its leading package/import lines and the rest. */
export function splitImports(code: string, language: TestLanguage): Split {
  const lines = dedent(code).split('\n');
  const imports: ImportStatement[] = [];
  let i = 0;
  while (i < lines.length) {
    if (isBlank(lines[i]) || /^package\s+[\w.]+;?\s*$/.test(lines[i])) {
      i++;
      continue;
    }
    const stmt = readImport(lines, i, language);
    if (!stmt) break;
    imports.push(...toStatements(stmt.text, language));
    i = stmt.end + 1;
  }
  return { imports, body: lines.slice(i) };
}

interface ExistingImports {
  keys: Set<string>;
  /** Line after which new imports go (-1: at the top). */
  afterLine: number;
  /** Go: the line of the `)` closing an import block, when there is one. */
  goBlockClose?: number;
}

function existingImports(lines: readonly string[], language: TestLanguage): ExistingImports {
  const keys = new Set<string>();
  let afterLine = -1;
  let goBlockClose: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (language !== 'js' && language !== 'python' && /^package\s+/.test(lines[i]) && afterLine < 0) afterLine = i;
    const stmt = readImport(lines, i, language);
    if (!stmt) continue;
    for (const s of toStatements(stmt.text, language)) keys.add(s.key);
    afterLine = stmt.end;
    if (language === 'go' && /^import\s*\(/.test(lines[i])) goBlockClose = stmt.end;
    i = stmt.end;
  }
  return { keys, afterLine, goBlockClose };
}

/** The members of a class/module the model wrapped its answer in (`class FooTest { … }`, `mod tests { … }`). */
function unwrap(body: string[], opener: RegExp): string[] {
  const start = body.findIndex((l) => opener.test(l));
  if (start < 0) return body;
  let end = body.length - 1;
  while (end > start && body[end].trim() !== '}') end--;
  if (end <= start) return body;
  return dedent(body.slice(start + 1, end).join('\n')).split('\n');
}

export interface TestsEditInput {
  mode: TestMode;
  language: TestLanguage;
  /** The target file's current text ('' for a new file). */
  existing: string;
  /** The code extracted from the answer (LF). */
  generated: string;
  eol: Eol;
  style: IndentStyle;
}

/**
 * The single replacement that puts the tests in place. Appending with new imports replaces from the
 * import position to the end, so one proposal shows both parts.
 */
export function testsEdit(input: TestsEditInput): TextReplacement {
  const { language, eol } = input;
  const existing = input.existing;
  // An existing file's own indentation wins over the editor's options.
  const style = (existing && detectIndentStyle(existing, input.style.tabSize)) || input.style;
  const index = new LineIndex(existing);
  const lines = index.lines;
  const generated = normalizeEol(input.generated);

  if (input.mode === 'create') {
    // The project's indentation (the answer's own steps are scaled to it).
    const text = reindent(trimBlankEdges(dedent(generated).split('\n')).join('\n'), { indent: '', style, firstLineIndented: true });
    return { start: 0, end: existing.length, text: toEol(text, eol) + eol };
  }

  if (input.mode === 'rustNewModule') {
    let body = trimBlankEdges(dedent(generated).split('\n'));
    if (!body.some((l) => /\bmod\s+tests\b/.test(l))) {
      const inner = reindent(body.join('\n'), { indent: indentUnit(style), style, firstLineIndented: true });
      const usesSuper = body.some((l) => /^\s*use\s+super::/.test(l));
      body = ['#[cfg(test)]', 'mod tests {', ...(usesSuper ? [] : [`${indentUnit(style)}use super::*;`, '']), ...inner.split('\n'), '}'];
    } else if (!body.some((l) => /#\[cfg\(test\)\]/.test(l))) {
      body = ['#[cfg(test)]', ...body];
    }
    const lead = existing.length === 0 ? '' : /\n\s*$/.test(existing) ? (/\n\s*\n\s*$/.test(existing) ? '' : eol) : eol + eol;
    return { start: existing.length, end: existing.length, text: lead + toEol(body.join('\n'), eol) + eol };
  }

  if (input.mode === 'rustModule') {
    const modLine = lines.findIndex((l) => /^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+tests\s*\{/.test(l));
    const modCols = indentColumns(lines[modLine], style.tabSize);
    let close = modLine + 1;
    while (close < lines.length && !(lines[close].trim().startsWith('}') && indentColumns(lines[close], style.tabSize) === modCols)) close++;
    const body = trimBlankEdges(unwrap(dedent(generated).split('\n'), /^\s*(?:pub\s+)?mod\s+tests\b/));
    const present = new Set(lines.slice(modLine, close).map((l) => l.trim()));
    const kept = body.filter((l) => !(/^\s*use\s+/.test(l) && present.has(l.trim())));
    const inner = reindent(trimBlankEdges(kept).join('\n'), { indent: leadingWhitespace(lines[modLine]) + indentUnit(style), style, firstLineIndented: true });
    const at = index.lineStart(Math.min(close, lines.length));
    const needsBreak = at === existing.length && existing.length > 0 && !existing.endsWith('\n');
    return { start: at, end: at, text: (needsBreak ? eol : '') + eol + toEol(inner, eol) + eol };
  }

  // Appending to an existing test file.
  const split = splitImports(generated, language);
  const have = existingImports(lines, language);
  const missing = split.imports.filter((imp, i, all) => !have.keys.has(imp.key) && all.findIndex((o) => o.key === imp.key) === i);

  let body = trimBlankEdges(split.body);
  let bodyAt = existing.length;
  let bodyText: string;
  if (language === 'java' || language === 'kotlin') {
    body = trimBlankEdges(unwrap(body, /^\s*(?:(?:public|internal|private|final|open|abstract)\s+)*class\s+\w+/));
    let close = lines.length - 1;
    while (close >= 0 && lines[close].trim() !== '}') close--;
    const annotated = lines.find((l) => /^\s+@(?:Test|ParameterizedTest)\b/.test(l) || /^\s+(?:public\s+|private\s+)?(?:void|fun)\s+\w+\s*\(/.test(l));
    const memberIndent = annotated ? leadingWhitespace(annotated) : indentUnit(style);
    const inner = reindent(body.join('\n'), { indent: memberIndent, style, firstLineIndented: true });
    if (close >= 0) bodyAt = index.lineStart(close);
    bodyText = eol + toEol(inner, eol) + eol;
  } else {
    const gap = existing.length === 0 ? '' : existing.endsWith('\n') ? eol : eol + eol;
    const inner = reindent(dedent(body.join('\n')), { indent: '', style, firstLineIndented: true });
    bodyText = gap + toEol(inner, eol) + eol;
  }

  if (missing.length === 0) return { start: bodyAt, end: bodyAt, text: bodyText };

  let importAt: number;
  let importText: string;
  if (language === 'go') {
    if (have.goBlockClose !== undefined) {
      importAt = index.lineStart(have.goBlockClose);
      importText = missing.map((m) => `\t${m.text}${eol}`).join('');
    } else {
      importAt = index.lineStart(have.afterLine + 1);
      importText =
        have.keys.size > 0
          ? missing.map((m) => `import ${m.text}${eol}`).join('')
          : `${eol}import (${eol}${missing.map((m) => `\t${m.text}${eol}`).join('')})${eol}`;
    }
  } else {
    importAt = index.lineStart(have.afterLine + 1);
    importText = missing.map((m) => toEol(m.text, eol) + eol).join('');
    // The last import is the file's last line, without a line break.
    if (have.afterLine + 1 >= index.lineCount && existing.length > 0 && !existing.endsWith('\n')) importText = eol + importText.slice(0, -eol.length);
    // A file without imports: keep a blank line between the new imports and what was at the top.
    if (have.afterLine < 0 && existing.length > 0) importText += eol;
  }
  if (importAt > bodyAt) importAt = bodyAt;
  return { start: importAt, end: existing.length, text: importText + existing.slice(importAt, bodyAt) + bodyText + existing.slice(bodyAt) };
}
