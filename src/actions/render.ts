// How each action turns the model's (partial or final) answer into the text of its proposal. Pure.

import { docCommentEdit, normalizeDocComment, type DocConvention, type DocPlacement } from './docstring';
import { extractCode } from './extract';
import { reindent, type IndentTarget } from './indent';
import { testsEdit, type TestMode } from './testEdit';
import type { TestLanguage } from './testPlan';
import { toEol, type Eol, type IndentStyle } from './text';

/** How an answer becomes the proposal's replacement; undefined when there is nothing usable yet. */
export type Render = (answer: string, final: boolean) => string | undefined;

/** Code replacing a range (edit, fix): extracted, re-indented to the range, in the file's line endings. */
export function codeRenderer(target: IndentTarget & { eol: Eol }): Render {
  return (answer, final) => {
    const code = extractCode(answer, final);
    if (code.trim() === '') return undefined;
    return toEol(reindent(code, target), target.eol);
  };
}

/** A doc comment at its placement (the proposal's range is the placement's lines). */
export function docCommentRenderer(documentText: string, placement: DocPlacement, conv: DocConvention, eol: Eol, name?: string): Render {
  return (answer, final) => {
    const comment = normalizeDocComment(answer, conv, name, final);
    if (comment === undefined) return undefined;
    return docCommentEdit(documentText, placement, comment, eol).text;
  };
}

/** Tests merged into the whole target file (the proposal's range is the whole file). */
export function testsRenderer(mode: TestMode, language: TestLanguage, existing: string, eol: Eol, style: IndentStyle): Render {
  return (answer, final) => {
    const generated = extractCode(answer, final);
    if (generated.trim() === '') return undefined;
    const edit = testsEdit({ mode, language, existing, generated, eol, style });
    return existing.slice(0, edit.start) + edit.text + existing.slice(edit.end);
  };
}

/**
 * The smallest replacement with the same effect: the common start and end of the old and new text
 * are left alone, so markers, breakpoints and folding outside the real change survive. Cut at line
 * boundaries so a change reads as whole lines in the undo history.
 */
export function narrowReplacement(documentText: string, start: number, end: number, text: string): { start: number; end: number; text: string } {
  const old = documentText.slice(start, end);
  let prefix = 0;
  const max = Math.min(old.length, text.length);
  while (prefix < max && old[prefix] === text[prefix]) prefix++;
  // Back to the start of the line.
  while (prefix > 0 && old[prefix - 1] !== '\n') prefix--;
  let suffix = 0;
  while (suffix < max - prefix && old[old.length - 1 - suffix] === text[text.length - 1 - suffix]) suffix++;
  // Forward to just after a line break, so the suffix is whole lines.
  while (suffix > 0 && old[old.length - suffix - 1] !== '\n') suffix--;
  return { start: start + prefix, end: end - suffix, text: text.slice(prefix, text.length - suffix) };
}
