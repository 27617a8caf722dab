// The edit-with-diff flow's VS Code side: a read-only virtual document per proposal whose content
// follows the stream, a diff editor (original ↔ proposed), and Accept/Reject. Accept applies one
// WorkspaceEdit (so Undo restores the original); nothing touches the file before that.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../log';
import { decideAccept, type AcceptDecision, type Proposal, type ProposalRegistry } from './proposal';
import { narrowReplacement } from './render';

export const PROPOSAL_SCHEME = 'qwen-local-proposal';

/** How often a streaming proposal repaints, at most. */
const REPAINT_MS = 80;

/** The diff editor's sides of a proposal: the file itself (or an empty page for a new file) and the proposal. */
function sides(proposal: Proposal): { left: vscode.Uri; right: vscode.Uri; name: string } {
  const target = vscode.Uri.parse(proposal.init.targetUri);
  const name = path.posix.basename(target.path) || 'untitled';
  const right = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${proposal.id}/proposed/${name}` });
  const left = proposal.init.isNewFile ? vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${proposal.id}/original/${name}` }) : target;
  return { left, right, name };
}

/** Shows the proposals of the one registry; what it keeps per proposal is only its repaint state. */
export class ProposalView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly painting = new Map<string, { timer?: ReturnType<typeof setTimeout>; unsubscribe: () => void }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: Logger,
    private readonly registry: ProposalRegistry,
  ) {
    const stopListening = registry.onDidRemove((proposal) => this.closed(proposal));
    this.disposables.push(
      { dispose: stopListening },
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      // Closing the diff tab is a Reject.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const id = this.idOfTab(tab);
          if (id && !this.isShown(id)) this.discard(id);
        }
      }),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, id, side] = uri.path.split('/');
    const proposal = this.registry.get(id);
    if (!proposal) return '';
    return side === 'original' ? proposal.init.originalText : proposal.proposedText;
  }

  /** Opens a registered proposal's diff editor; the content follows the proposal as it streams. */
  async open(proposal: Proposal): Promise<void> {
    const { left, right, name } = sides(proposal);
    const state: { timer?: ReturnType<typeof setTimeout>; unsubscribe: () => void } = { unsubscribe: () => {} };
    state.unsubscribe = proposal.onDidChange(() => this.repaint(proposal, state, right));
    this.painting.set(proposal.id, state);
    const title = `${name}${proposal.init.isNewFile ? ' (new file)' : ''} ↔ Qwen Local: ${proposal.init.action}`;
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false } satisfies vscode.TextDocumentShowOptions);
  }

  private repaint(proposal: Proposal, state: { timer?: ReturnType<typeof setTimeout> }, right: vscode.Uri): void {
    if (proposal.state !== 'streaming') {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      this.emitter.fire(right);
      return;
    }
    state.timer ??= setTimeout(() => {
      state.timer = undefined;
      this.emitter.fire(right);
    }, REPAINT_MS);
  }

  /** Drops a proposal (its request ends if still streaming); its diff editor closes. */
  discard(id: string): void {
    this.registry.remove(id);
  }

  private closed(proposal: Proposal): void {
    const state = this.painting.get(proposal.id);
    this.painting.delete(proposal.id);
    if (state?.timer) clearTimeout(state.timer);
    state?.unsubscribe();
    void this.closeTabs(sides(proposal).right);
  }

  private idOfUri(uri: vscode.Uri | undefined): string | undefined {
    if (uri?.scheme !== PROPOSAL_SCHEME) return undefined;
    const id = uri.path.split('/')[1];
    return this.registry.get(id) ? id : undefined;
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
  private async resolve(arg: unknown): Promise<Proposal | undefined> {
    if (arg instanceof vscode.Uri) {
      const id = this.idOfUri(arg) ?? this.registry.all().find((p) => sides(p).left.toString() === arg.toString())?.id;
      if (id) return this.registry.get(id);
      // Invoked from the title of another diff editor (the buttons show in every diff while a proposal is open).
      if (vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff && !this.activeId()) {
        void vscode.window.showInformationMessage('This diff is not a Qwen Local proposal.');
        return undefined;
      }
    }
    const activeId = this.activeId();
    if (activeId) return this.registry.get(activeId);
    const all = this.registry.all();
    if (all.length <= 1) return all[0];
    const pick = await vscode.window.showQuickPick(
      all.map((p) => ({ label: `${p.init.action}: ${sides(p).name}`, proposal: p })),
      { title: 'Qwen Local: which proposal?' },
    );
    return pick?.proposal;
  }

  private activeId(): string | undefined {
    const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab;
    return activeTab ? this.idOfTab(activeTab) : this.idOfUri(vscode.window.activeTextEditor?.document.uri);
  }

  async reject(arg?: unknown): Promise<void> {
    const proposal = await this.resolve(arg);
    if (!proposal) {
      if (this.registry.size === 0) void vscode.window.showInformationMessage('No Qwen Local proposal is open.');
      return;
    }
    this.discard(proposal.id);
    vscode.window.setStatusBarMessage('$(close) Proposal rejected; nothing was changed.', 4000);
  }

  async accept(arg?: unknown): Promise<void> {
    const proposal = await this.resolve(arg);
    if (!proposal) {
      if (this.registry.size === 0) void vscode.window.showInformationMessage('No Qwen Local proposal is open.');
      return;
    }
    const target = vscode.Uri.parse(proposal.init.targetUri);
    try {
      if (proposal.init.isNewFile) {
        await this.acceptNewFile(proposal, target);
        return;
      }
      let document: vscode.TextDocument | undefined;
      try {
        document = await vscode.workspace.openTextDocument(target);
      } catch {
        document = undefined;
      }
      const decision = decideAccept(proposal, { exists: document !== undefined, text: document?.getText(), version: document?.version });
      await this.applyDecision(proposal, decision, document);
    } catch (error) {
      this.log.error('Accept failed', error);
      void vscode.window.showErrorMessage(`Could not apply the proposal: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async acceptNewFile(proposal: Proposal, target: vscode.Uri): Promise<void> {
    let exists = true;
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      exists = false;
    }
    const decision = decideAccept(proposal, { exists });
    if (decision.kind !== 'create') {
      await this.applyDecision(proposal, decision, undefined);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(target, { ignoreIfExists: false, contents: new TextEncoder().encode(decision.text) });
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Could not create ${vscode.workspace.asRelativePath(target)}.`);
      return;
    }
    this.discard(proposal.id);
    await vscode.window.showTextDocument(target, { preview: false });
  }

  private async applyDecision(proposal: Proposal, decision: AcceptDecision, document: vscode.TextDocument | undefined): Promise<void> {
    const name = vscode.workspace.asRelativePath(vscode.Uri.parse(proposal.init.targetUri));
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
    this.discard(proposal.id);
    const start = document.positionAt(narrowed.start);
    const end = document.positionAt(narrowed.start + narrowed.text.length);
    const editor = await vscode.window.showTextDocument(document, { preview: false, selection: new vscode.Range(start, start) });
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    vscode.window.setStatusBarMessage('$(check) Proposal applied. Undo restores the original.', 5000);
  }

  dispose(): void {
    for (const proposal of this.registry.all()) this.discard(proposal.id);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
