// The VS Code edge of the chat: the webview view provider and the editor adapter (ChatIde).
// Everything here converts between VS Code objects and the plain types of the chat core.

import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { Logger } from '../log';
import { parseWebviewMessage } from '../protocol';
import { languageIdFor, planApply } from './apply';
import { autoAttachable, baseName, type FileSnapshot, type Problem } from './attachments';
import type { ChatController } from './controller';
import { PageChannel } from './channel';
import { buildChatHtml, makeNonce } from './html';
import type { ChatIde, EditorState } from './ide';
import { classifyLink, resolveInside } from './links';
import { severityName } from '../workspace/diagnostics';
import { excludeMatcher } from '../workspace/exclude';
import { searchExcludeGlob } from '../workspace/searchExcludes';

export const VIEW_ID = 'qwenLocal.chatView';
/** Files bigger than this are not offered by @file (the prompt could not hold them anyway). */
const MAX_PICK_BYTES = 2 * 1024 * 1024;
/** Editors code blocks may go to. Not vscode-userdata: the user's own settings are no target. */
const EDITOR_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

// ---- Webview view ----

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: () => Promise<ChatController>,
    private readonly log: Logger,
  ) {}

  async resolveWebviewView(view: vscode.WebviewView): Promise<void> {
    this.disposeView();
    this.view = view;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    const asUri = (...parts: string[]) => view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...parts)).toString();
    // The handshake for this page: nothing reaches it before its init (channel.ts).
    const channel = new PageChannel((message) => {
      if (this.view !== view) return;
      view.webview.postMessage(message).then(undefined, (error: unknown) => this.log.debug(`postMessage failed: ${String(error)}`));
    });
    const controller = await this.controller();
    const connection = controller.connect(channel);
    this.viewDisposables.push(
      connection,
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (!message) {
          this.log.warn(`Ignored a malformed message from the chat page: ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        if (message.type === 'ready') channel.pageLoading();
        // Not awaited: a long answer must not hold up "stop".
        controller.handle(message).catch((error: unknown) => this.log.error(`Chat action ${message.type} failed`, error));
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        this.disposeView();
      }),
    );
    view.webview.html = buildChatHtml({
      cspSource: view.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri('dist', 'webview.js'),
      styleUris: [asUri('dist', 'codicons', 'codicon.css'), asUri('media', 'chat.css')],
    });
  }

  async reveal(preserveFocus: boolean): Promise<void> {
    if (this.view) {
      this.view.show(preserveFocus);
      return;
    }
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  }

  private disposeView(): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.disposeView();
  }
}

// ---- Editor adapter ----

export function snapshot(doc: vscode.TextDocument): FileSnapshot {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  return {
    uri: doc.uri.toString(),
    fsPath: doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path,
    ...(folder ? { relativePath: vscode.workspace.asRelativePath(doc.uri, false) } : {}),
    languageId: doc.languageId,
    text: doc.getText(),
  };
}

export type ProposeReplacement = (uri: vscode.Uri, start: number, end: number, text: string, action: string) => Promise<void>;

export class VsCodeChatIde implements ChatIde, vscode.Disposable {
  private lastEditor: vscode.TextEditor | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly provider: ChatViewProvider,
    private readonly log: Logger,
    /** The actions' diff flow: Accept/Reject in the editor title, one undoable edit on Accept. */
    private readonly proposeReplacement: ProposeReplacement,
    /** qwenLocal.completion.exclude: chat opens no file it may not read (links, chips). */
    private readonly exclude: () => readonly string[] = () => [],
  ) {
    this.lastEditor = this.usable(vscode.window.activeTextEditor);
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (this.usable(e)) this.lastEditor = e;
      }),
    );
  }

  private usable(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
    return editor && EDITOR_SCHEMES.has(editor.document.uri.scheme) ? editor : undefined;
  }

  /** The editor the user works in: the active one, or the last one while the panel has focus. */
  private editor(): vscode.TextEditor | undefined {
    const active = this.usable(vscode.window.activeTextEditor);
    if (active) return active;
    const last = this.lastEditor;
    if (last && !last.document.isClosed && vscode.window.visibleTextEditors.includes(last)) return last;
    return undefined;
  }

  activeEditor(): EditorState | undefined {
    const editor = this.editor();
    // Only the user's files are attached on their own (an open settings.json can hold tokens).
    if (!editor || !autoAttachable(editor.document.uri.scheme)) return undefined;
    const state: EditorState = { file: snapshot(editor.document) };
    const sel = editor.selection;
    if (!sel.isEmpty) {
      const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
      state.selection = { range: { startLine: sel.start.line + 1, endLine }, text: editor.document.getText(sel) };
    }
    return state;
  }

  problems(uri: string): Problem[] {
    return vscode.languages.getDiagnostics(vscode.Uri.parse(uri)).map((d) => {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      return {
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        severity: severityName(d.severity),
        message: d.message,
        ...(d.source ? { source: d.source } : {}),
        ...(code !== undefined ? { code: String(code) } : {}),
      };
    });
  }

  async pickFile(allowed: (file: { fsPath: string; relativePath?: string }) => boolean): Promise<FileSnapshot | undefined> {
    const files = await vscode.workspace.findFiles('**/*', fileExcludes(), 20_000);
    const open = new Set(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()));
    const items = files
      .map((uri) => ({ uri, relativePath: vscode.workspace.asRelativePath(uri, false) }))
      .filter((f) => allowed({ fsPath: f.uri.fsPath, relativePath: f.relativePath }))
      .sort((a, b) => Number(open.has(b.uri.toString())) - Number(open.has(a.uri.toString())) || a.relativePath.localeCompare(b.relativePath))
      .map((f) => {
        const dir = f.relativePath.includes('/') ? f.relativePath.slice(0, f.relativePath.lastIndexOf('/')) : '';
        return { label: `$(file) ${baseName(f.relativePath)}`, description: dir, uri: f.uri };
      });
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Attach a file to the chat',
      placeHolder: 'Type to search workspace files (excluded files are not listed)',
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    try {
      const stat = await vscode.workspace.fs.stat(picked.uri);
      if (stat.size > MAX_PICK_BYTES) {
        this.showWarning(`${baseName(picked.uri.path)} is too large to attach (${Math.round(stat.size / 1024)} KB).`);
        return undefined;
      }
      return snapshot(await vscode.workspace.openTextDocument(picked.uri));
    } catch (error) {
      this.showWarning(`Could not read ${baseName(picked.uri.path)}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  async insertAtCursor(code: string): Promise<string | undefined> {
    const editor = this.editor();
    if (!editor) return 'Open a file first: the code is inserted at its cursor.';
    const doc = editor.document;
    // Reviewed like Apply: the diff shows exactly what goes in; nothing changes before Accept.
    await this.proposeReplacement(doc.uri, doc.offsetAt(editor.selection.start), doc.offsetAt(editor.selection.end), code, 'Insert from Chat');
    return undefined;
  }

  async applyToFile(code: string): Promise<string | undefined> {
    const editor = this.editor();
    if (!editor) return 'Open the file to apply the code to, then click Apply again.';
    const doc = editor.document;
    const plan = planApply({
      fileText: doc.getText(),
      code,
      selectionStart: doc.offsetAt(editor.selection.start),
      selectionEnd: doc.offsetAt(editor.selection.end),
    });
    // One review flow for every proposal: the same diff and title buttons as Edit Selection.
    await this.proposeReplacement(doc.uri, plan.start, plan.end, plan.text, 'Apply from Chat');
    return undefined;
  }

  async newFile(code: string, language: string | undefined): Promise<string | undefined> {
    const languages = await vscode.languages.getLanguages();
    const doc = await vscode.workspace.openTextDocument({ language: languageIdFor(language, languages), content: code });
    await vscode.window.showTextDocument(doc, { preview: false });
    return undefined;
  }

  async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  async openLink(href: string): Promise<void> {
    const target = classifyLink(href);
    switch (target.kind) {
      case 'external': {
        const choice = await vscode.window.showInformationMessage(
          `Open this address in your browser?`,
          { modal: true, detail: target.url },
          'Open',
        );
        if (choice === 'Open') await vscode.env.openExternal(vscode.Uri.parse(target.url, true));
        return;
      }
      case 'file': {
        const uri = vscode.Uri.parse(target.uri, true);
        if (!vscode.workspace.getWorkspaceFolder(uri)) {
          this.showWarning(`Qwen Local opens only files inside the workspace (${uri.fsPath}).`);
          return;
        }
        await this.openAt(uri, target);
        return;
      }
      case 'relative': {
        for (const folder of vscode.workspace.workspaceFolders ?? []) {
          const resolved = resolveInside(folder.uri.fsPath, target.path);
          if (!resolved) continue;
          const exists = await fs.stat(resolved).then((s) => s.isFile(), () => false);
          if (exists) {
            await this.openAt(vscode.Uri.file(resolved), target);
            return;
          }
        }
        this.showWarning(`No file ${target.path} in the workspace.`);
        return;
      }
      case 'rejected':
        this.log.info(`Link not opened (${target.reason}): ${href.slice(0, 200)}`);
        this.showWarning(`This link was not opened: ${target.reason}.`);
        return;
    }
  }

  /** Opens a workspace file at a line, or selecting a line range (a chip of @codebase). */
  private async openAt(uri: vscode.Uri, { line, endLine }: { line?: number; endLine?: number }): Promise<void> {
    const relativePath = vscode.workspace.asRelativePath(uri, false);
    if (excludeMatcher(this.exclude())({ fsPath: uri.fsPath, relativePath, uri: uri.toString() })) {
      this.showWarning(`Qwen Local does not open ${relativePath} from chat: it matches qwenLocal.completion.exclude.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const options: vscode.TextDocumentShowOptions = {};
    if (line !== undefined && line > 0) {
      const start = Math.min(line, doc.lineCount) - 1;
      const end = endLine === undefined ? undefined : doc.lineAt(Math.min(endLine, doc.lineCount) - 1).range.end;
      options.selection = end ? new vscode.Range(start, 0, end.line, end.character) : new vscode.Range(start, 0, start, 0);
    }
    await vscode.window.showTextDocument(doc, options);
  }

  async saveMarkdown(suggestedName: string, content: string): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      title: 'Export conversation',
      saveLabel: 'Export',
      filters: { Markdown: ['md'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, suggestedName) } : {}),
    });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
    return uri.scheme === 'file' ? uri.fsPath : uri.toString();
  }

  askText(prompt: string, value: string): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({ prompt, value, validateInput: (v) => (v.trim() ? undefined : 'Type a name.') }),
    );
  }

  async confirm(message: string, action: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(message, { modal: true }, action)) === action;
  }

  showWarning(message: string): void {
    void vscode.window.showWarningMessage(message);
  }

  showInfo(message: string): void {
    void vscode.window.showInformationMessage(message);
  }

  async runCommand(command: string, ...args: unknown[]): Promise<void> {
    await vscode.commands.executeCommand(command, ...args);
  }

  revealView(preserveFocus: boolean): Promise<void> {
    return this.provider.reveal(preserveFocus);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The shared search excludes with the user's files.exclude. */
function fileExcludes(): string {
  return searchExcludeGlob(vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude'));
}

