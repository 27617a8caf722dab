// The command-palette actions of Qwen Local: Edit Selection…, Generate Docstring, Generate Tests,
// Fix This Problem (also a quick fix), Write Commit Message, and Accept/Reject of a proposal.

import * as vscode from 'vscode';
import type { Services } from '../services';
import { writeCommitMessage } from './commitCommand';
import { editSelection, fixProblem, FixCodeActionProvider, generateDocstring } from './editCommands';
import { documentEol } from './editor';
import { ProposalRegistry } from './proposal';
import { ProposalView } from './proposalView';
import { proposeText, type ActionsContext } from './propose';
import { vscodeActionsIde } from './vscodeIde';
import { generateTests } from './testsCommand';

/**
 * Registers the actions' commands, the proposal document provider and the "Fix with Qwen Local"
 * code action provider; everything is disposed with the extension.
 *
 * Commands: qwenLocal.editSelection, qwenLocal.generateDocstring, qwenLocal.generateTests,
 * qwenLocal.fixProblem (args: uri, diagnostic), qwenLocal.writeCommitMessage (arg: the SourceControl
 * of the scm/title menu), qwenLocal.acceptProposal and qwenLocal.rejectProposal (arg: the diff
 * editor's resource). Sets the context key qwenLocal.proposalOpen while a proposal is open.
 */
export interface ActionsApi {
  /**
   * Shows `text` as a proposed replacement of [start, end) in `uri` in the same diff editor as the
   * actions, with Accept/Reject in its title; the file changes only on Accept (one undoable edit).
   */
  proposeReplacement(uri: vscode.Uri, start: number, end: number, text: string, action: string): Promise<void>;
}

export function registerActions(context: vscode.ExtensionContext, services: Services): ActionsApi {
  const proposals = new ProposalRegistry((count) => void vscode.commands.executeCommand('setContext', 'qwenLocal.proposalOpen', count > 0));
  const view = new ProposalView(services.log.child('actions'), proposals);
  const ctx: ActionsContext = { services, ide: vscodeActionsIde(view), proposals };
  const log = services.log.child('actions');
  // A command's unexpected failure is logged and reported, never left as an unhandled rejection.
  const guard =
    (name: string, run: (...args: unknown[]) => Promise<void>) =>
    async (...args: unknown[]): Promise<void> => {
      try {
        await run(...args);
      } catch (error) {
        log.error(`${name} failed`, error);
        void vscode.window.showErrorMessage(`Qwen Local: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
  context.subscriptions.push(
    view,
    vscode.commands.registerCommand('qwenLocal.editSelection', guard('Edit Selection', () => editSelection(ctx))),
    vscode.commands.registerCommand('qwenLocal.generateDocstring', guard('Generate Docstring', () => generateDocstring(ctx))),
    vscode.commands.registerCommand('qwenLocal.generateTests', guard('Generate Tests', () => generateTests(ctx))),
    vscode.commands.registerCommand('qwenLocal.fixProblem', guard('Fix This Problem', (uri, diagnostic) => fixProblem(ctx, uri, diagnostic))),
    vscode.commands.registerCommand('qwenLocal.writeCommitMessage', guard('Write Commit Message', (arg) => writeCommitMessage(ctx, arg))),
    vscode.commands.registerCommand('qwenLocal.acceptProposal', guard('Accept Proposal', (arg) => view.accept(arg))),
    vscode.commands.registerCommand('qwenLocal.rejectProposal', guard('Reject Proposal', (arg) => view.reject(arg))),
    vscode.languages.registerCodeActionsProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-notebook-cell' }, { scheme: 'vscode-remote' }],
      new FixCodeActionProvider(() => services.config.settings.completion.exclude),
      FixCodeActionProvider.metadata,
    ),
  );
  void vscode.commands.executeCommand('setContext', 'qwenLocal.proposalOpen', false);
  return {
    async proposeReplacement(uri, start, end, text, action) {
      const document = await vscode.workspace.openTextDocument(uri);
      const init = { action, targetUri: uri.toString(), originalText: document.getText(), version: document.version, start, end, isNewFile: false, eol: documentEol(document) };
      await proposeText(ctx, init, text);
    },
  };
}
