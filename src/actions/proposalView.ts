// The edit-with-diff flow's VS Code side: a read-only virtual document per proposal whose content
// follows the stream, a diff editor (original ↔ proposed), and Accept/Reject. Accept applies one
// WorkspaceEdit (so Undo restores the original); nothing touches the file before that.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../log';
import { decideAccept, Proposal, ProposalRegistry, type AcceptDecision } from './proposal';
import { narrowReplacement } from './render';

export const PROPOSAL_SCHEME = 'qwen-local-proposal';
const CONTEXT_KEY = 'qwenLocal.proposalOpen';
/** How often a streaming proposal repaints, at most. */
const REPAINT_MS = 80;

interface Entry {
  proposal: Proposal;
  controller: AbortController;
  left: vscode.Uri;
  right: vscode.Uri;
  timer?: ReturnType<typeof setTimeout>;
  unsubscribe: () => void;
}

export class ProposalView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  readonly registry = new ProposalRegistry((count) => void vscode.commands.executeCommand('setContext', CONTEXT_KEY, count > 0));
  private readonly entries = new Map<string, Entry>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: Logger) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      // Closing the diff tab is a Reject.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const id = this.idOfTab(tab);
          if (id && this.entries.has(id) && !this.isShown(id)) this.discard(id);
        }
      }),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, id, side] = uri.path.split('/');
    const entry = this.entries.get(id);
    if (!entry) return '';
    return side === 'original' ? entry.proposal.init.originalText : entry.proposal.proposedText;
  }

  /** Registers a proposal and opens its diff editor; the content follows the proposal as it streams. */
  async open(proposal: Proposal, controller: AbortController): Promise<void> {
    const target = vscode.Uri.parse(proposal.init.targetUri);
    const name = path.posix.basename(target.path) || 'untitled';
    const right = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${proposal.id}/proposed/${name}` });
    const left = proposal.init.isNewFile ? vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${proposal.id}/original/${name}` }) : target;
    const entry: Entry = { proposal, controller, left, right, unsubscribe: () => {} };
    entry.unsubscribe = proposal.onDidChange(() => this.repaint(entry));
    this.entries.set(proposal.id, entry);
    this.registry.add(proposal);
    const title = `${name}${proposal.init.isNewFile ? ' (new file)' : ''} ↔ Qwen Local: ${proposal.init.action}`;
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false } satisfies vscode.TextDocumentShowOptions);
  }

  private repaint(entry: Entry): void {
    const finished = entry.proposal.state !== 'streaming';
    if (finished) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = undefined;
      this.emitter.fire(entry.right);
      return;
    }
    entry.timer ??= setTimeout(() => {
      entry.timer = undefined;
      this.emitter.fire(entry.right);
    }, REPAINT_MS);
  }

  /** Drops a proposal: stops its request if still streaming and closes its diff editor. */
  discard(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.unsubscribe();
    if (entry.proposal.state === 'streaming') entry.controller.abort();
    this.registry.remove(id);
    void this.closeTabs(entry.right);
  }

  private idOfUri(uri: vscode.Uri | undefined): string | undefined {
    if (uri?.scheme !== PROPOSAL_SCHEME) return undefined;
    const id = uri.path.split('/')[1];
    return this.entries.has(id) ? id : undefined;
  }

  private idOfTab(tab: vscode.Tab): string | undefined {
    return tab.input instanceof vscode.TabInputTextDiff ? this.idOfUri(tab.input.modified) : undefined;
  }

  private isShown(id: string): boolean {
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => this.idOfTab(t) === id));
  }

  private async closeTabs(right: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) =>
      g.tabs.filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString()),
    );
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  /**
   * Which proposal a command means: the one whose diff the command was invoked from (the editor
   * title passes its resource), else the active diff, else the only one, else the user picks.
   */
  private async resolve(arg: unknown): Promise<Entry | undefined> {
    if (arg instanceof vscode.Uri) {
      const id = this.idOfUri(arg) ?? [...this.entries.values()].find((e) => e.left.toString() === arg.toString())?.proposal.id;
      if (id) return this.entries.get(id);
      // Invoked from the title of another diff editor (the buttons show in every diff while a proposal is open).
      if (vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff && !this.activeId()) {
        void vscode.window.showInformationMessage('This diff is not a Qwen Local proposal.');
        return undefined;
      }
    }
    const activeId = this.activeId();
    if (activeId) return this.entries.get(activeId);
    const all = [...this.entries.values()];
    if (all.length <= 1) return all[0];
    const pick = await vscode.window.showQuickPick(
      all.map((e) => ({ label: `${e.proposal.init.action}: ${path.posix.basename(vscode.Uri.parse(e.proposal.init.targetUri).path)}`, entry: e })),
      { title: 'Qwen Local: which proposal?' },
    );
    return pick?.entry;
  }

  private activeId(): string | undefined {
    const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab;
    return activeTab ? this.idOfTab(activeTab) : this.idOfUri(vscode.window.activeTextEditor?.document.uri);
  }

  async reject(arg?: unknown): Promise<void> {
    const entry = await this.resolve(arg);
    if (!entry) {
      if (this.entries.size === 0) void vscode.window.showInformationMessage('No Qwen Local proposal is open.');
      return;
    }
    this.discard(entry.proposal.id);
    vscode.window.setStatusBarMessage('$(close) Proposal rejected; nothing was changed.', 4000);
  }

  async accept(arg?: unknown): Promise<void> {
    const entry = await this.resolve(arg);
    if (!entry) {
      if (this.entries.size === 0) void vscode.window.showInformationMessage('No Qwen Local proposal is open.');
      return;
    }
    const { proposal } = entry;
    const target = vscode.Uri.parse(proposal.init.targetUri);
    try {
      if (proposal.init.isNewFile) {
        await this.acceptNewFile(entry, target);
        return;
      }
      let document: vscode.TextDocument | undefined;
      try {
        document = await vscode.workspace.openTextDocument(target);
      } catch {
        document = undefined;
      }
      const decision = decideAccept(proposal, { exists: document !== undefined, text: document?.getText(), version: document?.version });
      await this.applyDecision(entry, decision, document);
    } catch (error) {
      this.log.error('Accept failed', error);
      void vscode.window.showErrorMessage(`Could not apply the proposal: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async acceptNewFile(entry: Entry, target: vscode.Uri): Promise<void> {
    let exists = true;
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      exists = false;
    }
    const decision = decideAccept(entry.proposal, { exists });
    if (decision.kind !== 'create') {
      await this.applyDecision(entry, decision, undefined);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(target, { ignoreIfExists: false, contents: new TextEncoder().encode(decision.text) });
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Could not create ${vscode.workspace.asRelativePath(target)}.`);
      return;
    }
    this.discard(entry.proposal.id);
    await vscode.window.showTextDocument(target, { preview: false });
  }

  private async applyDecision(entry: Entry, decision: AcceptDecision, document: vscode.TextDocument | undefined): Promise<void> {
    const name = vscode.workspace.asRelativePath(vscode.Uri.parse(entry.proposal.init.targetUri));
    switch (decision.kind) {
      case 'notReady':
        void vscode.window.showInformationMessage(decision.reason);
        return;
      case 'conflict':
        void vscode.window.showWarningMessage(`${name}: ${decision.reason}`);
        return;
      case 'create':
        return; // handled by acceptNewFile
      case 'relocated': {
        if (!document) return;
        const line = document.positionAt(decision.start).line + 1;
        const choice = await vscode.window.showWarningMessage(
          `${name} changed after the proposal was made. The code it replaces is still there (now at line ${line}). Apply the proposal there?`,
          { modal: true },
          'Apply',
        );
        if (choice !== 'Apply') return;
        break;
      }
      case 'apply':
        break;
    }
    if (!document) return;
    const narrowed = narrowReplacement(document.getText(), decision.start, decision.end, decision.text);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(narrowed.start), document.positionAt(narrowed.end)), narrowed.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Could not change ${name}; nothing was changed.`);
      return;
    }
    this.discard(entry.proposal.id);
    const start = document.positionAt(narrowed.start);
    const end = document.positionAt(narrowed.start + narrowed.text.length);
    const editor = await vscode.window.showTextDocument(document, { preview: false, selection: new vscode.Range(start, start) });
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    vscode.window.setStatusBarMessage('$(check) Proposal applied. Undo restores the original.', 5000);
  }

  dispose(): void {
    for (const id of [...this.entries.keys()]) this.discard(id);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
