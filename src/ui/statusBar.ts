// The status bar item and the failure notifications: VS Code rendering of the core's StatusModel.

import * as vscode from 'vscode';
import type { BackendError } from '../backend/errors';
import { IncidentToast, keyToastMessage } from './incidentToast';
import type { StatusModel } from './statusModel';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qwenLocal.status', vscode.StatusBarAlignment.Right, 100);
  private snoozeTimer: ReturnType<typeof setTimeout> | undefined;
  private snoozeArmedFor = 0;
  /** The one toast of an outage: updated by every Retry, gone when the server answers. */
  private readonly offlineToast = new IncidentToast();
  /** The one toast of a refused or missing API key: gone when a request with the key succeeds. */
  private readonly keyToast = new IncidentToast();

  /** Call render() when the model changes, notify() for each incident it asks to tell, recovered() when an outage ends. */
  constructor(readonly model: StatusModel) {
    this.item.name = 'Qwen Local';
    this.item.command = 'qwenLocal.showMenu';
    this.render();
    this.item.show();
  }

  async notify(error: BackendError): Promise<void> {
    if (error.kind === 'unreachable') {
      this.offlineToast.show(error.message, this.model.facts.serverKind !== 'openai');
      return;
    }
    if (error.kind === 'unauthorized') {
      this.keyToast.showText(keyToastMessage(error.message));
      return;
    }
    if (error.kind === 'modelNotFound' && error.context.model) {
      const pull = `Pull ${error.context.model}`;
      const choice = await vscode.window.showWarningMessage(error.message, pull, 'Select Model');
      if (choice === pull) await vscode.commands.executeCommand('qwenLocal.pullModel', error.context.model);
      if (choice === 'Select Model') await vscode.commands.executeCommand('qwenLocal.selectCompletionModel');
      return;
    }
    const choice = await vscode.window.showErrorMessage(error.message, 'Show Log');
    if (choice === 'Show Log') await vscode.commands.executeCommand('qwenLocal.showLog');
  }

  /** The outage (or the key's refusal) is over: its toast goes away. */
  recovered(): void {
    this.offlineToast.end();
    this.keyToast.end();
  }

  /**
   * A Retry the person asked for failed: the incident's toast says so (shown again if they had
   * closed it), never a second toast.
   */
  stillOffline(message: string): void {
    this.offlineToast.show(message, this.model.facts.serverKind !== 'openai');
  }

  private armSnoozeTimer(until: number): void {
    this.snoozeArmedFor = until;
    if (this.snoozeTimer) clearTimeout(this.snoozeTimer);
    const left = until - Date.now();
    // One timer to repaint when the snooze ends; no polling.
    if (left > 0) this.snoozeTimer = setTimeout(() => this.render(), left + 50);
  }

  render(): void {
    const until = this.model.facts.snoozedUntil ?? 0;
    if (until !== this.snoozeArmedFor) this.armSnoozeTimer(until);
    const view = this.model.view();
    this.item.text = view.text;
    this.item.tooltip = new vscode.MarkdownString(view.tooltip.replace(/\n/g, '  \n'));
    this.item.backgroundColor =
      view.severity === 'warning'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : view.severity === 'error'
          ? new vscode.ThemeColor('statusBarItem.errorBackground')
          : undefined;
  }

  dispose(): void {
    if (this.snoozeTimer) clearTimeout(this.snoozeTimer);
    this.offlineToast.dispose();
    this.keyToast.dispose();
    this.item.dispose();
  }
}
