// Entry of the suites under @vscode/test-electron (its extensionTestsPath): VS Code calls run() in
// the extension host of a downloaded VS Code with Qwen Local loaded from the repository.

import { existsSync, readFileSync } from 'node:fs';
import { runSuites, suiteFiles } from './run-mocha';
import type { IntegrationConfig } from './support/config';

export async function run(): Promise<void> {
  const file = process.env.QWEN_LOCAL_IT_CONFIG;
  if (!file || !existsSync(file)) throw new Error('QWEN_LOCAL_IT_CONFIG must name the config JSON (electron.mjs sets it)');
  const config = JSON.parse(readFileSync(file, 'utf8')) as IntegrationConfig;
  const results = await runSuites(suiteFiles(__dirname), { host: 'electron', ...config });
  if (results.error) throw new Error(results.error);
  if (results.failed > 0) throw new Error(`${results.failed} integration test(s) failed`);
}
