// VS Code glue of workspace/trust.ts: reads the workspace's trust and folder schemes, keeps the
// status bar and the `qwenLocal.restricted` context key up to date, offers "Allow in This Window",
// and says once per workspace what Restricted Mode limits. Nothing is decided here.

import * as vscode from 'vscode';
import type { Logger } from '../log';
import { limitsTooltip, restrictedNotice, workspaceLimits, type TrustFacts, type WorkspaceLimits } from '../workspace/trust';
import type { StatusModel } from './statusModel';

export const ALLOW_IN_WINDOW_COMMAND = 'qwenLocal.allowInUntrustedWorkspace';
const NOTICE_SHOWN_KEY = 'qwenLocal.restrictedNoticeShown';
const TRUST = 'Trust Workspace…';
const ALLOW = 'Allow in This Window';

export class WorkspaceTrust implements vscode.Disposable {
  private allowedInWindow = false;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  /** Fires when what is limited changes (trust granted, allowed in this window, folders changed). */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly status: StatusModel,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('The workspace is trusted now: completions and chat attachments work as usual.');
        this.changed();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.changed()),
      vscode.commands.registerCommand(ALLOW_IN_WINDOW_COMMAND, () => this.allow()),
    );
    this.sync();
  }

  facts(): TrustFacts {
    return {
      trusted: vscode.workspace.isTrusted,
      allowedInWindow: this.allowedInWindow,
      folderSchemes: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme),
    };
  }

  limits(): WorkspaceLimits {
    return workspaceLimits(this.facts());
  }

  /** Says once per workspace what Restricted Mode limits, with the two ways out. */
  async noticeOnce(): Promise<void> {
    const text = restrictedNotice(this.facts(), this.context.workspaceState.get<boolean>(NOTICE_SHOWN_KEY) === true);
    if (!text) return;
    this.log.info('Restricted Mode: completions off and no automatic chat attachments until the workspace is trusted.');
    await this.context.workspaceState.update(NOTICE_SHOWN_KEY, true);
    const choice = await vscode.window.showInformationMessage(text, TRUST, ALLOW);
    if (choice === TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
    if (choice === ALLOW) this.allow();
  }

  private allow(): void {
    if (this.allowedInWindow || vscode.workspace.isTrusted) return;
    this.allowedInWindow = true;
    this.log.info('Restricted Mode: the user allowed completions and chat attachments in this window.');
    this.changed();
  }

  private changed(): void {
    this.sync();
    this.emitter.fire();
  }

  private sync(): void {
    const facts = this.facts();
    const limits = workspaceLimits(facts);
    this.status.update({ restricted: limits.restricted, limits: limitsTooltip(facts) });
    void vscode.commands.executeCommand('setContext', 'qwenLocal.restricted', limits.restricted);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
