// Edit Selection…, Generate Docstring and Fix This Problem (VS Code glue). Each gathers the editor's
// facts, lets a pure planning function (plans.ts) turn them into a change spec, and proposes it.

import * as vscode from 'vscode';
import type { ChatMessage } from '../backend/backend';
import { normalizeSelection, type LineRange } from './blocks';
import { docConvention, supportedDocLanguages } from './docstring';
import { blockAt, displayPath, documentEol, editableEditor, indentStyle, cannotEdit } from './editor';
import { planCodeReplacement, planDocstring, type DocumentFacts } from './plans';
import { propose, type ActionsContext } from './propose';
import { buildEditPrompt, buildFixPrompt, type DiagnosticInfo } from './prompts';
import { severityName } from '../workspace/diagnostics';

function rangeOf(r: LineRange): vscode.Range {
  return new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
}

function wholeLines(document: vscode.TextDocument, startLine: number, endLine: number): LineRange {
  return { startLine, startCharacter: 0, endLine, endCharacter: document.lineAt(endLine).text.length };
}

/** The document as the planning functions see it. */
function facts(document: vscode.TextDocument): DocumentFacts {
  return { uri: document.uri.toString(), text: document.getText(), version: document.version, eol: documentEol(document), languageId: document.languageId, path: displayPath(document.uri) };
}

/** Proposes replacing a range with the model's code: the shared part of edit and fix. */
async function proposeCodeReplacement(
  ctx: ActionsContext,
  editor: vscode.TextEditor,
  range: LineRange,
  what: string,
  action: string,
  progress: string,
  messages: (code: string, before: string, after: string) => ChatMessage[],
): Promise<void> {
  await propose(ctx, planCodeReplacement(facts(editor.document), range, indentStyle(editor), { what, action, progress }, messages));
}

export async function editSelection(ctx: ActionsContext): Promise<void> {
  const what = 'Edit Selection';
  const editor = editableEditor(what, ctx.services.config.settings.completion.exclude);
  if (!editor) return;
  const document = editor.document;
  let range: LineRange;
  if (!editor.selection.isEmpty) {
    const s = editor.selection;
    range = normalizeSelection(
      { startLine: s.start.line, startCharacter: s.start.character, endLine: s.end.line, endCharacter: s.end.character },
      (l) => document.lineAt(l).text,
    );
    if (document.getText(rangeOf(range)).trim() === '') {
      void vscode.window.showInformationMessage(`${what}: the selection holds only whitespace. Select the code to change.`);
      return;
    }
  } else {
    const block = await blockAt(document, editor.selection.active.line, 'any', indentStyle(editor).tabSize);
    if (!block) {
      void vscode.window.showInformationMessage(`${what}: there is no function or block around the cursor. Select the code to change and try again.`);
      return;
    }
    range = wholeLines(document, block.startLine, block.endLine);
    // Show what will be edited while the user types the instruction.
    editor.selection = new vscode.Selection(range.startLine, 0, range.endLine, range.endCharacter);
  }
  const lineCount = range.endLine - range.startLine + 1;
  const instruction = await vscode.window.showInputBox({
    title: 'Qwen Local: Edit',
    prompt: `How should ${lineCount === 1 ? 'this line' : `these ${lineCount} lines`} change?`,
    placeHolder: 'e.g. handle the error case, convert to async/await, use a map instead of the loop',
    ignoreFocusOut: true,
  });
  if (!instruction?.trim()) return;
  const path = displayPath(document.uri);
  await proposeCodeReplacement(ctx, editor, range, what, 'Edit', 'writing the edit…', (code, before, after) =>
    buildEditPrompt({ instruction, code, path, languageId: document.languageId, before, after, extraSystem: ctx.services.config.settings.chat.systemPrompt }),
  );
}

/** A symbol's bare name ("(*Server).Start" → "Start"), or undefined for provider labels like "<function>". */
export function bareName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return name;
  const ids = name.match(/[A-Za-z_$][\w$]*/g);
  return /^\(.*\)\.[A-Za-z_]\w*$/.test(name) && ids ? ids[ids.length - 1] : undefined;
}

export async function generateDocstring(ctx: ActionsContext): Promise<void> {
  const what = 'Generate Docstring';
  const editor = editableEditor(what, ctx.services.config.settings.completion.exclude);
  if (!editor) return;
  const document = editor.document;
  const conv = docConvention(document.languageId);
  if (!conv) {
    void vscode.window.showInformationMessage(`${what} does not know the doc comment convention of "${document.languageId}". It knows: ${supportedDocLanguages().join(', ')}.`);
    return;
  }
  const style = indentStyle(editor);
  const line = editor.selection.isEmpty ? editor.selection.active.line : editor.selection.start.line;
  const block = await blockAt(document, line, 'functionOrType', style.tabSize);
  if (!block) {
    void vscode.window.showInformationMessage(`${what}: put the cursor inside a function (or on its first line) and try again.`);
    return;
  }
  const planned = planDocstring(facts(document), { ...block, name: bareName(block.name) }, conv, style, ctx.services.config.settings.chat.systemPrompt);
  if (!planned.ok) {
    void vscode.window.showInformationMessage(`${what}: ${planned.reason}`);
    return;
  }
  await propose(ctx, planned.spec);
}

function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  if (d.code === undefined) return undefined;
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** The current diagnostic matching a serialized one (message and start line), when the argument lost its class. */
function sameDiagnostic(all: readonly vscode.Diagnostic[], arg: unknown): vscode.Diagnostic | undefined {
  if (typeof arg !== 'object' || arg === null || !('message' in arg) || !('range' in arg)) return undefined;
  const range = arg.range as { start?: { line?: unknown } } | [{ line?: unknown }, unknown] | undefined;
  const line = Array.isArray(range) ? range[0]?.line : range?.start?.line;
  return all.find((d) => d.message === arg.message && d.range.start.line === line);
}

/** Lines sent for a fix: the enclosing function when it is not too long, else a window around the problem. */
const FIX_MAX_LINES = 150;
const FIX_WINDOW = 12;

export async function fixProblem(ctx: ActionsContext, uriArg?: unknown, diagnosticArg?: unknown): Promise<void> {
  const what = 'Fix This Problem';
  let editor: vscode.TextEditor | undefined;
  if (uriArg instanceof vscode.Uri) {
    const document = await vscode.workspace.openTextDocument(uriArg);
    const reason = cannotEdit(document, what, ctx.services.config.settings.completion.exclude);
    if (reason) {
      void vscode.window.showInformationMessage(reason);
      return;
    }
    editor = await vscode.window.showTextDocument(document, { preserveFocus: false, preview: false });
  } else {
    editor = editableEditor(what, ctx.services.config.settings.completion.exclude);
  }
  if (!editor) return;
  const document = editor.document;
  const all = vscode.languages.getDiagnostics(document.uri);
  let primary = diagnosticArg instanceof vscode.Diagnostic ? diagnosticArg : sameDiagnostic(all, diagnosticArg);
  if (!primary) {
    const cursor = editor.selection.active;
    primary = all
      .filter((d) => d.range.contains(cursor) || d.range.start.line === cursor.line)
      .sort((a, b) => a.severity - b.severity)[0];
  }
  if (!primary) {
    void vscode.window.showInformationMessage(`${what}: there is no problem at the cursor. Put the cursor on a squiggle (or use the light bulb) and try again.`);
    return;
  }
  const style = indentStyle(editor);
  const block = await blockAt(document, primary.range.start.line, 'function', style.tabSize);
  let range: LineRange;
  if (block && block.endLine - block.startLine < FIX_MAX_LINES && block.startLine <= primary.range.start.line && primary.range.end.line <= block.endLine) {
    range = wholeLines(document, block.startLine, block.endLine);
  } else {
    const startLine = Math.max(0, primary.range.start.line - FIX_WINDOW);
    const endLine = Math.min(document.lineCount - 1, primary.range.end.line + FIX_WINDOW);
    range = wholeLines(document, startLine, endLine);
  }
  const inRegion = all.filter((d) => d !== primary && d.range.start.line >= range.startLine && d.range.end.line <= range.endLine && d.severity <= vscode.DiagnosticSeverity.Warning);
  const diagnostics: DiagnosticInfo[] = [primary, ...inRegion.slice(0, 4)].map((d) => ({
    line: d.range.start.line + 1,
    message: d.message,
    source: d.source,
    code: diagnosticCode(d),
    severity: severityName(d.severity),
    lineText: document.lineAt(d.range.start.line).text,
  }));
  const path = displayPath(document.uri);
  await proposeCodeReplacement(ctx, editor, range, what, 'Fix', 'writing a fix…', (code, before, after) =>
    buildFixPrompt({
      code,
      path,
      languageId: document.languageId,
      firstLine: range.startLine + 1,
      diagnostics,
      before,
      after,
      extraSystem: ctx.services.config.settings.chat.systemPrompt,
    }),
  );
}

/** Offers "Fix with Qwen Local" on the diagnostics under the cursor. */
export class FixCodeActionProvider implements vscode.CodeActionProvider {
  constructor(private readonly exclude: () => readonly string[]) {}

  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.diagnostics.length === 0) return [];
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    if (cannotEdit(document, 'Fix', this.exclude())) return [];
    const primary = [...context.diagnostics].sort((a, b) => a.severity - b.severity)[0];
    const action = new vscode.CodeAction('Fix with Qwen Local', vscode.CodeActionKind.QuickFix);
    action.diagnostics = [primary];
    action.command = { command: 'qwenLocal.fixProblem', title: 'Fix with Qwen Local', arguments: [document.uri, primary] };
    return [action];
  }
}
