// activate(): the composition root. Adapts VS Code to the core's dependencies (core.ts), then
// registers providers, commands and views; nothing is decided here. Network checks run after
// activate() has returned, so the editor never waits for the model server.

import * as vscode from 'vscode';
import { registerActions } from './actions';
import { registerChat, type ChatApi } from './chat';
import { chatRetriever, registerCodebase } from './codebase/vscodeCodebase';
import { registerCodebaseTool } from './codebase/vscodeTool';
import { VsCodeContextSource, createInlineCompletions } from './completion/provider';
import { Config } from './config';
import { API_KEY_SECRET, createCore, type CoreUi } from './core';
import { registerLanguageModelProvider } from './lm/provider';
import { createLogger, type Logger, type LogSink } from './log';
import { registerModelCommands, runFirstRunCheck } from './models/commands';
import { registerCoreCommands } from './ui/commands';
import { StartupGate } from './startup';
import { StatusBar } from './ui/statusBar';
import { WorkspaceTrust } from './ui/trust';

let chat: ChatApi | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const phases = phaseTimer();
  const channel = vscode.window.createOutputChannel('Qwen Local', { log: true });
  context.subscriptions.push(channel);
  const sink = channelSink(channel);
  let log: Logger = createLogger(sink, () => 'debug');
  try {
    const config = new Config((message) => log.warn(message));
    context.subscriptions.push(config);
    log = createLogger(sink, () => config.settings.logLevel);

    const view: { bar?: StatusBar } = {}; // the bar renders the core's status model, so it comes second
    const editor = new VsCodeContextSource();
    const core = createCore({
      config,
      log,
      ui: editorUi(() => view.bar),
      envHost: () => process.env.OLLAMA_HOST,
      secrets: context.secrets,
      memento: context.globalState,
      isFocused: () => vscode.window.state.focused,
      editorContext: editor,
    });
    context.subscriptions.push(core);
    const bar = (view.bar = new StatusBar(core.status));
    phases.mark('core');
    context.subscriptions.push(bar, vscode.window.onDidChangeWindowState((s) => core.connection.health.focusChanged(s.focused)));
    // Restricted Mode: nothing of an untrusted workspace goes to the server on its own (workspace/trust.ts).
    const trust = new WorkspaceTrust(context, core.status, log);
    context.subscriptions.push(trust);

    const { services, models } = core;
    context.subscriptions.push(
      createInlineCompletions({
        engine: core.engine,
        editor,
        settings: () => config.settings,
        completionModel: () => models.completionModel(),
        numCtx: () => models.completionNumCtx(),
        active: () => core.completionsActive() && trust.limits().completions,
      }),
    );
    phases.mark('completions');
    const firstRun = () => runFirstRunCheck(context, services).catch((e: unknown) => log.error('First-run check failed', e));
    registerCoreCommands(context, { core, config, channel, bar, onReconnected: firstRun, restricted: () => trust.limits().restricted });
    registerModelCommands(context, services);
    phases.mark('commands');
    const actions = registerActions(context, services);
    phases.mark('actions');
    const codebase = registerCodebase(context, services, () => trust.limits(), trust.onDidChange);
    // Chat holds the server lane per answer itself, as actions do: completions wait meanwhile.
    chat = registerChat(context, services, {
      numCtx: () => models.chatNumCtx(),
      proposeReplacement: (uri, start, end, text, action) => actions.proposeReplacement(uri, start, end, text, action),
      codebase: chatRetriever(codebase, () => models.chatNumCtx(), () => config.settings.chat.codebaseAuto && trust.limits().autoAttach),
      autoAttach: { allowed: () => trust.limits().autoAttach, onDidChange: trust.onDidChange },
    });
    phases.mark('chat');
    registerLanguageModelProvider(context, services, (listener) => models.onDidChange(listener));
    phases.mark('lm');
    registerCodebaseTool(context, codebase, log.child('codebase'));
    phases.mark('codebase');
    const reloadKey = () => core.reloadApiKey().catch((e: unknown) => log.error('Reading the API key failed', e));
    context.subscriptions.push(context.secrets.onDidChange((e) => e.key === API_KEY_SECRET && void reloadKey()));

    // After activate() returns: the key; then, once the server setting is loaded (a remote window
    // can start without it, issue 17), the first health check and the first-run questions.
    const startup = new StartupGate(context, config, () => core.host(), log);
    context.subscriptions.push(startup);
    setTimeout(async () => {
      void trust.noticeOnce().catch((e: unknown) => log.error('The Restricted Mode notice failed', e));
      try {
        await core.reloadApiKey({ check: false });
        await startup.settled();
        startup.checked(await core.checkServer());
        await firstRun();
      } catch (e) {
        log.error('The start-up check failed', e);
      }
    }, 0);

    log.info(`Activated in ${phases.total()} ms (${phases.list()} ms); server ${core.host().url} (${core.host().source}).`);
  } catch (error) {
    // Report activation failures ourselves: VS Code's own message names no cause.
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Qwen Local failed to start: ${error instanceof Error ? error.message : String(error)}. See "Qwen Local: Show Log".`);
  }
}

/** Returns the history write, so VS Code waits for it: a conversation is never lost on close. */
export function deactivate(): Promise<void> | undefined {
  return chat?.flush();
}

/** How long each step of activate() took, for the activation log line. */
function phaseTimer() {
  const started = performance.now();
  const phases: string[] = [];
  let lap = started;
  return {
    mark(name: string) {
      const now = performance.now();
      phases.push(`${name} ${(now - lap).toFixed(1)}`);
      lap = now;
    },
    list: () => phases.join(', '),
    total: () => (performance.now() - started).toFixed(1),
  };
}

/**
 * The channel has a level of its own (info unless changed with "Set Log Level"): with
 * qwenLocal.logLevel = debug, debug lines are written at info level rather than dropped.
 */
function channelSink(channel: vscode.LogOutputChannel): LogSink {
  return {
    error: (m) => channel.error(m),
    warn: (m) => channel.warn(m),
    info: (m) => channel.info(m),
    debug: (m) => (channel.logLevel <= vscode.LogLevel.Debug ? channel.debug(m) : channel.info(`[debug] ${m}`)),
  };
}

/** What the core tells a person, as VS Code notifications with their follow-up commands. */
function editorUi(bar: () => StatusBar | undefined): CoreUi {
  const run = (command: string, ...args: unknown[]) => (choice: string | undefined) => choice && vscode.commands.executeCommand(command, ...args);
  return {
    statusChanged: () => bar()?.render(),
    notify: (error) => void bar()?.notify(error),
    recovered: () => bar()?.recovered(),
    badHost: (message) => void vscode.window.showWarningMessage(`Qwen Local: ${message}`, 'Open Settings').then(run('workbench.action.openSettings', 'qwenLocal.ollamaHost')),
    keyInClear: (message) => void vscode.window.showWarningMessage(message),
    partlyOnCpu: (message) => void vscode.window.showWarningMessage(message, 'Select Completion Model').then(run('qwenLocal.selectCompletionModel')),
    keyQuestion: (message) => void vscode.window.showInformationMessage(message, 'Set API Key').then(run('qwenLocal.setApiKey')),
  };
}
