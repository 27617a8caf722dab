// Smoke: the packaged extension installs, activates without errors, shows its status bar item,
// its commands are in the palette, and its log channel exists.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { activationErrors, findChannelLog, poll, readExthostLogs } from '../lib/codeserver.mjs';
import { MANIFEST } from '../lib/paths.mjs';
import { test } from '../lib/runner.mjs';
import { MOD, paletteCommands, runCommand, SEL, textOf, waitForStatusBar } from '../lib/workbench.mjs';

const STATUS_ID = 'qwenLocal.status';

/** Palette titles of the commands the manifest does not hide or make conditional. */
function expectedPaletteTitles() {
  const conditional = new Set((MANIFEST.contributes.menus?.commandPalette ?? []).map((m) => m.command));
  return MANIFEST.contributes.commands
    .filter((c) => !conditional.has(c.command))
    .map((c) => `${c.category}: ${c.title}`)
    .sort();
}

export default [
  test('the extension activates without errors', async ({ profile, extensionId }) => {
    await poll(() => readExthostLogs(profile).includes(`_doActivateExtension ${extensionId}`), 30_000, `${extensionId} activation in the exthost log`);
    // Its own log channel is written beside the exthost log: the "Activated" line proves activate() ran to the end.
    const channel = await poll(() => findChannelLog(profile, extensionId, 'Qwen Local').pop(), 15_000, 'the "Qwen Local" log channel file');
    await poll(() => /Activated in/.test(readFileSync(channel, 'utf8')), 15_000, '"Activated in" in the Qwen Local log');
    const log = readFileSync(channel, 'utf8');
    assert.doesNotMatch(log, /Activation failed/, log);
    assert.deepEqual(activationErrors(profile, extensionId), [], 'errors of the extension in the exthost log');
  }),

  test(
    'the status bar has a Qwen Local item that says ready',
    async ({ page, shot }) => {
      await page.waitForSelector(SEL.statusItem(STATUS_ID), { timeout: 20_000 });
      // Connecting first, then ready once the simulator answered the health check.
      await waitForStatusBar(page, STATUS_ID, /^Qwen$/, { timeoutMs: 20_000 });
      const item = page.locator(SEL.statusItem(STATUS_ID));
      assert.equal(await item.locator('.codicon-sparkle').count(), 1, 'the ready icon (sparkle)');
      assert.match((await item.locator('a').getAttribute('aria-label')) ?? '', /Ready/);
      await shot('status-bar');
    },
  ),

  test('the command palette lists the Qwen Local commands', async ({ page }) => {
    const seen = await paletteCommands(page, 'Qwen Local: ');
    const missing = expectedPaletteTitles().filter((t) => !seen.includes(t));
    assert.deepEqual(missing, [], `palette shows ${JSON.stringify(seen)}`);
  }),

  test('clicking the status bar item opens the Qwen Local menu', async ({ page, shot }) => {
    await page.click(`${SEL.statusItem(STATUS_ID)} a`);
    const title = page.locator(`${SEL.quickInput} .quick-input-title`);
    await title.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal((await title.textContent())?.trim(), 'Qwen Local');
    const labels = await page.$$eval(`${SEL.quickInputRow} .label-name`, (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(labels.some((l) => /Snooze Completions/.test(l)), `menu shows ${JSON.stringify(labels)}`);
    await shot('menu');
    await page.keyboard.press('Escape');
  }),

  test(
    '"Qwen Local: Show Log" shows the log channel',
    async ({ page, shot }) => {
      await runCommand(page, 'Qwen Local: Show Log');
      const output = page.locator('.panel .output-view, .panel [id="workbench.panel.output"]').first();
      await output.waitFor({ state: 'visible', timeout: 10_000 });
      // The Output editor draws only the lines in view and follows the end of the log; after the
      // integration suites the activation line is far above: go to the top of the channel first.
      // In the panel's content: newer VS Code draws the Output filter in the title with an editor too.
      const lines = page.locator('.panel .content .monaco-editor .view-lines').first();
      await lines.waitFor({ state: 'visible', timeout: 10_000 });
      await poll(async () => {
        // Focused, not clicked: the line layer is scrolled, and a point on it can lie under the panel's title.
        await page.locator('.panel .content .monaco-editor :is(.native-edit-context, textarea.inputarea)').first().focus();
        await page.keyboard.press(`${MOD}+Home`);
        return /Activated in/.test(await textOf(lines));
      }, 10_000, '"Activated in" at the top of the Output panel');
      await shot('output');
      await runCommand(page, 'View: Hide Panel');
    },
  ),
];
