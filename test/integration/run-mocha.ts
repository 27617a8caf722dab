// Runs the bundled suites with mocha inside an extension host and writes the results as JSON.
// Shared by the code-server runner extension and test-electron's entry (electron-index.ts).

import { mkdirSync, readdirSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { setConfig, type IntegrationConfig } from './support/config';

export interface TestResult {
  suite: string;
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export interface IntegrationResults {
  host: string;
  vscodeVersion: string;
  /** vscode.env.appHost and remoteName: "web"/"desktop", and the remote's kind if any. */
  appHost: string;
  remoteName?: string;
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  tests: TestResult[];
  /** Set when the runner itself failed (no suite ran, or mocha crashed). */
  error?: string;
}

/** The compiled suites beside the runner: <dir>/suites/*.test.js, sorted. */
export function suiteFiles(dir: string): string[] {
  const suites = join(dir, 'suites');
  return readdirSync(suites)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(suites, f));
}

export async function runSuites(files: string[], config: IntegrationConfig): Promise<IntegrationResults> {
  const started = Date.now();
  const results: IntegrationResults = {
    host: config.host ?? vscode.env.appHost,
    vscodeVersion: vscode.version,
    appHost: vscode.env.appHost,
    remoteName: vscode.env.remoteName,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    passed: 0,
    failed: 0,
    tests: [],
  };
  mkdirSync(dirname(config.resultsFile), { recursive: true });
  const progress = `${config.resultsFile}.log`;
  const say = (line: string) => appendFileSync(progress, `${line}\n`);
  writeFileSync(progress, '');
  setConfig(config);

  try {
    const mocha = new Mocha({
      ui: 'bdd',
      timeout: 20_000,
      color: false,
      // Results are collected from the runner's events below; mocha itself prints nothing.
      reporter: class {
        constructor() {}
      } as unknown as Mocha.ReporterConstructor,
    });
    if (config.grep) mocha.grep(new RegExp(config.grep));
    for (const f of files) mocha.addFile(f);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      const record = (test: Mocha.Test, state: 'passed' | 'failed', error?: unknown) => {
        const r: TestResult = {
          suite: test.parent?.fullTitle() ?? '',
          title: test.title,
          fullTitle: test.fullTitle(),
          state,
          durationMs: test.duration ?? 0,
        };
        if (error !== undefined) r.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
        results.tests.push(r);
        if (state === 'passed') results.passed++;
        else results.failed++;
        say(`${state === 'passed' ? 'ok  ' : 'FAIL'} ${r.fullTitle}${r.error ? `\n${r.error}` : ''}`);
      };
      runner.on('pass', (test) => record(test, 'passed'));
      runner.on('fail', (test, error) => {
        // A failing hook arrives here as a "test" too: record it under the hook's title.
        record(test as Mocha.Test, 'failed', error);
      });
    });
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    say(`runner error: ${results.error}`);
  }
  results.durationMs = Date.now() - started;
  if (results.tests.length === 0 && !results.error) results.error = 'no tests ran (no suites found, or grep matched nothing)';
  // Written whole, then renamed: the e2e runner reads the file as soon as it exists.
  writeFileSync(`${config.resultsFile}.tmp`, JSON.stringify(results, null, 2));
  renameSync(`${config.resultsFile}.tmp`, config.resultsFile);
  return results;
}
