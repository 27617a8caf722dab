// The status bar item and the notifications of failures (VS Code glue over statusView and incidents).

import * as vscode from 'vscode';
import type { BackendError } from '../backend/errors';
import type { Logger } from '../log';
import type { StatusReporter } from '../services';
import { IncidentTracker } from './incidents';
import { statusView, type StatusFacts } from './statusView';

const INSTALL_URL = 'https://ollama.com/download';

export class StatusBar implements StatusReporter, vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qwenLocal.status', vscode.StatusBarAlignment.Right, 100);
  private readonly incidents = new IncidentTracker();
  private readonly work = new Map<number, string>();
  private nextWorkId = 0;
  private snoozeTimer: ReturnType<typeof setTimeout> | undefined;
  private facts: Omit<StatusFacts, 'now' | 'working'>;
  /** Called when a success follows an outage, so features can refresh (e.g. warm the model up). */
  onRecovered: () => void = () => {};

  constructor(
    initial: Omit<StatusFacts, 'now' | 'working' | 'connection'>,
    private readonly log: Logger,
  ) {
    this.facts = { ...initial, connection: 'connecting' };
    this.item.name = 'Qwen Local';
    this.item.command = 'qwenLocal.showMenu';
    this.render();
    this.item.show();
  }

  update(facts: Partial<Omit<StatusFacts, 'now' | 'working'>>): void {
    this.facts = { ...this.facts, ...facts };
    this.render();
    if (facts.snoozedUntil !== undefined) this.armSnoozeTimer();
  }

  get offline(): boolean {
    return this.facts.connection === 'offline';
  }

  beginWork(label: string): () => void {
    const id = this.nextWorkId++;
    this.work.set(id, label);
    this.render();
    return () => {
      if (this.work.delete(id)) this.render();
    };
  }

  setLoading(model: string | undefined): void {
    this.update({ loadingModel: model });
  }

  reportOk(): void {
    const wasDown = this.incidents.resolve() || this.facts.connection !== 'ready';
    if (this.facts.connection !== 'ready' || this.facts.lastError) this.update({ connection: 'ready', lastError: undefined });
    if (wasDown) this.onRecovered();
  }

  reportError(error: BackendError): void {
    if (error.kind === 'aborted') return;
    this.log.warn(`${error.kind}: ${error.message}${error.detail && error.detail !== error.message ? ` (${error.detail})` : ''}`);
    if (error.kind === 'timeout') return; // shows nothing: the next keystroke tries again
    const notify = this.incidents.report(error);
    this.update(error.kind === 'unreachable' ? { connection: 'offline' } : { connection: 'error', lastError: error.message });
    if (notify) void this.notify(error);
  }

  private async notify(error: BackendError): Promise<void> {
    if (error.kind === 'unreachable') {
      const choice = await vscode.window.showWarningMessage(error.message, 'Retry', 'Open Settings', 'Install Ollama');
      if (choice === 'Retry') await vscode.commands.executeCommand('qwenLocal.retryConnection');
      if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'qwenLocal.ollamaHost');
      if (choice === 'Install Ollama') await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
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

  private armSnoozeTimer(): void {
    if (this.snoozeTimer) clearTimeout(this.snoozeTimer);
    const left = (this.facts.snoozedUntil ?? 0) - Date.now();
    // One timer to repaint when the snooze ends; no polling.
    if (left > 0) this.snoozeTimer = setTimeout(() => this.render(), left + 50);
  }

  private render(): void {
    const view = statusView({ ...this.facts, working: [...new Set(this.work.values())], now: Date.now() });
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
    this.item.dispose();
  }
}
