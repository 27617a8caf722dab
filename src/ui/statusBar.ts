// The status bar item and the failure notifications: VS Code rendering of StatusModel.

import * as vscode from 'vscode';
import type { BackendError } from '../backend/errors';
import type { Logger } from '../log';
import { IncidentToast } from './incidentToast';
import { StatusModel, type StaticFacts } from './statusModel';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qwenLocal.status', vscode.StatusBarAlignment.Right, 100);
  private snoozeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The one toast of an outage: updated by every Retry, gone when the server answers. */
  private readonly offlineToast = new IncidentToast();
  readonly model: StatusModel;
  /** Called when a success follows an outage, so features can refresh (e.g. warm the model up). */
  onRecovered: () => void = () => {};

  constructor(initial: Omit<StaticFacts, 'connection'>, log: Logger) {
    this.model = new StatusModel(initial, {
      changed: () => this.render(),
      notify: (error) => void this.notify(error),
      recovered: () => {
        this.offlineToast.end();
        this.onRecovered();
      },
      log: (m) => log.warn(m),
    });
    this.item.name = 'Qwen Local';
    this.item.command = 'qwenLocal.showMenu';
    this.render();
    this.item.show();
  }

  update(facts: Partial<StaticFacts>): void {
    this.model.update(facts);
    if (facts.snoozedUntil !== undefined) this.armSnoozeTimer();
  }

  private async notify(error: BackendError): Promise<void> {
    if (error.kind === 'unreachable') {
      this.offlineToast.show(error.message);
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

  /**
   * A Retry the person asked for failed: the incident's toast says so (shown again if they had
   * closed it), never a second toast.
   */
  stillOffline(host: string): void {
    const time = new Date().toLocaleTimeString();
    this.offlineToast.show(`Ollama is still not reachable at ${host} (checked ${time}). Start it with "ollama serve"; Qwen Local reconnects on its own.`);
  }

  private armSnoozeTimer(): void {
    if (this.snoozeTimer) clearTimeout(this.snoozeTimer);
    const left = (this.model.facts.snoozedUntil ?? 0) - Date.now();
    // One timer to repaint when the snooze ends; no polling.
    if (left > 0) this.snoozeTimer = setTimeout(() => this.render(), left + 50);
  }

  private render(): void {
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
    this.item.dispose();
  }
}
