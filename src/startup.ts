// VS Code glue of startupPolicy.ts: activate() awaits settled() before its first health check and
// the first-run questions, and reports that check to checked(), so the next start knows whether a
// server setting is to be expected.

import * as vscode from 'vscode';
import type { ResolvedHost } from './backend/host';
import type { Config } from './config';
import type { Logger } from './log';
import { hostToRemember, settleDelayMs, whenSettled } from './startupPolicy';

const REMEMBERED_HOST_KEY = 'qwenLocal.startup.settingHost';

export class StartupGate implements vscode.Disposable {
  private lastSource: ResolvedHost['source'];
  private clearedByUser = false;
  private readonly listener: vscode.Disposable;
  private readonly disposed = new AbortController();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly config: Config,
    private readonly host: () => ResolvedHost,
    private readonly log: Logger,
  ) {
    this.lastSource = host().source;
    // A setting that goes away while the extension runs was removed by the user: forget it.
    this.listener = config.onDidChange(() => {
      const source = this.host().source;
      if (this.lastSource === 'setting' && source !== 'setting') this.clearedByUser = true;
      if (source === 'setting') this.clearedByUser = false;
      this.lastSource = source;
      if (this.clearedByUser) void this.remember(undefined);
    });
  }

  private get remembered(): string | undefined {
    return this.context.globalState.get<string>(REMEMBERED_HOST_KEY);
  }

  /** Resolves when the server setting is loaded, or when waiting longer would not bring it. */
  async settled(): Promise<void> {
    const remembered = this.remembered;
    const delay = settleDelayMs({ remoteName: vscode.env.remoteName, hostSource: this.host().source, rememberedSettingHost: remembered });
    if (delay === 0) return;
    this.log.info(`No server setting in this window yet: waiting up to ${delay / 1000} s for the settings before checking a server.`);
    const arrived = await whenSettled(delay, (l) => this.config.onDidChange(l), () => this.host().source !== 'default', this.disposed.signal);
    if (this.disposed.signal.aborted) return;
    const now = this.host();
    if (arrived) this.log.info(`The server setting arrived: ${now.url}.`);
    else
      this.log.warn(
        `No server setting arrived; using ${now.url} (${now.source}).${remembered ? ` This installation used ${remembered} before: if that is still the server, set qwenLocal.ollamaHost in the settings of this window (the Remote tab in a remote window).` : ''}`,
      );
  }

  /** The first check's outcome: remembers the server when the setting named it and it answered. */
  checked(ok: boolean): void {
    const h = this.host();
    const next = hostToRemember({ ok, host: h.url, source: h.source, clearedByUser: this.clearedByUser }, this.remembered);
    if (next !== this.remembered) void this.remember(next);
  }

  private remember(host: string | undefined): Thenable<void> {
    return this.context.globalState.update(REMEMBERED_HOST_KEY, host);
  }

  dispose(): void {
    this.disposed.abort();
    this.listener.dispose();
  }
}
