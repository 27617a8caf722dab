// The one edit-with-diff flow of edit, docstring, tests and fix: a proposal opens in a diff editor,
// the answer streams into it under a cancellable progress notification, and the user accepts or
// rejects it; the file is never touched before Accept. Also the one request runner of the actions
// (Write Commit Message streams into the Source Control box instead). Pure (no `vscode`): the editor
// is the ActionsIde.

import type { Backend, ChatMessage, ChatRequest, GenerationStats } from '../backend/backend';
import { BackendError, toBackendError } from '../backend/errors';
import { failureOf, readAnswer } from '../backend/stream';
import type { Logger } from '../log';
import type { Services } from '../services';
import type { ActionsIde } from './ide';
import { actionRequest, type RequestResult } from './prompts';
import type { Proposal, ProposalInit, ProposalRegistry } from './proposal';
import type { Render } from './render';
import type { Eol } from './text';

export interface ActionsContext {
  services: Services;
  ide: ActionsIde;
  proposals: ProposalRegistry;
}

/** What a command proposes: the planning functions' result, plain data. */
export interface ChangeSpec {
  /** The command's name in messages ("Edit Selection"). */
  what: string;
  /** Short label in the diff title ("Edit", "Docstring"). */
  action: string;
  /** Progress text while the model writes. */
  progress: string;
  /** The target document's URI, as a string. */
  targetUri: string;
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

/** The chat request for an action's messages with the current chat model and settings. */
export function buildRequest(services: Services, messages: ChatMessage[], maxOutputTokens: number): RequestResult {
  const settings = services.config.settings;
  return actionRequest(
    messages,
    { model: services.models.chatModel(), temperature: settings.chat.temperature, keepAlive: settings.keepAlive, numCtx: services.models.chatNumCtx() },
    maxOutputTokens,
  );
}

/** How a proposal ended, for callers and tests; the user has been told already. */
export type ProposeResult = ProposalOutcome['kind'] | 'failed' | 'invalid';

/** Proposes a change: opens the diff, streams the answer into it, and says how it ended. */
export async function propose(ctx: ActionsContext, spec: ChangeSpec): Promise<{ result: ProposeResult; proposal?: Proposal; answer?: string }> {
  const { services, ide, proposals } = ctx;
  const log = services.log.child('actions');
  const built = buildRequest(services, spec.messages, spec.maxOutputTokens);
  if (!built.ok) {
    void ide.notify('warning', `${spec.what}: ${built.reason}`);
    return { result: 'invalid' };
  }
  const controller = new AbortController();
  const { what, action, targetUri, originalText, version, start, end, isNewFile, eol } = spec;
  const proposal = proposals.create({ action, targetUri, originalText, version, start, end, isNewFile, eol }, controller);
  await ide.showProposal(proposal);
  const backend = services.backend();
  log.debug(`${what}: ${built.request.model}, num_ctx ${built.request.options?.num_ctx ?? '?'}`);
  const outcome = await runRequest(ctx, { what, title: `Qwen Local: ${spec.progress}`, controller }, (signal) =>
    streamIntoProposal(backend, { ...built.request, signal }, proposal, spec.render),
  );
  if (outcome === undefined) {
    proposals.remove(proposal.id);
    return { result: 'failed', proposal };
  }
  switch (outcome.kind) {
    case 'empty':
      proposals.remove(proposal.id);
      logUnusableAnswer(log, what, outcome.answer);
      void ide.notify('warning', `${what}: the model's answer held no usable code, so nothing was changed. Try again, or rephrase.`, ['Show Log']).then((c) => {
        if (c === 'Show Log') void ide.runCommand('qwenLocal.showLog');
      });
      break;
    case 'cut':
      proposals.remove(proposal.id);
      log.info(`${what}: the answer reached the output limit of ${spec.maxOutputTokens} tokens (${outcome.answer.length} characters) before it was complete`);
      void ide.notify('warning', `${what}: the answer reached the output limit before it was complete, so nothing was proposed. Select less code and try again.`);
      break;
    case 'unchanged':
      proposals.remove(proposal.id);
      void ide.notify('info', `${what}: the model proposed no change.`);
      break;
    case 'ready':
      // The diff stays open with Accept/Reject in its title.
      ide.flash('$(diff) Review the proposal, then Accept (✓) or Reject (✕) in the editor title.', 8000);
      break;
  }
  return { result: outcome.kind, proposal, answer: outcome.answer };
}

/**
 * Proposes a ready replacement (chat's Apply to File): the same registry, diff and Accept/Reject as
 * the actions, without a request.
 */
export async function proposeText(ctx: Pick<ActionsContext, 'ide' | 'proposals'>, init: Omit<ProposalInit, 'id'>, text: string): Promise<Proposal> {
  const proposal = ctx.proposals.create(init);
  // Complete before the diff shows: an Accept clicked as soon as it appears must not meet "still being written".
  proposal.complete(text);
  await ctx.ide.showProposal(proposal);
  ctx.ide.flash('$(diff) Review the proposal, then Accept (✓) or Reject (✕) in the editor title.', 8000);
  return proposal;
}

export interface RunOptions {
  /** The action's name in messages ("Edit Selection"). */
  what: string;
  /** The progress notification's text ("Qwen Local: writing the edit…"). */
  title: string;
  /** Aborting this (e.g. Reject while streaming) also ends the request. */
  controller?: AbortController;
}

/**
 * Runs `body` with an AbortSignal under a cancellable progress notification, with the status bar's
 * "working" state and the server held. Returns its result, or undefined after a failure or a cancel
 * (then the user has been told why, and that nothing changed).
 */
export async function runRequest<T>(ctx: Pick<ActionsContext, 'services' | 'ide'>, options: RunOptions, body: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const { services, ide } = ctx;
  const log = services.log.child('actions');
  const controller = options.controller ?? new AbortController();
  const ran = await ide.withProgress(options.title, controller, async (): Promise<{ ok: true; value: T } | { ok: false; error: BackendError }> => {
    const endWork = services.status.beginWork(options.what);
    const release = services.holdServer();
    try {
      const value = await body(controller.signal);
      services.status.reportOk();
      return { ok: true, value };
    } catch (error) {
      const backendError = toBackendError(error, { host: services.backend().host, model: services.models.chatModel() });
      if (!(error instanceof BackendError)) log.error(`${options.what} failed`, error);
      else if (backendError.kind !== 'aborted') log.warn(`${options.what}: ${backendError.kind}: ${backendError.detail ?? backendError.message}`);
      return { ok: false, error: backendError };
    } finally {
      release();
      endWork();
    }
  });
  if (ran.ok) return ran.value;
  // Shown after the progress notification has closed, without waiting for the user.
  void showFailure(ide, ran.error, options.what);
  return undefined;
}

async function showFailure(ide: ActionsIde, error: BackendError, what: string): Promise<void> {
  const { severity, message, actions } = failureMessage(error, what);
  if (severity === 'info') {
    ide.flash(`$(circle-slash) ${message}`, 5000);
    return;
  }
  const choice = await ide.notify(severity, message, actions.map((a) => a.title));
  const action = actions.find((a) => a.title === choice);
  if (action) await ide.runCommand(action.command, ...action.args);
}

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
