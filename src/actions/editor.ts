// VS Code glue shared by the actions: the editor's facts as plain data (indent style, symbols,
// the block around the cursor, whether the document can be edited).

import * as vscode from 'vscode';
import {
  enclosingBlockByIndent,
  enclosingSymbol,
  nestSymbols,
  symbolBlock,
  type LineBlock,
  type SymbolInfo,
  type SymbolKindName,
  type SymbolPreference,
} from './blocks';
import { excludeMatcher } from '../workspace/exclude';
import { displayPath as shownPath } from '../workspace/paths';
import { unsupportedReason } from './documents';
import type { Eol, IndentStyle } from './text';

export function indentStyle(editor: vscode.TextEditor | undefined): IndentStyle {
  const tabSize = typeof editor?.options.tabSize === 'number' ? editor.options.tabSize : 4;
  // The options are resolved for a shown editor; 'auto' only appears when setting them.
  const insertSpaces = editor?.options.insertSpaces === undefined ? true : editor.options.insertSpaces === true;
  return { tabSize, insertSpaces };
}

export function documentEol(document: vscode.TextDocument): Eol {
  return document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
}

export function documentLines(document: vscode.TextDocument): string[] {
  const lines: string[] = [];
  for (let i = 0; i < document.lineCount; i++) lines.push(document.lineAt(i).text);
  return lines;
}

/** The active editor if an action can edit its document; otherwise says why and returns undefined. */
export function editableEditor(what: string, exclude: readonly string[]): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(`${what}: open a file and put the cursor in it (or select code) first.`);
    return undefined;
  }
  const reason = cannotEdit(editor.document, what, exclude);
  if (reason) {
    void vscode.window.showInformationMessage(reason);
    return undefined;
  }
  return editor;
}

export function cannotEdit(document: vscode.TextDocument, what: string, exclude: readonly string[]): string | undefined {
  const path = document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.path;
  const excluded = excludeMatcher(exclude, () => vscode.workspace.asRelativePath(document.uri, false))(path);
  return unsupportedReason(
    { scheme: document.uri.scheme, languageId: document.languageId, writable: vscode.workspace.fs.isWritableFileSystem(document.uri.scheme), excluded },
    what,
  );
}

const KINDS: Partial<Record<vscode.SymbolKind, SymbolKindName>> = {
  [vscode.SymbolKind.Function]: 'function',
  [vscode.SymbolKind.Method]: 'method',
  [vscode.SymbolKind.Constructor]: 'constructor',
  [vscode.SymbolKind.Class]: 'class',
  [vscode.SymbolKind.Interface]: 'interface',
  [vscode.SymbolKind.Struct]: 'struct',
  [vscode.SymbolKind.Enum]: 'enum',
  [vscode.SymbolKind.Namespace]: 'namespace',
  [vscode.SymbolKind.Module]: 'namespace',
  [vscode.SymbolKind.Package]: 'namespace',
  [vscode.SymbolKind.Variable]: 'variable',
  [vscode.SymbolKind.Constant]: 'variable',
  [vscode.SymbolKind.Property]: 'variable',
  [vscode.SymbolKind.Field]: 'variable',
};

function fromDocumentSymbol(s: vscode.DocumentSymbol): SymbolInfo {
  return {
    name: s.name,
    kind: KINDS[s.kind] ?? 'other',
    startLine: s.range.start.line,
    endLine: s.range.end.line,
    nameLine: s.selectionRange.start.line,
    children: s.children.map(fromDocumentSymbol),
  };
}

const SYMBOL_TIMEOUT_MS = 2000;

/** The document's symbols as plain data; [] when there is no provider or it is slow. */
export async function documentSymbols(document: vscode.TextDocument): Promise<SymbolInfo[]> {
  try {
    const raw = await Promise.race([
      vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>('vscode.executeDocumentSymbolProvider', document.uri),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SYMBOL_TIMEOUT_MS)),
    ]);
    if (!raw?.length) return [];
    if ('selectionRange' in raw[0]) return (raw as vscode.DocumentSymbol[]).map(fromDocumentSymbol);
    return nestSymbols(
      (raw as vscode.SymbolInformation[])
        .filter((s) => s.location.uri.toString() === document.uri.toString())
        .map((s) => ({
          name: s.name,
          kind: KINDS[s.kind] ?? 'other',
          startLine: s.location.range.start.line,
          endLine: s.location.range.end.line,
          nameLine: s.location.range.start.line,
          children: [],
        })),
    );
  } catch {
    return [];
  }
}

/** The function (or block) around a line: symbols first, indentation as the fallback. */
export async function blockAt(document: vscode.TextDocument, line: number, prefer: SymbolPreference, tabSize: number): Promise<LineBlock | undefined> {
  const lines = documentLines(document);
  const symbol = enclosingSymbol(await documentSymbols(document), line, prefer);
  if (symbol) return symbolBlock(lines, symbol);
  const block = enclosingBlockByIndent(lines, line, tabSize);
  if (!block) return undefined;
  if (prefer === 'function' && !block.functionLike) return undefined;
  if (prefer === 'functionOrType' && block.name === undefined) return undefined;
  return block;
}

/** The path shown in prompts: relative to the workspace folder when there is one. */
export function displayPath(uri: vscode.Uri): string {
  return shownPath(vscode.workspace.asRelativePath(uri, false));
}
