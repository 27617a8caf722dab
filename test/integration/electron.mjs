// The integration suites in a downloaded VS Code (Electron), for a developer's machine with internet:
//
//   node test/integration/electron.mjs                        # latest stable VS Code
//   node test/integration/electron.mjs --vscode-version 1.90.0  # the oldest engines.vscode allows
//   node test/integration/electron.mjs --grep settings
//   xvfb-run -a node test/integration/electron.mjs            # Linux without a display
//
// Needs the dev dependency @vscode/test-electron (not installed in the offline CI, where the same
// suites run inside code-server: npm run test:e2e). Loads Qwen Local from this repository
// (--extensionDevelopmentPath) after building dist/, starts the Ollama simulator, points the user
// setting qwenLocal.ollamaHost at it, and runs the suites through electron-index.ts.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_SETTINGS, createProfile } from '../e2e/lib/codeserver.mjs';
import { ROOT, WORK } from '../e2e/lib/paths.mjs';
import { run, stopAll } from '../e2e/lib/procs.mjs';
import { startSimulator } from '../e2e/lib/sim.mjs';
import { createWorkspace } from '../e2e/lib/workspace.mjs';
import { buildIntegration } from './build.mjs';

function parseArgs(argv) {
  const out = { version: 'stable', grep: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--vscode-version') out.version = argv[++i];
    else if (argv[i] === '--grep') out.grep = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let testElectron;
  try {
    testElectron = await import('@vscode/test-electron');
  } catch {
    throw new Error('@vscode/test-electron is not installed: npm install --save-dev @vscode/test-electron (or run the same suites in code-server: npm run test:e2e -- --only integration)');
  }

  console.log('building the extension (node esbuild.js) and the suites');
  await run('esbuild', process.execPath, [join(ROOT, 'esbuild.js')], { cwd: ROOT });
  const out = join(WORK, 'integration-electron');
  await buildIntegration(out);

  const sim = await startSimulator();
  const profile = createProfile(join(WORK, 'electron-profile'), { ...BASE_SETTINGS, 'qwenLocal.ollamaHost': sim.url });
  createWorkspace(profile.workspace, profile.home);
  const resultsFile = join(ROOT, 'test-results', 'integration-electron', 'results.json');
  const configFile = join(profile.dir, 'it-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ resultsFile, grep: args.grep, simUrl: sim.url, simControlUrl: sim.controlUrl, workspace: profile.workspace, host: 'electron' }, null, 2),
  );

  let code;
  try {
    code = await testElectron.runTests({
      version: args.version,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(out, 'electron-index.js'),
      launchArgs: [
        profile.workspace,
        '--user-data-dir', profile.udd,
        '--extensions-dir', profile.ext,
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-telemetry',
        '--disable-updates',
      ],
      extensionTestsEnv: { QWEN_LOCAL_IT_CONFIG: configFile, OLLAMA_HOST: '' },
    });
  } catch (e) {
    // runTests rejects when VS Code exits non-zero (a failed test): the results file says which.
    console.error(e instanceof Error ? e.message : e);
    code = 1;
  }

  if (!existsSync(resultsFile)) {
    console.log('0 passed, 1 failed (no results: the suites did not run)');
    return 1;
  }
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  console.log(`\nIntegration (VS Code ${results.vscodeVersion}, Electron):`);
  for (const t of results.tests) {
    console.log(`  ${t.state === 'passed' ? '✓' : '✗'} ${t.fullTitle}`);
    if (t.error) console.log(t.error.split('\n').slice(0, 15).map((l) => `      ${l}`).join('\n'));
  }
  if (results.error) console.log(`  runner error: ${results.error}`);
  const failed = results.failed + (results.error ? 1 : 0);
  console.log(`${results.passed} passed, ${failed} failed`);
  return failed > 0 || code !== 0 ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
} finally {
  await stopAll();
}
process.exit(exitCode);
