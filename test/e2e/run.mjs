// Tests in a real VS Code: code-server (from npm) driven by headless Chromium (playwright-core).
//
//   npm run test:e2e                     # everything: integration suites + e2e scenarios
//   node test/e2e/run.mjs --grep smoke   # only e2e tests whose "scenario › test" title matches
//   node test/e2e/run.mjs --only e2e     # or: --only integration
//   node test/e2e/run.mjs --no-package   # reuse the .vsix of the last run (quicker while editing tests)
//   node test/e2e/run.mjs --vsix file.vsix  # test that package instead of building one
//   npm run test:e2e -- --repeat 10      # ten whole runs in a row (fresh profile each), a tally at the end
//   node test/e2e/run.mjs --vscode current  # in the current editor (VS Code 1.139 on its own Node 24)
//                                        # instead of the oldest supported one (VS Code 1.100, default);
//                                        # results in test-results/e2e-current/
//
// One session does it all: build and package the .vsix, install it and the integration runner
// extension into a fresh profile, start the Ollama simulator and code-server on free loopback
// ports, open the workspace in Chromium; the runner extension runs the integration suites in the
// extension host while the page loads; then the e2e scenarios (test/e2e/scenarios/*.mjs) run on the
// same page. Screenshots, logs and summary.json go to test-results/e2e/. Everything started is
// stopped at the end, on failure and on Ctrl-C. Exit code 0 only if every test passed.
//
// Environment: CHROMIUM (default /usr/bin/chromium), CODE_SERVER_DIR, E2E_TIME_LIMIT_S (default 1200).

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { buildIntegration, packageRunner } from '../integration/build.mjs';
import { activationErrors, BASE_SETTINGS, createProfile, findChannelLog, installExtensions, poll, startCodeServer, useEditor } from './lib/codeserver.mjs';
import { EXTENSION_ID, RESULTS as OLDEST_RESULTS, ROOT, VSIX, WORK } from './lib/paths.mjs';
import { freePort, onCleanup, run, stopAll } from './lib/procs.mjs';
import { runScenarios } from './lib/runner.mjs';
import { startSimulator } from './lib/sim.mjs';
import { closeAllEditors, describeWorkbench, dismissAll, waitForWorkbench } from './lib/workbench.mjs';
import { createWorkspace, restoreWorkspace } from './lib/workspace.mjs';

const started = Date.now();
/** What is known so far; main() fills it in as it goes, so a late failure keeps earlier results. */
const outcome = { integration: undefined, e2e: [], timings: {} };
const TIME_LIMIT_MS = Number(process.env.E2E_TIME_LIMIT_S ?? 1200) * 1000;
const deadline = started + TIME_LIMIT_MS;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/**
 * The simulator at startup: only the smallest Qwen2.5-Coder models installed, so whatever the
 * hardware choice recommends is missing and the first-run consent question comes (20-models).
 * Pulls are slow enough to watch their progress.
 */
const SIM_START = {
  models: [{ name: 'qwen2.5-coder:0.5b-base' }, { name: 'qwen2.5-coder:0.5b-instruct' }],
  timing: { pullStepMs: 200, pullSteps: 10 },
};

const args = parseArgs(process.argv.slice(2));
const editor = useEditor(args.vscode);
/** Each editor's results apart: `npm test` runs both, and test/support/total.mjs adds up both counts. */
const SUFFIX = editor.name === 'oldest' ? '' : `-${editor.name}`;
const RESULTS = `${OLDEST_RESULTS}${SUFFIX}`;
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (s) => console.log(s);
const phase = (s) => say(`[e2e ${elapsed()}] ${s}`);

function parseArgs(argv) {
  const out = { grep: undefined, only: undefined, package: true, vsix: VSIX, repeat: 1, vscode: 'oldest' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep') out.grep = new RegExp(argv[++i], 'i');
    else if (a === '--only') out.only = argv[++i];
    else if (a === '--no-package') out.package = false;
    else if (a === '--vscode') out.vscode = argv[++i];
    else if (a === '--repeat') {
      out.repeat = Number(argv[++i]);
      if (!Number.isInteger(out.repeat) || out.repeat < 1) throw new Error('--repeat takes a whole number of runs (1 or more)');
    }
    else if (a === '--vsix') {
      out.vsix = resolve(argv[++i]);
      out.package = false;
    }
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (out.only && !['e2e', 'integration'].includes(out.only)) throw new Error('--only takes e2e or integration');
  return out;
}

/** Loads test/e2e/scenarios/*.mjs in name order (the number prefix sets the order). */
async function loadScenarios() {
  const dir = join(ROOT, 'test', 'e2e', 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  const scenarios = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    scenarios.push({ scenario: basename(f, '.mjs').replace(/^\d+-/, ''), tests: mod.default });
  }
  return scenarios;
}

async function main() {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const logs = join(RESULTS, 'logs');
  mkdirSync(logs, { recursive: true });
  const timings = outcome.timings;
  const time = async (name, fn) => {
    const t = Date.now();
    try {
      return await fn();
    } finally {
      timings[name] = Date.now() - t;
    }
  };

  // 1. code-server (idempotent: a no-op once installed) and Chromium.
  await time('install', async () => {
    if (!existsSync(editor.entry) || !existsSync(editor.node) || !existsSync(CHROMIUM)) phase(`installing code-server (test/e2e/install-code-server.sh ${editor.name})`);
    await run('install-code-server', 'bash', [join(ROOT, 'test', 'e2e', 'install-code-server.sh'), editor.name], { timeoutMs: 600_000, env: { ...process.env, CHROMIUM } });
  });

  // 2. The extension as users get it: the packaged .vsix. And the integration bundles.
  if (args.vsix !== VSIX && !existsSync(args.vsix)) throw new Error(`--vsix: no such file ${args.vsix}`);
  if (args.package || !existsSync(args.vsix)) {
    phase('building and packaging the extension (npm run package)');
    await time('package', () => run('npm run package', 'npm', ['run', 'package'], { cwd: ROOT, timeoutMs: 180_000 }));
  }
  const integrationOut = join(WORK, 'integration');
  if (args.only !== 'e2e') await time('build-integration', () => buildIntegration(integrationOut));

  // 3. The simulator, the profile and the workspace.
  phase('starting the Ollama simulator');
  const sim = await startSimulator({ config: SIM_START, configFile: join(logs, 'simulator-config.json'), logFile: join(logs, 'simulator.log') });
  onCleanup(() => sim.stop());
  phase(`simulator at ${sim.url} (control ${sim.controlUrl})`);

  const profile = createProfile(join(WORK, `e2e-profile${SUFFIX}`), { ...BASE_SETTINGS, 'qwenLocal.ollamaHost': sim.url });
  createWorkspace(profile.workspace, profile.home);
  const integrationResults = join(RESULTS, 'integration-results.json');
  const vsix = [args.vsix];
  if (args.only !== 'e2e') {
    const runnerConfig = { resultsFile: integrationResults, simUrl: sim.url, simControlUrl: sim.controlUrl, workspace: profile.workspace, host: 'code-server' };
    vsix.push(await time('package-runner', () => packageRunner(integrationOut, runnerConfig)));
  }
  phase('installing the .vsix into a fresh profile');
  await time('install-extension', () => installExtensions(profile, { vsix }));

  // 4. code-server and the page.
  const port = await freePort();
  const server = await time('code-server-start', () => startCodeServer(profile, port, join(logs, 'code-server.log')));
  onCleanup(() => server.proc.stop());
  phase(`code-server at http://127.0.0.1:${port}`);

  // Our own signal handlers stop everything in order (procs.mjs); playwright must not race them.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  onCleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const pageErrors = [];
  const openPage = async () => {
    const page = await context.newPage();
    // "Leave site?" on reload with unsaved editors: a person would confirm; the test does too.
    page.on('dialog', (dialog) => void dialog.accept().catch(() => {}));
    page.on('pageerror', (e) => pageErrors.push(`${new Date().toISOString()} ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`${new Date().toISOString()} console: ${m.text()}`);
    });
    await page.goto(server.url);
    await waitForWorkbench(page);
    return page;
  };
  const page = await time('workbench-load', () => openPage());
  phase('workbench loaded');
  await page.screenshot({ path: join(RESULTS, 'workbench-loaded.png') });

  const ctx = {
    page,
    browser,
    sim,
    profile,
    extensionId: EXTENSION_ID,
    /** The package under test (a scenario that starts a code-server of its own installs it). */
    vsix: args.vsix,
    url: server.url,
    /** The code-server process: the extension hosts of this run are its descendants. */
    serverPid: server.proc.pid,
    /**
     * Reloads the window (as "Developer: Reload Window" would) and waits until the extension has
     * activated in the NEW extension host (its own log file says "Activated in") and shows its status
     * item. Returns that log file.
     */
    async reloadWindow() {
      const before = new Set(findChannelLog(profile, EXTENSION_ID, 'Qwen Local'));
      await ctx.page.reload();
      await waitForWorkbench(ctx.page, { statusItemId: 'qwenLocal.status' });
      const fresh = () => findChannelLog(profile, EXTENSION_ID, 'Qwen Local').find((f) => !before.has(f));
      return poll(() => {
        const f = fresh();
        return f && /Activated in/.test(readFileSync(f, 'utf8')) ? f : undefined;
      }, 60_000, 'the extension to activate in the new extension host');
    },
  };

  // 5. Integration suites (already running in the extension host since it started).
  let integration;
  if (args.only !== 'e2e') {
    phase('waiting for the integration suites (runner extension)');
    integration = outcome.integration = await time('integration', async () => {
      try {
        // The runner writes its progress log as it starts: no log after a minute means it never ran.
        await poll(() => existsSync(`${integrationResults}.log`), 60_000, 'the integration runner extension to start');
        await poll(() => existsSync(integrationResults), Math.min(180_000, deadline - Date.now()), 'integration results');
        return JSON.parse(readFileSync(integrationResults, 'utf8'));
      } catch (e) {
        const progress = existsSync(`${integrationResults}.log`) ? readFileSync(`${integrationResults}.log`, 'utf8') : '(the runner extension never started: see logs/exthost)';
        return { passed: 0, failed: 1, tests: [], error: `${e instanceof Error ? e.message : e}\n${progress}` };
      }
    });
    say('');
    say(`Integration (${integration.host ?? 'code-server'}, VS Code ${integration.vscodeVersion ?? '?'}):`);
    for (const t of integration.tests) {
      say(`  ${t.state === 'passed' ? '✓' : '✗'} ${t.fullTitle} (${t.durationMs} ms)`);
      if (t.error) say(t.error.split('\n').slice(0, 20).map((l) => `      ${l}`).join('\n'));
    }
    if (integration.error) say(`  runner error: ${integration.error}`);
    say('');
  }

  // 6. e2e scenarios on the same page.
  if (args.only !== 'integration') {
    const scenarios = await loadScenarios();
    phase(`e2e: ${scenarios.reduce((n, s) => n + s.tests.length, 0)} test(s) in ${scenarios.length} scenario(s)`);
    await time('e2e', () =>
      runScenarios(scenarios, ctx, {
        results: outcome.e2e, // filled in as tests finish: a late abort still reports them
        resultsDir: RESULTS,
        deadline: deadline - 15_000, // leave time to stop everything and write the report
        grep: args.grep,
        log: say,
        // Each scenario starts from the same state: the committed sample files (editors without
        // changes reload them), no open widget, the simulator up and fault-free. (Notifications
        // stay: the startup's consent question is the models scenario's subject.)
        beforeScenario: async (c) => {
          restoreWorkspace(c.profile.workspace, c.profile.home);
          await c.sim.clearFaults();
          await c.sim.online();
          await dismissAll(c.page);
        },
        explain: async (c) => {
          const channel = findChannelLog(c.profile, c.extensionId, 'Qwen Local').pop();
          const tail = channel ? readFileSync(channel, 'utf8').trimEnd().split('\n').slice(-8) : ['(no log yet)'];
          // The page's own errors of the last minute (a failed save or file read is logged there too).
          const since = new Date(Date.now() - 60_000).toISOString();
          const errors = pageErrors.filter((e) => e.slice(0, 24) >= since).slice(-6).map((e) => `  ${e.slice(0, 300)}`);
          return [
            await describeWorkbench(c.page),
            `Qwen Local log, last lines:\n${tail.map((l) => `  ${l}`).join('\n')}`,
            `page errors in the last minute: ${errors.length ? `\n${errors.join('\n')}` : 'none'}`,
          ].join('\n');
        },
        recover: async (c) => {
          if (c.page.isClosed()) c.page = await openPage();
          await dismissAll(c.page).catch(() => {});
          // A page that no longer answers gets reloaded.
          const alive = await Promise.race([c.page.evaluate(() => true).catch(() => false), new Promise((r) => setTimeout(() => r(false), 5000))]);
          if (!alive) await c.reloadWindow();
          // An editor the failed test left unsaved (or in a save conflict) would fail the next one too.
          await closeAllEditors(c.page).catch((e) => say(`      closing the editors failed: ${e instanceof Error ? e.message : e}`));
          await c.sim.clearFaults().catch(() => {});
          await c.sim.online().catch(() => {});
        },
      }),
    );
  }

  // 7. Evidence for a person: extension-host logs, page errors, activation errors.
  copyLogs(profile, logs);
  writeFileSync(join(logs, 'page-errors.log'), pageErrors.join('\n'));
  const activation = activationErrors(profile, EXTENSION_ID);
  if (activation.length) say(`\nExtension host errors of ${EXTENSION_ID}:\n${activation.map((l) => `  ${l}`).join('\n')}`);

}

function copyLogs(profile, dest) {
  const from = join(profile.udd, 'logs');
  if (existsSync(from)) cpSync(from, join(dest, 'vscode'), { recursive: true });
}

function report({ integration, e2e, timings }, fatal) {
  const ip = integration ? integration.passed : 0;
  const ifail = integration ? integration.failed + (integration.error && integration.failed === 0 ? 1 : 0) : 0;
  const ep = e2e.filter((r) => r.ok).length;
  const ef = e2e.length - ep;
  const fatalFail = fatal ? 1 : 0;
  const summary = {
    integration: integration ? { passed: ip, failed: ifail, tests: integration.tests, error: integration.error } : undefined,
    e2e: { passed: ep, failed: ef, tests: e2e },
    fatal: fatal ? String(fatal.stack ?? fatal) : undefined,
    timingsMs: { ...timings, total: Date.now() - started },
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'summary.json'), JSON.stringify(summary, null, 2));
  // Counts for test/support/total.mjs, which adds up every suite of `npm test`.
  writeFileSync(join(RESULTS, '..', `integration${SUFFIX}.json`), JSON.stringify({ passed: ip, failed: ifail + fatalFail }));
  writeFileSync(join(RESULTS, '..', `e2e${SUFFIX}.json`), JSON.stringify({ passed: ep, failed: ef }));
  say('');
  say(`Timings: ${Object.entries(summary.timingsMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
  say(`Screenshots and logs: ${RESULTS}`);
  if (fatal) say(`Run aborted: ${fatal instanceof Error ? fatal.message : fatal}`);
  say(`integration: ${ip} passed, ${ifail} failed`);
  say(`e2e: ${ep} passed, ${ef} failed`);
  const failed = ifail + ef + fatalFail;
  say(`${ip + ep} passed, ${failed} failed`);
  return failed;
}

/**
 * --repeat N: N whole runs, each a child process of its own (fresh profile, ports, browser), one
 * after another; the .vsix is built once. A failed run's results are kept in
 * test-results/e2e-repeat/run-K/. Prints one line per run and the tally; exit 1 if any run failed.
 */
function repeatRuns() {
  const passOn = process.argv.slice(2).filter((a, i, all) => a !== '--repeat' && all[i - 1] !== '--repeat');
  const kept = join(RESULTS, '..', `e2e-repeat${SUFFIX}`);
  rmSync(kept, { recursive: true, force: true });
  const lines = [];
  for (let k = 1; k <= args.repeat; k++) {
    const childArgs = k === 1 ? passOn : [...passOn.filter((a) => a !== '--no-package'), '--no-package'];
    const t = Date.now();
    phase(`repeat: run ${k} of ${args.repeat}`);
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, ...childArgs], { stdio: 'inherit' });
    let summary;
    try {
      summary = JSON.parse(readFileSync(join(RESULTS, 'summary.json'), 'utf8'));
    } catch {
      summary = undefined;
    }
    const failedTests = [
      ...(summary?.integration?.tests ?? []).filter((x) => x.state !== 'passed').map((x) => `integration: ${x.fullTitle}`),
      ...(summary?.e2e?.tests ?? []).filter((x) => !x.ok).map((x) => `${x.scenario} › ${x.name}`),
      ...(summary?.fatal ? [`aborted: ${summary.fatal.split('\n')[0]}`] : []),
    ];
    const ok = r.status === 0;
    if (!ok) cpSync(RESULTS, join(kept, `run-${k}`), { recursive: true });
    lines.push(`run ${k}: ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - t) / 1000).toFixed(0)} s${failedTests.length ? ` — ${failedTests.join('; ')}` : ''}`);
    say(`\n[e2e repeat] ${lines[lines.length - 1]}\n`);
  }
  const green = lines.filter((l) => l.includes(': passed')).length;
  say(`\nRepeat summary (${args.repeat} runs):\n${lines.map((l) => `  ${l}`).join('\n')}`);
  say(`${green} of ${args.repeat} runs passed${green < args.repeat ? `; failed runs kept in ${kept}` : ''}`);
  process.exit(green === args.repeat ? 0 : 1);
}
if (args.repeat > 1) repeatRuns();

let fatal;
// A hard stop: whatever hangs, the run ends (and cleans up) before CI's own limit.
const watchdog = setTimeout(() => {
  console.error(`[e2e] time limit of ${TIME_LIMIT_MS / 1000} s reached: stopping`);
  stopAll().finally(() => {
    report(outcome, new Error('time limit reached'));
    process.exit(1);
  });
}, TIME_LIMIT_MS + 20_000);
watchdog.unref();

try {
  await main();
} catch (e) {
  fatal = e;
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
} finally {
  phase('stopping code-server, Chromium and the simulator');
  await stopAll();
}
const failed = report(outcome, fatal);
clearTimeout(watchdog);
process.exit(failed > 0 ? 1 : 0);
