// Startup truth: reloading the window is not a first run. Five reloads in a row, each ends with the
// status "ready", the server of the settings (never the default host), no walkthrough and no
// notification. Runs after the models scenario, so every recommended model is installed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { notificationMessages, SEL, statusBarText, waitForStatusBar } from '../lib/workbench.mjs';

const STATUS = 'qwenLocal.status';
const RELOADS = 5;

export default [
  test(
    `${RELOADS} window reloads: each ends ready, on the configured server, with no notification or walkthrough`,
    async (ctx) => {
      const { sim, log } = ctx;
      for (let i = 1; i <= RELOADS; i++) {
        const channel = await ctx.reloadWindow();
        const page = ctx.page;
        // The extension's startup decisions are logged: wait for the last one (the first-run check).
        const text = await poll(() => {
          const t = readFileSync(channel, 'utf8');
          return /First run: /.test(t) ? t : undefined;
        }, 60_000, `reload ${i}: the first-run decision in the new extension host's log`);
        const activated = /Activated in [\d.]+ ms .*; server (\S+) \((\w+)\)/.exec(text);
        assert.ok(activated, `reload ${i}: no "Activated in" line`);
        await waitForStatusBar(page, STATUS, /^Qwen$/, { timeoutMs: 20_000 });
        const firstRun = /First run: (.*)/.exec(text)?.[1];
        const shown = await notificationMessages(page);
        const editors = await page.locator('.tab').allTextContents();
        log(`reload ${i}: server ${activated[1]} (${activated[2]}), first run: ${firstRun}, status "${await statusBarText(page, STATUS)}", notifications ${shown.length}`);
        assert.equal(activated[1], sim.url, `reload ${i}: the server at activation`);
        assert.doesNotMatch(text, /\[status\] unreachable/, `reload ${i}: a failed check after the reload`);
        assert.match(firstRun ?? '', /^none/, `reload ${i}: the first-run decision`);
        assert.deepEqual(shown, [], `reload ${i}: notifications after the reload`);
        assert.ok(!editors.some((t) => /Walkthrough/.test(t)), `reload ${i}: the walkthrough opened (${JSON.stringify(editors)})`);
        assert.equal(await page.locator(SEL.toast).count(), 0, `reload ${i}: a toast is showing`);
      }
    },
    { timeoutMs: 60_000 * RELOADS },
  ),
];
