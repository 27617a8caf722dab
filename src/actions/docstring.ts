// Doc comment conventions per language, where a doc comment goes, and shaping the model's answer into
// one. Pure.

import { attributesStart } from './blocks';
import { extractCode } from './extract';
import { commonIndent, indentColumns, indentUnit, isBlank, leadingWhitespace, trimBlankEdges, LineIndex, normalizeEol, toEol, type Eol, type IndentStyle } from './text';

export type DocShape = 'block' | 'line' | 'python';

export interface DocConvention {
  /** What the prompt calls it. */
  label: string;
  shape: DocShape;
  /** For line-comment conventions: the prefix of every line. */
  linePrefix?: string;
  /** Above the declaration, or inside the body under the header (Python). */
  placement: 'above' | 'inside';
  /** What to put in it, for the prompt. */
  guidance: string;
  /** A small example at column 0, for the prompt. */
  example: string;
}

const JSDOC: DocConvention = {
  label: 'JSDoc comment',
  shape: 'block',
  placement: 'above',
  guidance: 'A one-sentence summary, then @param for each parameter, @returns when it returns a value, @throws when it throws. No types in braces for TypeScript (the signature has them).',
  example: '/**\n * Adds two numbers.\n * @param a The first number.\n * @param b The second number.\n * @returns The sum.\n */',
};

const CONVENTIONS: Record<string, DocConvention> = {
  typescript: JSDOC,
  typescriptreact: JSDOC,
  javascript: { ...JSDOC, guidance: 'A one-sentence summary, then @param {type} name for each parameter, @returns {type} when it returns a value, @throws when it throws.' },
  javascriptreact: { ...JSDOC, guidance: 'A one-sentence summary, then @param {type} name for each parameter, @returns {type} when it returns a value.' },
  python: {
    label: 'Python docstring (PEP 257, Google style)',
    shape: 'python',
    placement: 'inside',
    guidance: 'A triple-quoted docstring: a one-line summary ending with a period, a blank line, then Args:, Returns: and Raises: sections as needed.',
    example: '"""Add two numbers.\n\nArgs:\n    a: The first number.\n    b: The second number.\n\nReturns:\n    The sum of a and b.\n"""',
  },
  go: {
    label: 'Go doc comment',
    shape: 'line',
    linePrefix: '//',
    placement: 'above',
    guidance: 'Line comments starting with the name of the function as the first word, in full sentences ("Add returns …").',
    example: '// Add returns the sum of a and b.',
  },
  rust: {
    label: 'Rust doc comment (///)',
    shape: 'line',
    linePrefix: '///',
    placement: 'above',
    guidance: 'A one-line summary, then # Arguments, # Returns, # Errors or # Panics sections in Markdown when they apply.',
    example: '/// Adds two numbers.\n///\n/// # Arguments\n///\n/// * `a` - The first number.\n/// * `b` - The second number.',
  },
  java: {
    label: 'Javadoc comment',
    shape: 'block',
    placement: 'above',
    guidance: 'A summary sentence, then @param for each parameter, @return for a return value, @throws for exceptions.',
    example: '/**\n * Adds two numbers.\n *\n * @param a the first number\n * @param b the second number\n * @return the sum\n */',
  },
  csharp: {
    label: 'C# XML documentation comment (///)',
    shape: 'line',
    linePrefix: '///',
    placement: 'above',
    guidance: 'A <summary> element, a <param name="…"> element for each parameter, <returns> for a return value, <exception cref="…"> for exceptions.',
    example: '/// <summary>\n/// Adds two numbers.\n/// </summary>\n/// <param name="a">The first number.</param>\n/// <param name="b">The second number.</param>\n/// <returns>The sum.</returns>',
  },
  c: {
    label: 'Doxygen comment',
    shape: 'block',
    placement: 'above',
    guidance: 'A @brief summary, @param for each parameter (with [in]/[out] when useful), @return for a return value.',
    example: '/**\n * @brief Adds two numbers.\n * @param a The first number.\n * @param b The second number.\n * @return The sum.\n */',
  },
  php: {
    label: 'PHPDoc comment',
    shape: 'block',
    placement: 'above',
    guidance: 'A summary, then @param type $name for each parameter, @return type, @throws when it throws.',
    example: '/**\n * Adds two numbers.\n *\n * @param int $a The first number.\n * @param int $b The second number.\n * @return int The sum.\n */',
  },
  kotlin: {
    label: 'KDoc comment',
    shape: 'block',
    placement: 'above',
    guidance: 'A summary, then @param for each parameter, @return for a return value, @throws when it throws (KDoc uses Markdown).',
    example: '/**\n * Adds two numbers.\n *\n * @param a the first number.\n * @param b the second number.\n * @return the sum.\n */',
  },
  scala: {
    label: 'Scaladoc comment',
    shape: 'block',
    placement: 'above',
    guidance: 'A summary, then @param for each parameter and @return for a return value.',
    example: '/** Adds two numbers.\n *\n * @param a the first number\n * @param b the second number\n * @return the sum\n */',
  },
  swift: {
    label: 'Swift documentation comment (///)',
    shape: 'line',
    linePrefix: '///',
    placement: 'above',
    guidance: 'A summary line, then - Parameters:, - Returns: and - Throws: entries.',
    example: '/// Adds two numbers.\n///\n/// - Parameters:\n///   - a: The first number.\n///   - b: The second number.\n/// - Returns: The sum.',
  },
  dart: {
    label: 'Dart doc comment (///)',
    shape: 'line',
    linePrefix: '///',
    placement: 'above',
    guidance: 'A one-sentence summary, then paragraphs; refer to parameters in [brackets].',
    example: '/// Returns the sum of [a] and [b].',
  },
  ruby: {
    label: 'YARD comment',
    shape: 'line',
    linePrefix: '#',
    placement: 'above',
    guidance: 'A summary, then @param [Type] name description, @return [Type] description.',
    example: '# Adds two numbers.\n#\n# @param a [Integer] the first number\n# @param b [Integer] the second number\n# @return [Integer] the sum',
  },
};
CONVENTIONS.cpp = CONVENTIONS.c;
CONVENTIONS['objective-c'] = CONVENTIONS.c;
CONVENTIONS['objective-cpp'] = CONVENTIONS.c;
CONVENTIONS.cuda = CONVENTIONS.c;

/** The doc comment convention of a VS Code language id, or undefined when we know none. */
export function docConvention(languageId: string): DocConvention | undefined {
  return CONVENTIONS[languageId];
}

export function supportedDocLanguages(): string[] {
  return Object.keys(CONVENTIONS).sort();
}

/** Where the doc comment goes: lines [startLine, endLine) are replaced (equal: an insertion before startLine). */
export interface DocPlacement {
  startLine: number;
  endLine: number;
  indent: string;
  /** True when an existing doc comment is replaced. */
  replacesExisting: boolean;
}

export type PlacementResult = { ok: true; placement: DocPlacement } | { ok: false; reason: string };

const GO_DIRECTIVE = /^\s*\/\/(?:go:|nolint|export\b|line\b)/;

function existingAbove(lines: readonly string[], at: number, conv: DocConvention): number {
  const above = at - 1;
  if (above < 0) return at;
  const t = lines[above].trim();
  if (conv.shape === 'block') {
    if (t.endsWith('*/')) {
      for (let i = above; i >= 0 && i > above - 400; i--) {
        const s = lines[i].trim();
        if (s.startsWith('/*')) return s.startsWith('/**') || s.startsWith('/*!') ? i : at;
      }
      return at;
    }
    // Doxygen also accepts `///` runs.
    if (conv === CONVENTIONS.c && t.startsWith('///')) {
      let i = above;
      while (i - 1 >= 0 && lines[i - 1].trim().startsWith('///')) i--;
      return i;
    }
    return at;
  }
  const prefix = conv.linePrefix ?? '//';
  const isDocLine = (line: string) => {
    const s = line.trim();
    if (!s.startsWith(prefix) || GO_DIRECTIVE.test(line)) return false;
    // `//` must not swallow `///` or `//!` of other conventions, and `#` must not swallow `#[` or `#!`.
    const rest = s.slice(prefix.length);
    return prefix === '#' ? !/^[[!]/.test(rest) : true;
  };
  let i = at;
  while (i - 1 >= 0 && isDocLine(lines[i - 1])) i--;
  return i;
}

/** Finds the end of a Python signature (`def f(\n a,\n b):`) and returns its last line, or undefined for one-liners. */
function pythonSignatureEnd(lines: readonly string[], header: number): number | undefined {
  let balance = 0;
  for (let i = header; i < lines.length && i < header + 60; i++) {
    const code = lines[i].replace(/#.*$/, '').trimEnd();
    for (const ch of code) {
      if ('([{'.includes(ch)) balance++;
      else if (')]}'.includes(ch)) balance--;
    }
    if (balance <= 0) return code.endsWith(':') ? i : undefined;
  }
  return undefined;
}

const PY_DOC_OPEN = /^\s*[rRuUbB]{0,2}("""|''')/;

/**
 * Where the doc comment of the declaration at `headerLine` goes. Above-conventions go above its
 * decorators/attributes (replacing a doc comment already there); Python goes under the signature,
 * indented like the body (replacing an existing docstring).
 */
export function findDocPlacement(lines: readonly string[], headerLine: number, conv: DocConvention, style: IndentStyle): PlacementResult {
  if (headerLine < 0 || headerLine >= lines.length) return { ok: false, reason: 'No declaration at the cursor.' };
  if (conv.placement === 'above') {
    let at = attributesStart(lines, headerLine);
    if (conv.linePrefix === '//') while (at - 1 >= 0 && GO_DIRECTIVE.test(lines[at - 1])) at--;
    const start = existingAbove(lines, at, conv);
    return { ok: true, placement: { startLine: start, endLine: at, indent: leadingWhitespace(lines[headerLine]), replacesExisting: start < at } };
  }
  const sigEnd = pythonSignatureEnd(lines, headerLine);
  if (sigEnd === undefined) {
    return { ok: false, reason: 'The function is written on one line; put its body on its own line first.' };
  }
  const headerCols = indentColumns(lines[headerLine], style.tabSize);
  let body = sigEnd + 1;
  while (body < lines.length && isBlank(lines[body])) body++;
  const bodyIndented = body < lines.length && indentColumns(lines[body], style.tabSize) > headerCols;
  const indent = bodyIndented ? leadingWhitespace(lines[body]) : leadingWhitespace(lines[headerLine]) + indentUnit(style);
  if (bodyIndented && PY_DOC_OPEN.test(lines[body])) {
    const m = PY_DOC_OPEN.exec(lines[body]);
    const quote = m ? m[1] : '"""';
    const afterOpen = lines[body].slice((m?.index ?? 0) + (m?.[0].length ?? 0));
    let end = body;
    if (!afterOpen.includes(quote)) {
      end = body + 1;
      while (end < lines.length && !lines[end].includes(quote)) end++;
      if (end >= lines.length) return { ok: false, reason: 'The existing docstring is not closed.' };
    }
    return { ok: true, placement: { startLine: body, endLine: end + 1, indent, replacesExisting: true } };
  }
  return { ok: true, placement: { startLine: sigEnd + 1, endLine: sigEnd + 1, indent, replacesExisting: false } };
}

function lowerFirst(text: string): string {
  // "Returns" → "returns", but "URL" stays.
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function shapeBlock(lines: string[]): string[] | undefined {
  const start = lines.findIndex((l) => /^\s*\/\*/.test(l));
  if (start < 0) return undefined;
  let end = start;
  while (end < lines.length && !lines[end].includes('*/')) end++;
  const taken = lines.slice(start, Math.min(end, lines.length - 1) + 1).map((l) => l.trim());
  if (end >= lines.length) taken.push('*/'); // unterminated: close it
  if (taken.length === 1) return [taken[0].replace(/^\/\*(?!\*)/, '/**')];
  return taken
    .map((t, i) => {
      if (i === 0) return t.replace(/^\/\*(?![*!])/, '/**');
      if (i === taken.length - 1) {
        // " * @return the sum */" → the content, then the closing on its own line.
        const before = t.slice(0, Math.max(0, t.indexOf('*/'))).replace(/^\*/, '').trim();
        return before ? ` * ${before}\n */` : ' */';
      }
      if (t.startsWith('*')) return ` ${t}`;
      return t ? ` * ${t}` : ' *';
    })
    .join('\n')
    .split('\n');
}

function shapeLines(lines: string[], prefix: string): string[] | undefined {
  const start = lines.findIndex((l) => l.trim().startsWith(prefix));
  if (start < 0) return undefined;
  const taken: string[] = [];
  for (let i = start; i < lines.length && lines[i].trim().startsWith(prefix); i++) taken.push(lines[i].trim());
  return taken;
}

function shapePython(lines: string[]): string[] | undefined {
  const start = lines.findIndex((l) => PY_DOC_OPEN.test(l));
  if (start < 0) return undefined;
  const m = PY_DOC_OPEN.exec(lines[start]);
  const quote = m ? m[1] : '"""';
  const rest = lines[start].slice((m?.index ?? 0) + (m?.[0].length ?? 0));
  let end = start;
  if (!rest.includes(quote)) {
    end = start + 1;
    while (end < lines.length && !lines[end].includes(quote)) end++;
  }
  const taken = lines.slice(start, Math.min(end, lines.length - 1) + 1);
  if (end >= lines.length) taken.push(leadingWhitespace(lines[start]) + quote);
  // PEP 257: continuation lines align with the opening quotes, wherever the model put those.
  const common = commonIndent(taken.slice(1));
  return taken.map((l, i) => (isBlank(l) ? '' : i === 0 ? l.trimStart() : l.slice(common.length)));
}

/**
 * The doc comment in the model's answer, normalized for the convention and at column 0 (LF):
 * the comment is taken from the answer even when the model repeated the code; plain prose is wrapped
 * in the convention. Undefined when the answer holds no comment (e.g. only code).
 */
export function normalizeDocComment(answer: string, conv: DocConvention, name?: string, final = true): string | undefined {
  const code = extractCode(answer, final);
  const lines = normalizeEol(code).split('\n');
  let shaped: string[] | undefined;
  if (conv.shape === 'block') shaped = shapeBlock(lines);
  else if (conv.shape === 'python') shaped = shapePython(lines);
  else shaped = shapeLines(lines, conv.linePrefix ?? '//');

  if (!shaped) {
    const prose = trimBlankEdges(lines.map((l) => l.trim()));
    if (prose.length === 0) return undefined;
    // Code without a comment is not a doc comment.
    if (prose.some((l) => /[{};]\s*$|^\s*(?:def|function|func|fn|class|public|private|return)\b/.test(l))) return undefined;
    if (conv.shape === 'block') shaped = ['/**', ...prose.map((l) => (l ? ` * ${l}` : ' *')), ' */'];
    else if (conv.shape === 'python') shaped = prose.length === 1 ? [`"""${prose[0]}"""`] : [`"""${prose[0]}`, ...prose.slice(1), '"""'];
    else {
      const p = conv.linePrefix ?? '//';
      const body = conv === CONVENTIONS.csharp && !prose.some((l) => l.startsWith('<')) ? ['<summary>', ...prose, '</summary>'] : prose;
      shaped = body.map((l) => (l ? `${p} ${l}` : p));
    }
  }

  if (conv === CONVENTIONS.go && name && shaped.length > 0) {
    const first = shaped[0].replace(/^\/\/\s?/, '');
    const startsWithName = new RegExp(`^(?:(?:A|An|The)\\s+)?${name.replace(/[$]/g, '\\$')}\\b`).test(first);
    if (!startsWithName && first) shaped[0] = `// ${name} ${lowerFirst(first)}`;
  }
  return shaped.join('\n');
}

export interface TextReplacement {
  start: number;
  end: number;
  text: string;
}

/** The offsets a placement replaces: whole lines [startLine, endLine), line breaks included. */
export function placementRange(documentText: string, placement: DocPlacement): { start: number; end: number } {
  const index = new LineIndex(documentText);
  return { start: index.lineStart(placement.startLine), end: index.lineStart(placement.endLine) };
}

/** The edit that puts a normalized comment at its placement, in the document's line endings. */
export function docCommentEdit(documentText: string, placement: DocPlacement, comment: string, eol: Eol): TextReplacement {
  const { start, end } = placementRange(documentText, placement);
  const body = comment
    .split('\n')
    .map((l) => (l ? placement.indent + l : ''))
    .join('\n');
  // Replacing up to the end of a file without a final line break: keep it without one.
  const lastLine = end === documentText.length && !/\n$/.test(documentText) && end > start;
  return { start, end, text: toEol(body, eol) + (lastLine ? '' : eol) };
}
