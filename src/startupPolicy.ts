// Startup truth, decided purely: when may the first health check and the first-run questions run?
// In a remote window (code-server, Remote-SSH, WSL, dev containers) VS Code can start the extension
// before the settings that name the server have arrived: the user settings file of a web workbench
// is read over the remote connection (an early read can come back empty), and the remote "Machine"
// settings, where machine-scoped settings live in a remote window, load after the connection is up
// and arrive as a configuration change. A decision taken on the default host meanwhile is false: a
// "not running at 127.0.0.1:11434" warning and the setup walkthrough for a server that is fine.

import type { HostSource } from './backend/host';

/** How long a remote window waits for a server setting to arrive when none is there at activation. */
export const REMOTE_SETTLE_MS = 5_000;
/** Longer when this installation connected through a server setting before: it is surely coming. */
export const REMEMBERED_SETTLE_MS = 15_000;

export interface StartupFacts {
  /** vscode.env.remoteName: undefined in a local window. */
  remoteName: string | undefined;
  /** Where the server address came from at activation. */
  hostSource: HostSource;
  /** The server this installation last reached through the qwenLocal.ollamaHost setting, if any. */
  rememberedSettingHost: string | undefined;
}

/**
 * Milliseconds to wait for a configuration change before the first check (0: decide now). A
 * setting or OLLAMA_HOST that names the server means the settings are there; only a window that
 * sees nothing but the default can be early.
 */
export function settleDelayMs(f: StartupFacts): number {
  if (f.hostSource !== 'default') return 0;
  if (f.rememberedSettingHost) return REMEMBERED_SETTLE_MS;
  return f.remoteName ? REMOTE_SETTLE_MS : 0;
}

/**
 * What to remember after a check: the host when it came from the setting and answered; nothing
 * (forget it) when the user cleared the setting while the extension ran, a deliberate choice.
 */
export function hostToRemember(outcome: { ok: boolean; host: string; source: HostSource; clearedByUser: boolean }, remembered: string | undefined): string | undefined {
  if (outcome.clearedByUser) return undefined;
  if (outcome.ok && outcome.source === 'setting') return outcome.host;
  return remembered;
}

/**
 * Resolves once the settings look loaded: at once when `delayMs` is 0, else when a configuration
 * change makes `hostIsSet()` true, or after `delayMs`, whichever comes first. Returns whether the
 * server setting arrived.
 */
export function whenSettled(
  delayMs: number,
  onChange: (listener: () => void) => { dispose(): void },
  hostIsSet: () => boolean,
  signal?: AbortSignal,
  timers: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void } = {
    set: (fn, ms) => setTimeout(fn, ms),
    clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  },
): Promise<boolean> {
  if (delayMs <= 0 || hostIsSet()) return Promise.resolve(hostIsSet());
  return new Promise((resolve) => {
    let done = false;
    const finish = (arrived: boolean) => {
      if (done) return;
      done = true;
      timers.clear(timer);
      subscription.dispose();
      resolve(arrived);
    };
    const subscription = onChange(() => {
      if (hostIsSet()) finish(true);
    });
    const timer = timers.set(() => finish(false), delayMs);
    signal?.addEventListener('abort', () => finish(false), { once: true });
  });
}
