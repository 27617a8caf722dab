// VS Code glue for hardware and models: the commands, the report document, the pull progress
// notification and the first-run questions. Every decision is made by the pure modules beside it.

import * as vscode from 'vscode';
import type { InstalledModel, LoadedModel } from '../backend/backend';
import type { ModelRole } from '../hardware/catalog';
import { findModel, sameModel } from '../hardware/catalog';
import { formatDownload } from '../hardware/units';
import type { Services } from '../services';
import { decideFirstRun, FIRST_RUN_KEYS, wantedModels } from './firstRun';
import { isModelManager, type ModelManager } from './manager';
import { buildModelPicks, type PickEntry } from './picker';
import { formatPullProgress, modelSource, pullModel, validateTag, type PullOutcome } from './pull';
import { buildHardwareReport } from './report';
import { AUTO, isInstalled } from './resolve';

const WALKTHROUGH = 'qwen-local.qwen-local#qwenLocal.setup';
const REPORT_SCHEME = 'qwen-local-report';
const REPORT_URI = vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/Qwen Local - Hardware and Models.md' });
const QUICK_TIMEOUT_MS = 3000;

function managerOf(services: Services): ModelManager {
  if (!isModelManager(services.models)) {
    throw new Error('Qwen Local: services.models must be the ModelManager from createModelManager() for the model commands.');
  }
  return services.models;
}

class ReportDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private text = '';
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  provideTextDocumentContent(): string {
    return this.text;
  }

  set(text: string): void {
    this.text = text;
    this.emitter.fire(REPORT_URI);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** Pulls with a cancellable progress notification; one pull per tag at a time. */
class Puller {
  private readonly running = new Map<string, Promise<PullOutcome>>();

  constructor(
    private readonly services: Services,
    private readonly manager: ModelManager,
  ) {}

  pull(tag: string): Promise<PullOutcome> {
    // Every way to a pull (the command, "Download and Use", a Pull button) passes here.
    const refusal = this.manager.pullRefusal();
    if (refusal) {
      void vscode.window.showInformationMessage(`Qwen Local: ${refusal}`);
      return Promise.resolve({ kind: 'cancelled', tag, message: refusal });
    }
    const key = tag.toLowerCase();
    const existing = this.running.get(key);
    if (existing) return existing;
    const run = this.run(tag).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  private async run(tag: string): Promise<PullOutcome> {
    const log = this.services.log.child('models');
    const size = findModel(tag)?.downloadBytes;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pulling ${tag}${size ? ` (${formatDownload(size)})` : ''}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        let shownPercent = 0;
        let lastReport = 0;
        try {
          return await pullModel(this.services.backend(), tag, {
            signal: controller.signal,
            onProgress: (snap) => {
              const now = Date.now();
              if (snap.phase === 'downloading' && now - lastReport < 250) return;
              lastReport = now;
              const percent = snap.percent ?? shownPercent;
              const increment = Math.max(0, percent - shownPercent);
              shownPercent = Math.max(shownPercent, percent);
              progress.report({ message: formatPullProgress(snap), increment });
            },
          });
        } finally {
          subscription.dispose();
        }
      },
    );
    switch (outcome.kind) {
      case 'success':
        log.info(`Pulled ${tag}`);
        await this.manager.refreshInstalled(AbortSignal.timeout(QUICK_TIMEOUT_MS));
        void vscode.window.showInformationMessage(`${tag} is installed and ready.`);
        break;
      case 'cancelled':
        log.info(outcome.message);
        void vscode.window.showInformationMessage(outcome.message, 'Pull Again').then((a) => a && void this.pull(tag));
        break;
      case 'failed':
        log.warn(`Pull of ${tag} failed: ${outcome.error.detail ?? outcome.error.message}`);
        if (outcome.resumable) {
          void vscode.window.showErrorMessage(outcome.message, 'Pull Again').then((a) => a && void this.pull(tag));
        } else {
          void vscode.window.showErrorMessage(outcome.message);
        }
        break;
    }
    return outcome;
  }
}

function remoteFacts(manager: ModelManager) {
  const server = manager.remoteServer();
  const choice = manager.remoteChoice();
  return server ? { remote: { ...server, ...(choice ? { choice } : {}) } } : {};
}

async function gatherReport(services: Services, manager: ModelManager): Promise<string> {
  await manager.ready();
  const backend = services.backend();
  let version: string | undefined;
  let ollamaError: string | undefined;
  let loaded: LoadedModel[] | undefined;
  let installed: InstalledModel[] | undefined;
  try {
    version = await backend.version(AbortSignal.timeout(QUICK_TIMEOUT_MS));
    [installed, loaded] = await Promise.all([
      manager.refreshInstalled(AbortSignal.timeout(QUICK_TIMEOUT_MS)),
      backend.loadedModels(AbortSignal.timeout(QUICK_TIMEOUT_MS)).catch(() => undefined),
    ]);
  } catch (error) {
    ollamaError = error instanceof Error ? error.message : String(error);
  }
  return buildHardwareReport({
    hardware: manager.hardware.current(),
    choice: manager.choice(),
    resolved: manager.resolved(),
    allowLargeModels: services.config.settings.completion.allowLargeModels,
    host: backend.host,
    version,
    installed,
    ...remoteFacts(manager),
    loaded,
    ollamaError,
    now: Date.now(),
  });
}

async function showHardware(services: Services, manager: ModelManager, report: ReportDocument): Promise<void> {
  const text = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Qwen Local: reading hardware and models' },
    () => gatherReport(services, manager),
  );
  report.set(text);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', REPORT_URI);
  } catch {
    const doc = await vscode.workspace.openTextDocument(REPORT_URI);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}

interface EntryItem extends vscode.QuickPickItem {
  entry: PickEntry;
}

function toItem(entry: PickEntry): EntryItem {
  if (entry.kind === 'separator') return { label: entry.label, kind: vscode.QuickPickItemKind.Separator, entry };
  if (entry.kind === 'other') return { label: entry.label, description: entry.description, entry };
  return { label: entry.label, description: entry.description, detail: entry.detail, entry };
}

async function askTag(prefill: string, prompt: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Qwen Local: Pull Model',
    prompt,
    value: prefill,
    placeHolder: 'e.g. qwen2.5-coder:7b-base',
    validateInput: (v) => validateTag(v),
    ignoreFocusOut: true,
  });
  return value?.trim() || undefined;
}

async function useModel(services: Services, manager: ModelManager, puller: Puller, role: ModelRole, tag: string): Promise<void> {
  const installed = manager.installed()?.map((m) => m.name);
  const served = servedBy(manager);
  if (served && installed && !isInstalled(tag, installed)) {
    const choice = await vscode.window.showWarningMessage(`${tag} is not among the models ${served.label} serves; requests for it will fail until the server is started with it. Use it anyway?`, 'Use Anyway');
    if (choice === undefined) return;
  } else if (installed && !isInstalled(tag, installed)) {
    const size = findModel(tag)?.downloadBytes;
    const choice = await vscode.window.showInformationMessage(
      `${tag} is not installed${size ? ` (${formatDownload(size)} download)` : ''}. Download it from ${modelSource(tag).text} now?`,
      'Download and Use',
      'Use Anyway',
    );
    if (choice === undefined) return;
    if (choice === 'Download and Use') {
      const outcome = await puller.pull(tag);
      if (outcome.kind !== 'success') return;
    }
  }
  await services.config.update(`${role}.model`, tag);
  services.log.child('models').info(`${role} model set to ${tag}`);
}

/** A server that cannot pull (OpenAI-compatible): the picker shows its own list and offers no download. */
function servedBy(manager: ModelManager): { label: string; autoWhy: string } | undefined {
  const remote = manager.remoteServer();
  if (remote?.kind !== 'openai') return undefined;
  return { label: remote.label, autoWhy: manager.remoteChoice()?.explanation ?? `Chosen from what ${remote.label} serves.` };
}

async function selectModel(services: Services, manager: ModelManager, puller: Puller, role: ModelRole): Promise<void> {
  await manager.refreshInstalled(AbortSignal.timeout(QUICK_TIMEOUT_MS));
  const settings = services.config.settings;
  const resolved = manager.resolved();
  const served = servedBy(manager);
  const entries = buildModelPicks({
    role,
    choice: manager.choice(),
    installed: manager.installed(),
    setting: role === 'completion' ? settings.completion.model : settings.chat.model,
    autoTag: role === 'completion' ? resolved.completion.recommended : resolved.chat.recommended,
    ...(served ? { served } : {}),
  });
  const picked = await vscode.window.showQuickPick(entries.map(toItem), {
    title: role === 'completion' ? 'Qwen Local: Completion Model' : 'Qwen Local: Chat Model',
    placeHolder: `Model for ${role === 'completion' ? 'inline completions' : 'chat and the code commands'}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  const entry = picked.entry;
  switch (entry.kind) {
    case 'auto':
      await services.config.update(`${role}.model`, AUTO);
      return;
    case 'model':
      await useModel(services, manager, puller, role, entry.tag);
      return;
    case 'other': {
      const tag = await askTag('', served ? `A model name as ${served.label} lists it (e.g. Qwen/Qwen2.5-Coder-7B).` : 'Any Ollama model name; it is pulled if not installed.');
      if (tag) await useModel(services, manager, puller, role, tag);
      return;
    }
    case 'separator':
      return;
  }
}

async function pullCommand(services: Services, manager: ModelManager, puller: Puller): Promise<void> {
  const refusal = manager.pullRefusal();
  if (refusal) return void vscode.window.showInformationMessage(`Qwen Local: ${refusal}`);
  const installed = manager.installed()?.map((m) => m.name) ?? [];
  const wanted = wantedModels(services.config.settings, manager.choice());
  const prefill = wanted.find((m) => !isInstalled(m.tag, installed))?.tag ?? wanted[0]?.tag ?? '';
  const tag = await askTag(prefill, 'Model to download (prefilled with what Qwen Local recommends for this machine).');
  if (tag) await puller.pull(tag);
}

/** Registers the hardware and model commands and starts hardware detection. */
export function registerModelCommands(context: vscode.ExtensionContext, services: Services): void {
  const manager = managerOf(services);
  const report = new ReportDocument();
  const puller = new Puller(services, manager);
  const log = services.log.child('models');
  context.subscriptions.push(
    report,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, report),
    vscode.commands.registerCommand('qwenLocal.showHardware', () => showHardware(services, manager, report)),
    vscode.commands.registerCommand('qwenLocal.redetectHardware', async () => {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Qwen Local: detecting hardware…' }, () =>
        manager.redetect(),
      );
      const action = await vscode.window.showInformationMessage(manager.choice().summary, 'Show Details');
      if (action) await showHardware(services, manager, report);
    }),
    vscode.commands.registerCommand('qwenLocal.selectCompletionModel', () => selectModel(services, manager, puller, 'completion')),
    vscode.commands.registerCommand('qwenLocal.selectChatModel', () => selectModel(services, manager, puller, 'chat')),
    // With a tag (from a "Pull <model>" button elsewhere) the click was the consent for a library
    // model; one from another publisher is confirmed naming its source. Without a tag, ask.
    vscode.commands.registerCommand('qwenLocal.pullModel', async (tag?: unknown) => {
      if (typeof tag !== 'string' || !tag.trim()) return pullCommand(services, manager, puller);
      const source = modelSource(tag);
      if (!source.official) {
        const ok = await vscode.window.showWarningMessage(`Download ${tag.trim()} from ${source.text}?`, { modal: true, detail: 'Only pull models from publishers you trust.' }, 'Download');
        if (ok !== 'Download') return;
      }
      await puller.pull(tag.trim());
    }),
  );
  // Detection spawns processes: start it after activate() has returned, never inside it.
  setTimeout(() => void manager.ready().then(() => log.info(`Hardware: ${manager.choice().summary}`)), 0);
  pullers.set(services, puller);
}

const pullers = new WeakMap<Services, Puller>();

/**
 * The first-run questions. Call once after activation (after registerModelCommands), and again
 * after a successful `qwenLocal.retryConnection`: Ollama unreachable → opens the setup walkthrough
 * (once ever); recommended models missing → asks once ever, with the download size, before pulling.
 */
export async function runFirstRunCheck(context: vscode.ExtensionContext, services: Services): Promise<void> {
  const manager = managerOf(services);
  const puller = pullers.get(services) ?? new Puller(services, manager);
  const log = services.log.child('models');
  await manager.ready();
  const backend = services.backend();
  let reachable = true;
  try {
    await backend.version(AbortSignal.timeout(QUICK_TIMEOUT_MS));
  } catch {
    reachable = false;
  }
  const installed = reachable ? await manager.refreshInstalled(AbortSignal.timeout(QUICK_TIMEOUT_MS)) : undefined;
  if (reachable) await context.globalState.update(FIRST_RUN_KEYS.connectedBefore, true);
  if (reachable && installed === undefined) return; // reachable but the list failed: ask nothing now
  const state = {
    walkthroughShown: context.globalState.get<boolean>(FIRST_RUN_KEYS.walkthroughShown, false),
    pullAsked: context.globalState.get<boolean>(FIRST_RUN_KEYS.pullAsked, false),
    connectedBefore: context.globalState.get<boolean>(FIRST_RUN_KEYS.connectedBefore, false),
  };
  const decision = decideFirstRun({
    reachable,
    state,
    installed: installed?.map((m) => m.name) ?? [],
    settings: services.config.settings,
    choice: manager.choice(),
  });
  log.debug(`First run: ${decision.kind}${decision.kind === 'none' ? ` (${decision.reason})` : ''}`);
  switch (decision.kind) {
    case 'none':
      return;
    case 'openWalkthrough': {
      await context.globalState.update(FIRST_RUN_KEYS.walkthroughShown, true);
      // The outage itself is the status bar's one toast (with Retry); a second one would repeat it.
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
      return;
    }
    case 'askToPull': {
      // Remember before asking: a dismissed question counts as answered.
      await context.globalState.update(FIRST_RUN_KEYS.pullAsked, true);
      const answer = await vscode.window.showInformationMessage(decision.message, decision.acceptLabel, 'Not Now', 'Show Hardware');
      if (answer === 'Show Hardware') {
        await vscode.commands.executeCommand('qwenLocal.showHardware');
        return;
      }
      if (answer !== decision.acceptLabel) return;
      for (const model of decision.models) {
        const already = manager.installed()?.some((m) => sameModel(m.name, model.tag));
        if (already) continue;
        const outcome = await puller.pull(model.tag);
        if (outcome.kind !== 'success') return;
      }
      return;
    }
  }
}
