// A small scenario runner: one file per scenario, each a list of tests run in order on the shared
// page; every test has its own timeout, so a hung page fails that test instead of hanging CI.
//
//   // test/e2e/scenarios/20-completion.mjs
//   import { test } from '../lib/runner.mjs';
//   export default [
//     test('ghost text appears in a TS file', async (ctx) => { ... }, { timeoutMs: 60_000 }),
//   ];

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isStopping } from './procs.mjs';

/**
 * @typedef {{ name: string, fn: (ctx: any) => Promise<void>, timeoutMs: number, screenshot?: boolean }} Test
 * @typedef {{ scenario: string, name: string, ok: boolean, ms: number, error?: string, screenshot?: string }} Result
 */

/** Declares a test. `screenshot: true` also saves a picture when it passes. */
export function test(name, fn, { timeoutMs = 60_000, screenshot = false } = {}) {
  return { name, fn, timeoutMs, screenshot };
}

export class TimeoutError extends Error {}

const slug = (s) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 80);

/**
 * Runs the tests of the given scenario modules in order.
 * @param {{ scenario: string, tests: Test[] }[]} scenarios
 * @param {object} ctx  shared context: page, sim, profile, ...; each test gets it with `signal` and `shot()`
 * @param {{ resultsDir: string, deadline: number, grep?: RegExp, recover: (ctx: any) => Promise<void>, explain?: (ctx: any) => Promise<string>, beforeScenario?: (ctx: any) => Promise<void>, log: (s: string) => void, results?: Result[] }} options
 * @returns {Promise<Result[]>} the results (also pushed into options.results as they come)
 */
export async function runScenarios(scenarios, ctx, options) {
  const { resultsDir, deadline, grep, recover, log } = options;
  mkdirSync(resultsDir, { recursive: true });
  /** @type {Result[]} */
  const results = options.results ?? [];
  for (const { scenario, tests } of scenarios) {
    let prepared = false;
    for (const t of tests) {
      const full = `${scenario} › ${t.name}`;
      if (grep && !grep.test(full)) continue;
      if (isStopping()) return results;
      const started = Date.now();
      const left = deadline - started;
      if (left < 5_000) {
        results.push({ scenario, name: t.name, ok: false, ms: 0, error: 'not run: the whole run reached its time limit' });
        log(`  ✗ ${full} (not run: out of time)`);
        continue;
      }
      if (!prepared) {
        prepared = true;
        await options.beforeScenario?.(ctx).catch((e) => log(`    before ${scenario}: ${e instanceof Error ? e.message : e}`));
      }
      const controller = new AbortController();
      const shotName = (suffix) => `${slug(scenario)}--${slug(t.name)}${suffix ? `--${slug(suffix)}` : ''}.png`;
      const testCtx = {
        ...ctx,
        signal: controller.signal,
        /** Saves a screenshot of the page now (for pictures a person should look at). */
        shot: async (suffix) => {
          const path = join(resultsDir, shotName(suffix));
          await ctx.page.screenshot({ path }).catch(() => {});
          return path;
        },
        log: (s) => log(`      ${s}`),
      };
      const timeoutMs = Math.min(t.timeoutMs, left);
      let timer;
      /** @type {Result} */
      let result;
      try {
        await Promise.race([
          t.fn(testCtx),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        result = { scenario, name: t.name, ok: true, ms: Date.now() - started };
        if (t.screenshot) result.screenshot = await testCtx.shot('');
      } catch (error) {
        controller.abort();
        // Playwright appends the browser's whole stderr to some errors: keep the message.
        const message = (error instanceof Error ? (error.stack ?? error.message) : String(error)).split(/\n\s*Browser logs:/)[0];
        result = { scenario, name: t.name, ok: false, ms: Date.now() - started, error: message };
        result.screenshot = join(resultsDir, `FAILED--${shotName('')}`);
        await ctx.page.screenshot({ path: result.screenshot }).catch(() => {});
      } finally {
        clearTimeout(timer);
      }
      results.push(result);
      log(`  ${result.ok ? '✓' : '✗'} ${full} (${(result.ms / 1000).toFixed(1)} s)`);
      if (!result.ok && !isStopping()) {
        log(indent(result.error ?? '', '      '));
        log(`      screenshot: ${result.screenshot}`);
        // What the screen and the extension's log said at the failure, for a run nobody watched.
        const explanation = await options.explain?.(ctx).catch((e) => `(could not be gathered: ${e instanceof Error ? e.message : e})`);
        if (explanation) log(indent(explanation, '      | '));
        // Leave a clean workbench for the next test (closes widgets; reloads a dead page).
        await recover(ctx).catch((e) => log(`      recovery failed: ${e instanceof Error ? e.message : e}`));
      }
    }
  }
  return results;
}

function indent(text, pad) {
  return text
    .split('\n')
    .slice(0, 25)
    .map((l) => pad + l)
    .join('\n');
}
