// The one settings reader of the extension and its one change event (VS Code glue over settings.ts).

import * as vscode from 'vscode';
import { mergeExclude, readSettings, SECTION, type Settings } from './settings';

/** Settings that decide where code is sent: only user/machine values count, never a workspace's. */
const MACHINE_ONLY = new Set(['ollamaHost']);

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
      if (!MACHINE_ONLY.has(key)) return config.get(key);
      // VS Code already ignores machine-scoped values in workspace files; read the global value
      // explicitly so that stays true even if the manifest's scope were ever loosened.
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
