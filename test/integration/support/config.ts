// What the launcher tells the suites: where the simulator is, where the workspace is. The runner
// (code-server's runner extension, or test-electron's index) puts it on globalThis before the
// suites load, so every suite bundle sees the same object.

export interface IntegrationConfig {
  /** Where the results JSON goes. */
  resultsFile: string;
  /** Only tests whose full title matches (a RegExp source). */
  grep?: string;
  /** Base URL of the Ollama simulator (also the user setting qwenLocal.ollamaHost). */
  simUrl?: string;
  /** Its control API (test/sim/control.ts). */
  simControlUrl?: string;
  /** The workspace folder opened in the window. */
  workspace?: string;
  /** The extension host's log folder: each extension's LogOutputChannel files are in <logsDir>/<extension id>/. */
  logsDir?: string;
  /** Which editor runs the suites: shows up in the results. */
  host?: 'code-server' | 'electron';
}

const KEY = '__qwenLocalIntegration';

export function setConfig(config: IntegrationConfig): void {
  (globalThis as Record<string, unknown>)[KEY] = config;
}

export function config(): IntegrationConfig {
  const c = (globalThis as Record<string, unknown>)[KEY] as IntegrationConfig | undefined;
  if (!c) throw new Error('integration config missing: run the suites through the runner extension or electron.mjs');
  return c;
}

/** The one extension under test, as VS Code names it (publisher.name of package.json). */
export const EXTENSION_ID = 'qwen-local.qwen-local';
