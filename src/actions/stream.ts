// Running one chat request for an action: streaming its text, turning whatever fails into a
// BackendError, and feeding a proposal. Pure (no `vscode`): the glue adds the progress notification.

import type { Backend, ChatRequest, GenerationStats } from '../backend/backend';
import type { BackendError } from '../backend/errors';
import { failureOf, readAnswer } from '../backend/stream';
import type { Logger } from '../log';
import type { Proposal } from './proposal';

export interface StreamOutcome {
  text: string;
  stats?: GenerationStats;
  /** The token limit cut the answer (`done_reason: "length"`): the text is not a whole answer. */
  cut: boolean;
}

/**
 * Streams a chat answer through the one answer reader (backend/stream.ts), calling `onText` with the
 * whole text so far after each chunk. Anything but a whole answer throws a BackendError: 'aborted'
 * when the request's signal was aborted (even if the server had already finished sending), and a
 * stream that closed without its final chunk is a failure, never a short success.
 */
export async function streamChat(backend: Backend, request: ChatRequest, onText?: (text: string) => void): Promise<StreamOutcome> {
  const ctx = { host: backend.host, model: request.model };
  const answer = await readAnswer(backend.chat(request), ctx, { signal: request.signal, onText: (_piece, text) => onText?.(text) });
  const failure = failureOf(answer, ctx);
  if (failure) throw failure;
  return { text: answer.text, stats: answer.stats, cut: answer.end === 'length' };
}

/** How an answer becomes the proposal's replacement; undefined when there is nothing usable yet. */
export type Render = (answer: string, final: boolean) => string | undefined;

export type ProposalOutcome =
  | { kind: 'ready'; answer: string }
  /** The model's answer held no code (or nothing usable). */
  | { kind: 'empty'; answer: string }
  /** The model proposed exactly the original. */
  | { kind: 'unchanged'; answer: string }
  /** The output limit cut the answer: half a function is never proposed. */
  | { kind: 'cut'; answer: string };

/**
 * Streams an answer into a proposal: each chunk re-renders the replacement, the end completes it.
 * On failure, cancel or a cut answer the proposal is marked failed (it shows the original again);
 * failures and cancels are rethrown. The target file is never touched here.
 */
export async function streamIntoProposal(backend: Backend, request: ChatRequest, proposal: Proposal, render: Render): Promise<ProposalOutcome> {
  let outcome: StreamOutcome;
  try {
    outcome = await streamChat(backend, request, (text) => {
      const partial = render(text, false);
      if (partial !== undefined) proposal.update(partial);
    });
  } catch (error) {
    proposal.fail();
    throw error;
  }
  if (outcome.cut) {
    proposal.fail();
    return { kind: 'cut', answer: outcome.text };
  }
  const final = render(outcome.text, true);
  if (final === undefined || final.trim() === '') {
    proposal.fail();
    return { kind: 'empty', answer: outcome.text };
  }
  proposal.complete(final);
  return proposal.unchanged ? { kind: 'unchanged', answer: outcome.text } : { kind: 'ready', answer: outcome.text };
}

/**
 * Logs an answer that held nothing usable: its length at info, its text only at debug. A model's
 * answer is the user's code and whatever the model made of it; a workspace can raise the log level,
 * so the text never goes to the log at info.
 */
export function logUnusableAnswer(log: Logger, what: string, answer: string): void {
  log.info(`${what}: the answer (${answer.length} characters) held nothing usable; set the log level to debug to see it.`);
  log.debug(`${what}: the unusable answer:\n${answer.slice(0, 2000)}`);
}

export interface FailureAction {
  title: string;
  command: string;
  args: unknown[];
}

export interface FailureMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: FailureAction[];
}

/**
 * What the user reads when an action's request fails, and what they can do about it. `what` names
 * the action ("Edit Selection"). Nothing was changed in any case; the message says so.
 */
export function failureMessage(error: BackendError, what: string): FailureMessage {
  const unchanged = 'Nothing was changed.';
  switch (error.kind) {
    case 'aborted':
      return { severity: 'info', message: `${what} cancelled. ${unchanged}`, actions: [] };
    case 'modelNotFound': {
      const model = error.context.model;
      return {
        severity: 'warning',
        message: `${what}: ${error.message} ${unchanged}`,
        actions: [
          ...(model ? [{ title: `Pull ${model}`, command: 'qwenLocal.pullModel', args: [model] }] : []),
          { title: 'Select Chat Model', command: 'qwenLocal.selectChatModel', args: [] },
        ],
      };
    }
    case 'unreachable':
      return {
        severity: 'warning',
        message: `${what}: ${error.message} ${unchanged}`,
        actions: [{ title: 'Retry Connection', command: 'qwenLocal.retryConnection', args: [] }],
      };
    case 'unauthorized':
      return {
        severity: 'error',
        message: `${what}: ${error.message} ${unchanged}`,
        actions: [{ title: 'Set API Key', command: 'qwenLocal.setApiKey', args: [] }],
      };
    default:
      return {
        severity: 'error',
        message: `${what}: ${error.message} ${unchanged}`,
        actions: [{ title: 'Show Log', command: 'qwenLocal.showLog', args: [] }],
      };
  }
}
