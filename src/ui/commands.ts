// The core commands: log, statistics, retry, completions on/off and snooze, per-language toggle,
// API key, the status bar menu. VS Code glue over the core (core.ts); nothing is decided here.

import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { doctorReport, runDoctor, type DoctorEnvironment } from '../backend/doctor';
import { statisticsReport } from '../completion/stats';
import { originOf, parseKeyStore, serializeKeyStore, withKey } from '../backend/keys';
import { API_KEY_SECRET, type Core } from '../core';
import type { SettingsSource } from '../services';
import { showMenu } from './menu';
import type { StatusBar } from './statusBar';

export interface CoreCommandDeps {
  core: Core;
  config: SettingsSource;
  channel: vscode.LogOutputChannel;
  /** The status bar, whose one outage toast a failed Retry updates. */
  bar: StatusBar;
  /** After a manual retry succeeded: the questions that need a reachable server. */
  onReconnected(): Promise<void>;
  /** Restricted Mode limits something (ui/trust.ts): the menu offers the ways out. */
  restricted(): boolean;
}

export function registerCoreCommands(context: vscode.ExtensionContext, d: CoreCommandDeps): void {
  const { core, config } = d;
  const cmd = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  cmd('qwenLocal.showLog', () => d.channel.show());
  // "Pull Model" leaves the palette for an OpenAI-compatible server (pulling is an Ollama action).
  const syncServerContext = () => void vscode.commands.executeCommand('setContext', 'qwenLocal.openaiServer', core.serverKind() === 'openai');
  context.subscriptions.push(core.onDidProbe(syncServerContext), config.onDidChange(syncServerContext));
  // Read-only: a virtual document, so closing it never asks to save an Untitled buffer.
  const doctor = new ReadOnlyDocument(DOCTOR_URI);
  context.subscriptions.push(doctor, vscode.workspace.registerTextDocumentContentProvider(DOCTOR_URI.scheme, doctor));
  cmd('qwenLocal.connectionDoctor', async () => {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Qwen Local: checking the connection to ${core.host().url}…` }, () =>
      runDoctor({ host: core.host(), kind: core.serverKind() === 'openai' ? 'openai' : 'ollama', apiKey: core.apiKey(), environment: environment() }),
    );
    const probe = core.probed();
    doctor.set(`${doctorReport(result)}${probe ? `\n\n## Server kind\n\n${probe.summary}\n` : ''}`);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', DOCTOR_URI);
    } catch {
      const doc = await vscode.workspace.openTextDocument(DOCTOR_URI);
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  });
  cmd('qwenLocal.showStatistics', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: statisticsReport(core.engine.stats.snapshot()) });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
  cmd('qwenLocal.retryConnection', async () => {
    const ok = await core.connection.health.check();
    if (!ok) {
      // Asked for by the user, so answered, in the incident's one toast.
      const checked = `(checked ${new Date().toLocaleTimeString()})`;
      d.bar.stillOffline(
        core.serverKind() === 'ollama'
          ? `Ollama is still not reachable at ${core.host().url} ${checked}. Start it with "ollama serve"; Qwen Local reconnects on its own.`
          : `The model server at ${core.host().url} is still not reachable ${checked}. Check that it runs, or run "Qwen Local: Connection Doctor".`,
      );
      return;
    }
    void vscode.window.showInformationMessage(`Qwen Local is connected to ${core.probed()?.engine ?? (core.serverKind() === 'ollama' ? 'Ollama' : 'the model server')} at ${core.host().url}.`);
    await d.onReconnected();
  });
  cmd('qwenLocal.toggleCompletions', async () => {
    await config.update('completion.enabled', !config.settings.completion.enabled);
  });
  cmd('qwenLocal.snoozeCompletions', () => core.toggleSnooze());
  cmd('qwenLocal.toggleLanguage', async (languageId?: string) => {
    const lang = languageId ?? editorLanguage();
    if (!lang) return;
    const disabled = new Set(config.settings.completion.disabledLanguages);
    if (disabled.has(lang)) disabled.delete(lang);
    else disabled.add(lang);
    await config.update('completion.disabledLanguages', [...disabled]);
  });
  cmd('qwenLocal.setApiKey', async () => {
    // Keys are stored per server origin (backend/keys.ts): this one is only ever sent to `origin`.
    const url = core.host().url;
    let origin: string;
    try {
      origin = originOf(url);
    } catch (e) {
      void vscode.window.showErrorMessage(`Qwen Local: cannot set a key for ${url}: ${e instanceof Error ? e.message : String(e)}.`);
      return;
    }
    const value = await vscode.window.showInputBox({
      title: `Qwen Local: API key for ${origin}`,
      prompt: `Sent as "Authorization: Bearer …" to ${origin} only, never to another server. Leave empty to remove the key for ${origin}. Stored in VS Code's secret storage.`,
      password: true,
      ignoreFocusOut: true,
      // An HTTP header cannot carry line breaks or non-ASCII text; say so before storing it.
      validateInput: (v) => (!v.trim() || /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/.test(v.trim()) ? undefined : 'The key can only hold visible ASCII characters (no line breaks).'),
    });
    if (value === undefined) return;
    // An old unbound key stays out of the store: it was never confirmed for any origin.
    const { store } = parseKeyStore(await context.secrets.get(API_KEY_SECRET));
    await context.secrets.store(API_KEY_SECRET, serializeKeyStore(withKey(store, url, value)));
    void vscode.window.showInformationMessage(value.trim() ? `Qwen Local: API key saved for ${origin}.` : `Qwen Local: API key for ${origin} removed.`);
  });
  cmd('qwenLocal.showMenu', () => {
    const languageId = editorLanguage();
    return showMenu({
      completionsEnabled: config.settings.completion.enabled,
      snoozed: core.snoozedUntil() > Date.now(),
      languageId,
      languageDisabled: languageId ? config.settings.completion.disabledLanguages.includes(languageId) : false,
      offline: core.status.offline,
      canPull: core.serverKind() === 'ollama',
      restricted: d.restricted(),
    });
  });
}

const DOCTOR_URI = vscode.Uri.from({ scheme: 'qwen-local-doctor', path: '/Qwen Local - Connection Doctor.md' });

class ReadOnlyDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private text = '';
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  constructor(private readonly uri: vscode.Uri) {}
  provideTextDocumentContent(): string {
    return this.text;
  }
  set(text: string): void {
    this.text = text;
    this.emitter.fire(this.uri);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

/** Where the extension runs, as the doctor's findings need it. */
function environment(): DoctorEnvironment {
  const env = process.env;
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy') || env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  const noProxy = http.get<string[]>('noProxy')?.join(',') || env.NO_PROXY || env.no_proxy;
  return {
    platform: process.platform,
    wsl: Boolean(env.WSL_DISTRO_NAME),
    container: existsSync('/.dockerenv') || Boolean(env.REMOTE_CONTAINERS || env.CODESPACES),
    ...(proxy ? { proxy } : {}),
    ...(noProxy ? { noProxy } : {}),
  };
}

/** The language of the file being edited; not of an output panel that happens to have focus. */
function editorLanguage(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled') ? doc.languageId : undefined;
}
