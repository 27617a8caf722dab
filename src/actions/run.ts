// The streaming helper of the actions (VS Code glue over stream.ts): one chat request under a
// cancellable progress notification whose Cancel aborts the request at the server, with the status
// bar's "working" state, and one message when it fails.

import * as vscode from 'vscode';
import type { ChatMessage } from '../backend/backend';
import { BackendError, toBackendError } from '../backend/errors';
import type { Services } from '../services';
import { actionRequest, type RequestResult } from './prompts';
import { failureMessage } from './stream';

/** The chat request for an action's messages with the current chat model and settings. */
export function buildRequest(services: Services, messages: ChatMessage[], maxOutputTokens: number): RequestResult {
  const settings = services.config.settings;
  return actionRequest(messages, {
      model: services.models.chatModel(),
      temperature: settings.chat.temperature,
      keepAlive: settings.keepAlive,
      numCtx: services.models.chatNumCtx(),
    }, maxOutputTokens);
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
 * Runs `body` with an AbortSignal under a cancellable progress notification. Returns its result, or
 * undefined after a failure or a cancel (then the user has been told why, and that nothing changed).
 */
export async function runWithProgress<T>(services: Services, options: RunOptions, body: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const log = services.log.child('actions');
  const controller = options.controller ?? new AbortController();
  const failure = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: options.title, cancellable: true },
    async (_progress, token): Promise<{ ok: true; value: T } | { ok: false; error: BackendError }> => {
      const cancel = token.onCancellationRequested(() => controller.abort());
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
        cancel.dispose();
        release();
        endWork();
      }
    },
  );
  if (failure.ok) return failure.value;
  // Shown after the progress notification has closed, without waiting for the user.
  void showFailure(failure.error, options.what);
  return undefined;
}

async function showFailure(error: BackendError, what: string): Promise<void> {
  const { severity, message, actions } = failureMessage(error, what);
  if (severity === 'info') {
    vscode.window.setStatusBarMessage(`$(circle-slash) ${message}`, 5000);
    return;
  }
  const show = severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  const choice = await show(message, ...actions.map((a) => a.title));
  const action = actions.find((a) => a.title === choice);
  if (action) await vscode.commands.executeCommand(action.command, ...action.args);
}
