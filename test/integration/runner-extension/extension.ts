// The runner extension for code-server: activated on startup in the same extension host as
// Qwen Local, it runs the bundled suites with mocha once and writes the results JSON where
// run.mjs waits for it. Its configuration comes from runner-config.json beside it (written by
// run.mjs when it installs this folder) or from the file named by QWEN_LOCAL_IT_CONFIG.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { runSuites, suiteFiles } from '../run-mocha';
import type { IntegrationConfig } from '../support/config';

function readConfig(extensionPath: string): IntegrationConfig | undefined {
  const candidates = [process.env.QWEN_LOCAL_IT_CONFIG, join(extensionPath, 'runner-config.json')];
  for (const file of candidates) {
    if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as IntegrationConfig;
  }
  return undefined;
}

export function activate(context: vscode.ExtensionContext): void {
  const config = readConfig(context.extensionPath);
  if (!config) return;
  // Once per test session: a window reload (some e2e scenarios do one) must not run them again.
  if (existsSync(config.resultsFile) || existsSync(`${config.resultsFile}.log`)) return;
  // After activate() returns, so the extension host finishes starting everything else first.
  setTimeout(() => void runSuites(suiteFiles(__dirname), { host: 'code-server', logsDir: dirname(context.logUri.fsPath), ...config }), 0);
}

export function deactivate(): void {}
