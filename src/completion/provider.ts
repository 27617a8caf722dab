// The VS Code edge of inline completions: converts TextDocument/Position/CancellationToken to the
// engine's plain types and its answer back to an InlineCompletionItem. Nothing is decided here.

import * as vscode from 'vscode';
import type { Settings } from '../settings';
import type { EditorContextSource, OpenDocument, RecentEdit } from './context';
import type { CompletionEngine } from './engine';

export const ACCEPT_COMMAND = 'qwenLocal.completion.accepted';
const SCHEMES = new Set(['file', 'untitled']);
const RECENT_EDITS = 30;

export interface InlineCompletionDeps {
  /** The core's engine (core.ts); it reads `editor` for context from other files. */
  engine: CompletionEngine;
  /** The editor context the engine was built with: edits are recorded into it here. */
  editor: VsCodeContextSource;
  /** The current settings (read per keystroke, so changes apply at once). */
  settings: () => Settings;
  /** The resolved completion model (never "auto"); undefined: no completions for now. */
  completionModel: () => string | undefined;
  /** The num_ctx the model is loaded with (shared with chat when one model serves both). */
  numCtx?: () => number | undefined;
  /** False while completions are snoozed or toggled off by a command. Defaults to always on. */
  active?: () => boolean;
}

export interface InlineCompletions extends vscode.Disposable {
  provider: vscode.InlineCompletionItemProvider;
}

/** Registers the provider for files and untitled documents, the accept command and the edit recorder. */
export function createInlineCompletions(deps: InlineCompletionDeps): InlineCompletions {
  const { engine, editor } = deps;
  const provider: vscode.InlineCompletionItemProvider = {
    async provideInlineCompletionItems(document, position, context, token) {
      const settings = deps.settings();
      const model = deps.completionModel();
      if (!model || !(deps.active?.() ?? true) || !SCHEMES.has(document.uri.scheme)) return undefined;
      if (settings.completion.disabledLanguages.includes(document.languageId)) return undefined;
      // The suggest widget is open: a ghost text would have to extend its choice; let it be.
      if (context.selectedCompletionInfo) return undefined;

      const signal = abortSignalFor(token);
      const offset = document.offsetAt(position);
      const options = vscode.window.activeTextEditor?.document === document ? vscode.window.activeTextEditor.options : undefined;
      const item = await engine.complete({
        path: pathOf(document.uri),
        displayPath: vscode.workspace.asRelativePath(document.uri, false),
        repoName: vscode.workspace.getWorkspaceFolder(document.uri)?.name,
        languageId: document.languageId,
        text: document.getText(),
        offset,
        indentation: {
          insertSpaces: typeof options?.insertSpaces === 'boolean' ? options.insertSpaces : true,
          tabSize: typeof options?.tabSize === 'number' ? options.tabSize : 4,
        },
        model,
        numCtx: deps.numCtx?.(),
        settings: { ...settings.completion, keepAlive: settings.keepAlive },
        explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
        signal,
      });
      if (!item || token.isCancellationRequested) return undefined;
      // An explicit empty range at the cursor: without one VS Code replaces the word at the
      // cursor, and the item is not shown after a partly typed word.
      const at = document.positionAt(item.offset);
      const end = item.replaceLength ? document.positionAt(item.offset + item.replaceLength) : at;
      return [
        new vscode.InlineCompletionItem(item.insertText, new vscode.Range(at, end), {
          title: 'Accept completion',
          command: ACCEPT_COMMAND,
          arguments: [item.id],
        }),
      ];
    },
  };

  const disposables = [
    vscode.languages.registerInlineCompletionItemProvider(
      [...SCHEMES].map((scheme) => ({ scheme })),
      provider,
    ),
    vscode.commands.registerCommand(ACCEPT_COMMAND, (id: unknown) => {
      if (typeof id === 'string') engine.accepted(id);
    }),
    vscode.workspace.onDidChangeTextDocument((event) => editor.recordEdit(event)),
  ];
  return {
    provider,
    dispose: () => {
      for (const d of disposables) d.dispose();
    },
  };
}

function pathOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

function abortSignalFor(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else {
    const listener = token.onCancellationRequested(() => {
      controller.abort();
      listener.dispose();
    });
  }
  return controller.signal;
}

/** Open editors, recent edits and file reads, as the completion core asks for them. */
export class VsCodeContextSource implements EditorContextSource {
  private readonly edits: RecentEdit[] = [];

  openDocuments(): readonly OpenDocument[] {
    return vscode.workspace.textDocuments
      .filter((doc) => SCHEMES.has(doc.uri.scheme))
      .map((doc) => ({ path: pathOf(doc.uri), languageId: doc.languageId, version: doc.version, getText: () => doc.getText() }));
  }

  recentEdits(): readonly RecentEdit[] {
    return this.edits;
  }

  recordEdit(event: vscode.TextDocumentChangeEvent): void {
    if (!SCHEMES.has(event.document.uri.scheme)) return;
    const path = pathOf(event.document.uri);
    for (const change of event.contentChanges) {
      const line = change.range.start.line;
      const existing = this.edits.findIndex((e) => e.path === path && Math.abs(e.line - line) < 3);
      if (existing !== -1) this.edits.splice(existing, 1);
      this.edits.unshift({ path, line });
    }
    this.edits.length = Math.min(this.edits.length, RECENT_EDITS);
  }

  async readFile(path: string, maxBytes: number): Promise<string | undefined> {
    const uri = vscode.Uri.file(path);
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type !== vscode.FileType.File || stat.size > maxBytes) return undefined;
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined;
    }
  }

  displayPath(path: string): string {
    return vscode.workspace.asRelativePath(path, false);
  }
}
