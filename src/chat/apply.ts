// Where a code block from an answer goes when the user clicks "Apply to File". Pure.
//
// The result is only a proposal: the adapter shows it in a diff editor and changes the file only
// when the user accepts. In order:
//   1. The block rewrites a unique part of the file: its first line matches exactly one line of the
//      file (ignoring indentation) and its last line closes that part → that part is replaced,
//      re-indented to where it sits.
//   2. Something is selected → the selection is replaced.
//   3. The block looks like the whole file (the file is empty, or the block is at least 60% of its
//      length and shares its first line) → the whole file is replaced.
//   4. Otherwise → inserted at the cursor.

export interface ApplyInput {
  fileText: string;
  code: string;
  /** Offsets into fileText; equal when nothing is selected. */
  selectionStart: number;
  selectionEnd: number;
}

export interface ApplyPlan {
  kind: 'replaceRange' | 'replaceSelection' | 'replaceFile' | 'insert';
  /** Offsets into the original text. */
  start: number;
  end: number;
  text: string;
  /** The whole file after the change (what the diff shows on the right). */
  result: string;
}

const FILE_PATH_COMMENT = /^\s*(\/\/|#|--|<!--|\/\*)\s*(file(path)?|path)\s*:\s*\S+.*$/i;

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** The block without a "// filepath: …" first line and without trailing blank lines. */
export function cleanBlock(code: string): string {
  const lines = code.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 1 && FILE_PATH_COMMENT.test(lines[0])) lines.shift();
  while (lines.length > 0 && !lines[lines.length - 1].trim()) lines.pop();
  return lines.join('\n');
}

/** Shifts every line of `code` so its first line starts at `target` indentation. */
function reindent(code: string, target: string): string {
  const lines = code.split('\n');
  const own = indentOf(lines[0]);
  if (own === target) return code;
  return lines
    .map((line) => {
      if (!line.trim()) return '';
      if (line.startsWith(own)) return target + line.slice(own.length);
      return target + line.trimStart();
    })
    .join('\n');
}

function plan(kind: ApplyPlan['kind'], fileText: string, start: number, end: number, text: string): ApplyPlan {
  return { kind, start, end, text, result: fileText.slice(0, start) + text + fileText.slice(end) };
}

/** Finds the part of the file the block rewrites (rule 1), as line indexes. */
function anchoredRange(fileLines: string[], codeLines: string[]): { first: number; last: number } | undefined {
  const firstCode = codeLines.find((l) => l.trim())?.trim();
  const lastCode = [...codeLines].reverse().find((l) => l.trim())?.trim();
  if (!firstCode || !lastCode || firstCode.length < 6 || codeLines.length < 2) return undefined;
  const matches = fileLines.flatMap((l, i) => (l.trim() === firstCode ? [i] : []));
  if (matches.length !== 1) return undefined;
  const first = matches[0];
  const indent = indentOf(fileLines[first]);
  // The closing line at the same indentation (a brace, `end`, a tag) …
  for (let i = first + 1; i < fileLines.length; i++) {
    if (fileLines[i].trim() === lastCode && indentOf(fileLines[i]) === indent) return { first, last: i };
    // … which must come before the part ends (a non-blank line indented less than its start).
    if (fileLines[i].trim() && indentOf(fileLines[i]).length < indent.length) break;
  }
  // Indentation-delimited languages (Python): the part runs until a line indented no deeper than its start.
  let last = first;
  for (let i = first + 1; i < fileLines.length; i++) {
    const line = fileLines[i];
    if (!line.trim()) continue;
    if (indentOf(line).length <= indent.length) break;
    last = i;
  }
  return last > first ? { first, last } : undefined;
}

export function planApply(input: ApplyInput): ApplyPlan {
  const fileText = input.fileText;
  const code = cleanBlock(input.code);
  const fileLines = fileText.split('\n');
  const codeLines = code.split('\n');
  const starts = lineStarts(fileText);

  const anchored = anchoredRange(fileLines, codeLines);
  if (anchored) {
    const start = starts[anchored.first];
    const end = starts[anchored.last] + fileLines[anchored.last].length;
    return plan('replaceRange', fileText, start, end, reindent(code, indentOf(fileLines[anchored.first])));
  }

  if (input.selectionEnd > input.selectionStart) {
    return plan('replaceSelection', fileText, input.selectionStart, input.selectionEnd, code);
  }

  const firstFile = fileLines.find((l) => l.trim())?.trim();
  const firstCode = codeLines.find((l) => l.trim())?.trim();
  const looksWhole = !fileText.trim() || (code.length >= fileText.trim().length * 0.6 && firstFile !== undefined && firstFile === firstCode);
  if (looksWhole) {
    const text = fileText.endsWith('\n') && !code.endsWith('\n') ? `${code}\n` : code;
    return plan('replaceFile', fileText, 0, fileText.length, text);
  }

  return plan('insert', fileText, input.selectionStart, input.selectionStart, code);
}

const LANGUAGE_IDS: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescriptreact', jsx: 'javascriptreact',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', node: 'javascript',
  py: 'python', python3: 'python', rb: 'ruby', rs: 'rust', golang: 'go', kt: 'kotlin', kts: 'kotlin',
  cs: 'csharp', 'c#': 'csharp', 'c++': 'cpp', cc: 'cpp', cxx: 'cpp', hpp: 'cpp', h: 'c',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', shell: 'shellscript', console: 'shellscript',
  ps1: 'powershell', pwsh: 'powershell', yml: 'yaml', md: 'markdown', htm: 'html', svg: 'xml',
  jsonc: 'jsonc', json5: 'json', dockerfile: 'dockerfile', docker: 'dockerfile', make: 'makefile',
  text: 'plaintext', txt: 'plaintext', plain: 'plaintext', tf: 'terraform', proto: 'proto3',
};

/** The VS Code language id for a fence's language ("ts" → "typescript"); `known` lists installed ids. */
export function languageIdFor(fence: string | undefined, known: readonly string[]): string {
  const lang = (fence ?? '').trim().toLowerCase();
  if (!lang) return 'plaintext';
  if (known.includes(lang)) return lang;
  const mapped = LANGUAGE_IDS[lang];
  if (mapped && (known.length === 0 || known.includes(mapped))) return mapped;
  return 'plaintext';
}
