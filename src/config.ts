// The one settings reader of the extension and its one change event (VS Code glue over settings.ts).

import * as vscode from 'vscode';
import { mergeExclude, readSettings, SECTION, type Settings } from './settings';

/**
 * Settings a cloned repository must not choose silently, so only user/machine values count, never a
 * workspace's: where code is sent (server.url, server.kind, ollamaHost), what every prompt says (chat.systemPrompt), which
 * model is run or pulled (a workspace's `hf.co/attacker/…` would be offered for download),
 * how long GPU memory stays pinned (keepAlive "-1"), and how much of the code is logged (logLevel).
 * The manifest scopes them to machine/application as well; this holds even if a scope were loosened.
 */
export const USER_ONLY: ReadonlySet<string> = new Set(['ollamaHost', 'server.url', 'server.kind', 'server.caFile', 'chat.systemPrompt', 'chat.model', 'completion.model', 'codebase.embeddingModel', 'keepAlive', 'logLevel']);

export class Config implements vscode.Disposable {
  private current: Settings;
  private readonly emitter = new vscode.EventEmitter<Settings>();
  private readonly listener: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly warn: (message: string) => void) {
    this.current = this.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      this.current = this.read();
      this.emitter.fire(this.current);
    });
  }

  get settings(): Settings {
    return this.current;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SECTION);
    return readSettings((key) => {
      // A workspace may add to this list but never shorten it (see mergeExclude).
      if (key === 'completion.exclude') return mergeExclude(config.inspect<unknown>(key), this.warn);
      if (!USER_ONLY.has(key)) return config.get(key);
      // VS Code already ignores machine/application-scoped values in workspace files; read the
      // global value explicitly so that stays true even if the manifest's scope were ever loosened.
      return config.inspect(key)?.globalValue;
    }, this.warn);
  }

  /** Writes a user-level value (the commands that pick models use this). */
  async update(key: string, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
