// The planning functions of the edit-with-diff commands: from the editor's facts as plain data to the
// change spec that propose() runs. Pure; the command glue gathers the facts and shows the reasons.

import type { ChatMessage } from '../backend/backend';
import type { LineRange } from './blocks';
import { findDocPlacement, placementRange, type DocConvention } from './docstring';
import { buildDocstringPrompt, outputBudgetFor, surroundingContext } from './prompts';
import type { ChangeSpec } from './propose';
import { codeRenderer, docCommentRenderer, type Render } from './render';
import { dedent, leadingWhitespace, LineIndex, type Eol, type IndentStyle } from './text';

/** The target document as plain data. */
export interface DocumentFacts {
  uri: string;
  text: string;
  version: number;
  eol: Eol;
  languageId: string;
  /** The path shown in prompts (workspace-relative when there is a folder). */
  path: string;
}

/** Characters of surrounding code sent with an edit or a fix. */
const CONTEXT_CHARS = 6000;
/** Longest function sent for a docstring (its start says what it does). */
const DOC_MAX_LINES = 250;

export interface Labels {
  what: string;
  action: string;
  progress: string;
}

/** Replacing a range with the model's code: the shared plan of Edit Selection and Fix This Problem. */
export function planCodeReplacement(
  doc: DocumentFacts,
  range: LineRange,
  style: IndentStyle,
  labels: Labels,
  messages: (code: string, before: string, after: string) => ChatMessage[],
): ChangeSpec {
  const index = new LineIndex(doc.text);
  const start = index.offsetAt(range.startLine, range.startCharacter);
  const end = index.offsetAt(range.endLine, range.endCharacter);
  const code = doc.text.slice(start, end);
  const { before, after } = surroundingContext(index.lines, range.startLine, range.endLine, CONTEXT_CHARS);
  return {
    ...labels,
    targetUri: doc.uri,
    originalText: doc.text,
    version: doc.version,
    start,
    end,
    isNewFile: false,
    eol: doc.eol,
    messages: messages(dedent(code), before, after),
    maxOutputTokens: outputBudgetFor(code),
    render: keepTrailingBreaks(code, doc.eol, codeRenderer({ indent: leadingWhitespace(index.lines[range.startLine]), style, firstLineIndented: range.startCharacter === 0, eol: doc.eol })),
  };
}

/**
 * A range of whole lines can end on the line after its last one (Fix takes lines up to the empty
 * last line of a file that ends with a newline): it then holds the line break(s), and the model's
 * code block never does. The replacement keeps them, or the file loses its final newline.
 */
function keepTrailingBreaks(code: string, eol: Eol, render: Render): Render {
  const breaks = (code.slice(code.trimEnd().length).match(/\n/g) ?? []).length;
  if (breaks === 0) return render;
  return (answer, final) => {
    const text = render(answer, final);
    return text === undefined || text.endsWith('\n') ? text : text + eol.repeat(breaks);
  };
}

export interface DocBlock {
  startLine: number;
  endLine: number;
  headerLine: number;
  /** The bare name of the function or type, when known. */
  name?: string;
}

/** A doc comment for the block, placed by the language's convention; a reason when it cannot be placed. */
export function planDocstring(
  doc: DocumentFacts,
  block: DocBlock,
  conv: DocConvention,
  style: IndentStyle,
  extraSystem: string,
): { ok: true; spec: ChangeSpec } | { ok: false; reason: string } {
  const lines = new LineIndex(doc.text).lines;
  const placed = findDocPlacement(lines, block.headerLine, conv, style);
  if (!placed.ok) return placed;
  const blockLines = lines.slice(block.startLine, block.endLine + 1);
  const shown = blockLines.length > DOC_MAX_LINES ? [...blockLines.slice(0, DOC_MAX_LINES), `… (${blockLines.length - DOC_MAX_LINES} more lines)`] : blockLines;
  const { start, end } = placementRange(doc.text, placed.placement);
  return {
    ok: true,
    spec: {
      what: 'Generate Docstring',
      action: placed.placement.replacesExisting ? 'Docstring (replaces the existing one)' : 'Docstring',
      progress: `writing the ${conv.label}…`,
      targetUri: doc.uri,
      originalText: doc.text,
      version: doc.version,
      start,
      end,
      isNewFile: false,
      eol: doc.eol,
      messages: buildDocstringPrompt({ code: dedent(shown.join('\n')), path: doc.path, languageId: doc.languageId, name: block.name, convention: conv, extraSystem }),
      maxOutputTokens: 1024,
      render: docCommentRenderer(doc.text, placed.placement, conv, doc.eol, block.name),
    },
  };
}
