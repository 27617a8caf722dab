// The actions' editor interface implemented for VS Code: the diff view, the progress notification
// whose Cancel aborts the request, the status bar line and the notifications.

import * as vscode from 'vscode';
import type { ActionsIde, Severity } from './ide';
import type { ProposalView } from './proposalView';

const SHOW: Record<Severity, (message: string, ...items: string[]) => Thenable<string | undefined>> = {
  info: (m, ...items) => vscode.window.showInformationMessage(m, ...items),
  warning: (m, ...items) => vscode.window.showWarningMessage(m, ...items),
  error: (m, ...items) => vscode.window.showErrorMessage(m, ...items),
};

export function vscodeActionsIde(view: ProposalView): ActionsIde {
  return {
    showProposal: (proposal) => view.open(proposal),
    async withProgress(title, controller, body) {
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          return await body();
        } finally {
          cancel.dispose();
        }
      });
    },
    flash: (text, ms) => void vscode.window.setStatusBarMessage(text, ms),
    notify: async (severity, message, buttons = []) => SHOW[severity](message, ...buttons),
    runCommand: async (command, ...args) => {
      await vscode.commands.executeCommand(command, ...args);
    },
  };
}
