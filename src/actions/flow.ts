// The one edit-with-diff flow of edit, docstring, tests and fix (VS Code glue): a proposal opens in a
// diff editor, the answer streams into it under a cancellable progress notification, and the user
// accepts or rejects it. The file is never touched before Accept.

import * as vscode from 'vscode';
import type { ChatMessage } from '../backend/backend';
import type { Services } from '../services';
import { Proposal } from './proposal';
import type { ProposalView } from './proposalView';
import { buildRequest, runWithProgress } from './run';
import { logUnusableAnswer, streamIntoProposal, type Render } from './stream';
import type { Eol } from './text';

export interface ActionsContext {
  services: Services;
  view: ProposalView;
}

export interface ChangeSpec {
  /** The command's name in messages ("Edit Selection"). */
  what: string;
  /** Short label in the diff title ("Edit", "Docstring"). */
  action: string;
  /** Progress text while the model writes. */
  progress: string;
  targetUri: vscode.Uri;
  /** The target's current text ('' for a new file). */
  originalText: string;
  version: number | undefined;
  start: number;
  end: number;
  isNewFile: boolean;
  eol: Eol;
  messages: ChatMessage[];
  maxOutputTokens: number;
  render: Render;
}

export async function proposeChange(ctx: ActionsContext, spec: ChangeSpec): Promise<void> {
  const { services, view } = ctx;
  const log = services.log.child('actions');
  const built = buildRequest(services, spec.messages, spec.maxOutputTokens);
  if (!built.ok) {
    void vscode.window.showWarningMessage(`${spec.what}: ${built.reason}`);
    return;
  }
  const proposal = new Proposal({
    id: view.registry.nextId(),
    action: spec.action,
    targetUri: spec.targetUri.toString(),
    originalText: spec.originalText,
    version: spec.version,
    start: spec.start,
    end: spec.end,
    isNewFile: spec.isNewFile,
    eol: spec.eol,
  });
  const controller = new AbortController();
  await view.open(proposal, controller);
  const backend = services.backend();
  log.debug(`${spec.what}: ${built.request.model}, num_ctx ${built.request.options?.num_ctx ?? '?'}`);
  const outcome = await runWithProgress(services, { what: spec.what, title: `Qwen Local: ${spec.progress}`, controller }, (signal) =>
    streamIntoProposal(backend, { ...built.request, signal }, proposal, spec.render),
  );
  if (outcome === undefined) {
    view.discard(proposal.id);
    return;
  }
  if (outcome.kind === 'empty') {
    view.discard(proposal.id);
    logUnusableAnswer(log, spec.what, outcome.answer);
    void vscode.window.showWarningMessage(`${spec.what}: the model's answer held no usable code, so nothing was changed. Try again, or rephrase.`, 'Show Log').then((c) => {
      if (c === 'Show Log') void vscode.commands.executeCommand('qwenLocal.showLog');
    });
    return;
  }
  if (outcome.kind === 'cut') {
    view.discard(proposal.id);
    log.info(`${spec.what}: the answer reached the output limit of ${spec.maxOutputTokens} tokens (${outcome.answer.length} characters) before it was complete`);
    void vscode.window.showWarningMessage(`${spec.what}: the answer reached the output limit before it was complete, so nothing was proposed. Select less code and try again.`);
    return;
  }
  if (outcome.kind === 'unchanged') {
    view.discard(proposal.id);
    void vscode.window.showInformationMessage(`${spec.what}: the model proposed no change.`);
    return;
  }
  // Ready: the diff stays open with Accept/Reject in its title.
  vscode.window.setStatusBarMessage('$(diff) Review the proposal, then Accept (✓) or Reject (✕) in the editor title.', 8000);
}
