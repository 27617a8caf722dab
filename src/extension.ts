// activate(): build the services, register the features; nothing else. Network checks run after
// activate() has returned, so the editor never waits for the model server.

import * as vscode from 'vscode';
import { registerActions } from './actions';
import { registerChat, type ChatApi } from './chat';
import { Connection } from './backend/connection';
import type { HealthMonitor } from './backend/health';
import { keyTravelsInClear, resolveHost, type ResolvedHost } from './backend/host';
import { partlyOnCpuWarning, warmUp } from './backend/warmup';
import { createInlineCompletions } from './completion/provider';
import { ServerLanes } from './completion/scheduler';
import { statisticsReport, type StatsSnapshot } from './completion/stats';
import { Config } from './config';
import { createLogger, type Logger } from './log';
import { registerModelCommands, runFirstRunCheck } from './models/commands';
import { createModelManager } from './models/manager';
import type { Services } from './services';
import { showMenu } from './ui/menu';
import { StatusBar } from './ui/statusBar';
import { StartupGate } from './startup';

const API_KEY_SECRET = 'qwenLocal.apiKey';
const SNOOZE_MS = 15 * 60_000;

let chat: ChatApi | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const phases: string[] = [];
  let lap = started;
  /** Records how long the step since the last mark took, for the activation log line. */
  const mark = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${(now - lap).toFixed(1)}`);
    lap = now;
  };
  const channel = vscode.window.createOutputChannel('Qwen Local', { log: true });
  context.subscriptions.push(channel);
  // The channel has a level of its own (info unless changed with "Set Log Level"): with
  // qwenLocal.logLevel = debug, debug lines are written at info level rather than dropped.
  const sink = {
    error: (m: string) => channel.error(m),
    warn: (m: string) => channel.warn(m),
    info: (m: string) => channel.info(m),
    debug: (m: string) => (channel.logLevel <= vscode.LogLevel.Debug ? channel.debug(m) : channel.info(`[debug] ${m}`)),
  };
  let log: Logger = createLogger(sink, () => 'debug');
  try {
    const config = new Config((message) => log.warn(message));
    context.subscriptions.push(config);
    log = createLogger(sink, () => config.settings.logLevel);

    // Resolved once per setting value: a bad value is reported once, not on every request.
    let resolved: { raw: string; host: ResolvedHost } | undefined;
    const host = (): ResolvedHost => {
      const raw = `${config.settings.ollamaHost}\n${process.env.OLLAMA_HOST ?? ''}`;
      if (resolved?.raw !== raw) {
        try {
          resolved = { raw, host: resolveHost(config.settings.ollamaHost, process.env.OLLAMA_HOST) };
        } catch (error) {
          const message = `Ignoring the Ollama host setting: ${error instanceof Error ? error.message : String(error)}`;
          log.warn(message);
          void vscode.window.showWarningMessage(`Qwen Local: ${message}`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'qwenLocal.ollamaHost'));
          resolved = { raw, host: resolveHost(undefined, undefined) };
        }
      }
      return resolved.host;
    };

    let apiKey: string | undefined;
    // `auto` resolves through the hardware choice; until detection ends, a choice safe anywhere.
    const models = createModelManager({ settings: () => config.settings, backend: () => connection.backend(), log: log.child('models') });
    const status = new StatusBar(
      {
        host: host().url,
        completionModel: models.completionModel(),
        chatModel: models.chatModel(),
        completionsEnabled: config.settings.completion.enabled,
      },
      log.child('status'),
    );
    context.subscriptions.push(status);
    mark('status');

    const connection = new Connection({
      host: () => host().url,
      apiKey: () => apiKey,
      status: status.model,
      isFocused: () => vscode.window.state.focused,
    });
    const health = connection.health;
    context.subscriptions.push({ dispose: () => connection.dispose() });
    context.subscriptions.push(vscode.window.onDidChangeWindowState((s) => health.focusChanged(s.focused)));

    // Completions and chat share one lane per server: chat takes it first, completions wait.
    const lanes = new ServerLanes();
    const services: Services = {
      config,
      log,
      backend: () => connection.backend(),
      status: status.model,
      models,
      holdServer: () => lanes.for(connection.host).acquireForeground(),
    };

    const refreshStatus = () =>
      status.update({
        host: host().url,
        completionModel: services.models.completionModel(),
        chatModel: services.models.chatModel(),
        completionsEnabled: config.settings.completion.enabled,
      });
    context.subscriptions.push(models.onDidChange(refreshStatus));
    let checkedHost = host().url;
    context.subscriptions.push(
      config.onDidChange(() => {
        refreshStatus();
        if (host().url !== checkedHost) {
          checkedHost = host().url;
          void health.check();
        }
      }),
    );

    // Load the completion model before the first keystroke needs it; warn once if it spills to the CPU.
    let warmed = '';
    const warm = async () => {
      const model = models.completionModel();
      const key = `${host().url}|${model}`;
      if (warmed === key || !config.settings.completion.enabled) return;
      warmed = key;
      try {
        // A missing model is the first-run check's question (with the download size), not ours.
        const installed = await models.refreshInstalled(AbortSignal.timeout(5_000));
        if (!installed?.some((m) => m.name === model || m.name === `${model}:latest`)) {
          warmed = '';
          return;
        }
        const result = await warmUp(model, {
          backend: services.backend(),
          keepAlive: config.settings.keepAlive,
          numCtx: models.completionNumCtx(),
          setLoading: (m) => status.model.setLoading(m),
        });
        const warning = result && partlyOnCpuWarning(model, result);
        const seen = context.globalState.get<string[]>('qwenLocal.cpuWarned') ?? [];
        if (warning && !seen.includes(model)) {
          void context.globalState.update('qwenLocal.cpuWarned', [...seen, model]);
          void vscode.window.showWarningMessage(warning, 'Select Completion Model').then((c) => c && vscode.commands.executeCommand('qwenLocal.selectCompletionModel'));
        }
      } catch (error) {
        warmed = ''; // the failure was reported by the backend; try again after recovery
        log.debug(`Warm-up of ${model} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    status.onRecovered = () => void warm();
    context.subscriptions.push(models.onDidChange(() => void warm()), config.onDidChange(() => void warm()));

    const snooze = { until: context.globalState.get<number>('qwenLocal.snoozedUntil') ?? 0 };
    const completionLog = log.child('completion');
    const completions = createInlineCompletions({
      backend: () => services.backend(),
      settings: () => config.settings,
      completionModel: () => models.completionModel(),
      numCtx: () => models.completionNumCtx(),
      active: () => config.settings.completion.enabled && snooze.until <= Date.now(),
      log: completionLog,
      // Failures reach the status bar through the reporting backend; here only work and timings.
      status: {
        beginWork: (label) => status.model.beginWork(label),
        requestEnded: (e) => {
          const s = e.stats;
          const ms = (ns?: number) => (ns === undefined ? '-' : (ns / 1e6).toFixed(0));
          completionLog.debug(
            `${e.model} ${e.outcome} in ${e.latencyMs.toFixed(0)} ms (first token ${e.firstTokenMs?.toFixed(0) ?? '-'} ms; ~${e.promptTokensEstimate} prompt tokens; ollama load ${ms(s?.loadDurationNs)} / prompt ${ms(s?.promptEvalDurationNs)} / eval ${ms(s?.evalDurationNs)} ms)`,
          );
        },
      },
      lanes,
    });
    context.subscriptions.push(completions);
    mark('completions');
    context.subscriptions.push(models.onDidChange(() => completions.engine.clearCache()));

    const firstRun = () => runFirstRunCheck(context, services).catch((e: unknown) => log.error('First-run check failed', e));
    registerCoreCommands(context, {
      config,
      status,
      health,
      channel,
      log,
      secrets: context.secrets,
      host,
      snooze,
      stats: () => completions.engine.stats.snapshot(),
      onReconnected: firstRun,
    });
    mark('core commands');
    registerModelCommands(context, services);
    mark('models');
    const actions = registerActions(context, services);
    mark('actions');
    // While a chat answer streams, completions wait: a default Ollama runs one request at a time.
    let releaseChatHold: (() => void) | undefined;
    chat = registerChat(context, services, {
      onBusy: (busy) => {
        releaseChatHold?.();
        releaseChatHold = busy ? services.holdServer() : undefined;
      },
      numCtx: () => models.chatNumCtx(),
      proposeReplacement: (uri, start, end, text, action) => actions.proposeReplacement(uri, start, end, text, action),
    });
    mark('chat');

    const warnIfKeyInClear = () => {
      if (apiKey && keyTravelsInClear(host().url) && !context.globalState.get('qwenLocal.warnedClearKey')) {
        void context.globalState.update('qwenLocal.warnedClearKey', true);
        void vscode.window.showWarningMessage(
          `Qwen Local sends your API key to ${host().url} over plain http: anyone on that network can read it. Use https:// or a loopback address.`,
        );
      }
    };
    context.subscriptions.push(
      context.secrets.onDidChange(async (e) => {
        if (e.key !== API_KEY_SECRET) return;
        apiKey = await context.secrets.get(API_KEY_SECRET);
        warnIfKeyInClear();
        void health.check();
      }),
    );

    // After activate() returns: the key, then (once the server setting is loaded) the first check.
    const startup = new StartupGate(context, config, host, log);
    context.subscriptions.push(startup);
    setTimeout(async () => {
      apiKey = await context.secrets.get(API_KEY_SECRET);
      warnIfKeyInClear();
      await startup.settled();
      startup.checked(await health.check());
      await firstRun();
    }, 0);

    log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms (${phases.join(', ')} ms); server ${host().url} (${host().source}).`);
  } catch (error) {
    // Report activation failures ourselves: VS Code's own message names no cause.
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Qwen Local failed to start: ${error instanceof Error ? error.message : String(error)}. See "Qwen Local: Show Log".`);
  }
}

interface CoreDeps {
  config: Config;
  status: StatusBar;
  health: HealthMonitor;
  channel: vscode.LogOutputChannel;
  log: Logger;
  secrets: vscode.SecretStorage;
  host: () => ResolvedHost;
  snooze: { until: number };
  stats: () => StatsSnapshot;
  /** After a manual retry succeeded: the questions that need a reachable server. */
  onReconnected: () => Promise<void>;
}

function registerCoreCommands(context: vscode.ExtensionContext, d: CoreDeps): void {
  d.status.update({ snoozedUntil: d.snooze.until });
  const cmd = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  cmd('qwenLocal.showLog', () => d.channel.show());
  cmd('qwenLocal.showStatistics', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: statisticsReport(d.stats()) });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
  cmd('qwenLocal.retryConnection', async () => {
    const ok = await d.health.check();
    if (!ok) {
      // Asked for by the user, so answered, in the incident's one toast.
      d.status.stillOffline(d.host().url);
      return;
    }
    void vscode.window.showInformationMessage(`Qwen Local is connected to Ollama at ${d.host().url}.`);
    await d.onReconnected();
  });
  cmd('qwenLocal.toggleCompletions', async () => {
    await d.config.update('completion.enabled', !d.config.settings.completion.enabled);
  });
  cmd('qwenLocal.snoozeCompletions', async () => {
    d.snooze.until = d.snooze.until > Date.now() ? 0 : Date.now() + SNOOZE_MS;
    await context.globalState.update('qwenLocal.snoozedUntil', d.snooze.until);
    d.status.update({ snoozedUntil: d.snooze.until });
  });
  cmd('qwenLocal.toggleLanguage', async (languageId?: string) => {
    const lang = languageId ?? editorLanguage();
    if (!lang) return;
    const disabled = new Set(d.config.settings.completion.disabledLanguages);
    if (disabled.has(lang)) disabled.delete(lang);
    else disabled.add(lang);
    await d.config.update('completion.disabledLanguages', [...disabled]);
  });
  cmd('qwenLocal.setApiKey', async () => {
    const value = await vscode.window.showInputBox({
      title: 'Qwen Local: API key for the model server',
      prompt: `Sent as "Authorization: Bearer …" to ${d.host().url}. Leave empty to remove the key. Stored in VS Code's secret storage.`,
      password: true,
      ignoreFocusOut: true,
      // An HTTP header cannot carry line breaks or non-ASCII text; say so before storing it.
      validateInput: (v) => (!v.trim() || /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/.test(v.trim()) ? undefined : 'The key can only hold visible ASCII characters (no line breaks).'),
    });
    if (value === undefined) return;
    if (value.trim()) await d.secrets.store(API_KEY_SECRET, value.trim());
    else await d.secrets.delete(API_KEY_SECRET);
    void vscode.window.showInformationMessage(value.trim() ? 'Qwen Local: API key saved.' : 'Qwen Local: API key removed.');
  });
  cmd('qwenLocal.showMenu', () => {
    const languageId = editorLanguage();
    return showMenu({
      completionsEnabled: d.config.settings.completion.enabled,
      snoozed: d.snooze.until > Date.now(),
      languageId,
      languageDisabled: languageId ? d.config.settings.completion.disabledLanguages.includes(languageId) : false,
      offline: d.status.model.offline,
    });
  });
}

/** Returns the history write, so VS Code waits for it: a conversation is never lost on close. */
/** The language of the file being edited; not of an output panel that happens to have focus. */
function editorLanguage(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled') ? doc.languageId : undefined;
}

export function deactivate(): Promise<void> | undefined {
  return chat?.flush();
}
