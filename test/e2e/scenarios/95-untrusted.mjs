// Workspace trust in a real editor: a second code-server with workspace trust on (the main one runs
// with it off) opens a fresh workspace in Restricted Mode. Qwen Local says what is limited (status
// "restricted", one notice), typing sends nothing to the server and shows no ghost text; trusting
// the workspace from the notice lifts the limits without a reload: ghost text appears, and an index
// the workspace agreed to (Index Workspace, run in Restricted Mode) is brought up to date.
//
// A code-server of its own because trust is a server-wide switch; it costs one more start (~15 s).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE_SETTINGS, createProfile, installExtensions, poll, startCodeServer } from '../lib/codeserver.mjs';
import { RESULTS, WORK } from '../lib/paths.mjs';
import { freePort, onCleanup } from '../lib/procs.mjs';
import { test } from '../lib/runner.mjs';
import { createWorkspace } from '../lib/workspace.mjs';
import { clickNotificationButton, focusEditor, ghostText, MOD, openFile, runCommand, statusBarText, type, waitForGhostText, waitForStatusBar, waitForWorkbench } from '../lib/workbench.mjs';

const STATUS = 'qwenLocal.status';
const INDEX = 'qwenLocal.codebaseIndex';
const LINE = 'export function subtract(a: number, b: number): number {';
const BODY = '  return';
/** How long typing must stay without a completion request (several debounces and a trigger). */
const QUIET_MS = 3_000;

export default [
  test(
    'Restricted Mode: no completions and a notice; trusting the workspace turns them on',
    async ({ browser, sim, vsix, log, shot }) => {
      const profile = createProfile(join(WORK, 'e2e-untrusted-profile'), {
        ...BASE_SETTINGS,
        'security.workspace.trust.enabled': true,
        // No modal question at startup: the folder simply opens in Restricted Mode.
        'security.workspace.trust.startupPrompt': 'never',
        'qwenLocal.ollamaHost': sim.url,
        'qwenLocal.completion.model': 'qwen2.5-coder:0.5b-base',
        'qwenLocal.chat.model': 'qwen2.5-coder:0.5b-instruct',
      });
      createWorkspace(profile.workspace, profile.home);
      await installExtensions(profile, { vsix: [vsix] });
      const server = await startCodeServer(profile, await freePort(), join(RESULTS, 'logs', 'code-server-untrusted.log'), { trust: true });
      onCleanup(() => server.proc.stop());
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        const pictures = (name) => page.screenshot({ path: join(RESULTS, `untrusted--${name}.png`) });
        await page.goto(server.url);
        await waitForWorkbench(page, { statusItemId: STATUS });
        await sim.configure({ completions: [{ whenPrefixEndsWith: `${LINE}\n${BODY}`, answer: ' a - b;' }], defaultCompletion: '' });

        // 1. What is limited is said: the status and one notice.
        await waitForStatusBar(page, STATUS, /restricted/, { timeoutMs: 60_000 });
        await pictures('restricted');

        // 1b. Index Workspace is the person's say even here; afterwards nothing is indexed on its own.
        await runCommand(page, 'Qwen Local: Index Workspace');
        await waitForStatusBar(page, INDEX, /files indexed/, { timeoutMs: 30_000 });

        // 2. Typing sends nothing: no completion request, no ghost text, even when asked for one.
        const mark = await sim.mark();
        await openFile(page, 'src/math.ts');
        await page.keyboard.press(`${MOD}+End`);
        await page.keyboard.press('Enter');
        await type(page, LINE);
        await page.keyboard.press('Enter');
        await type(page, BODY);
        await runCommand(page, 'Trigger Inline Suggestion').catch(() => {});
        await focusEditor(page);
        const until = Date.now() + QUIET_MS;
        await poll(async () => {
          const generated = (await sim.requests(mark)).filter((r) => r.endpoint === 'generate');
          assert.equal(generated.length, 0, `completion requests in Restricted Mode: ${JSON.stringify(generated.map((r) => r.body?.prompt?.slice(-60)))}`);
          return Date.now() > until;
        }, QUIET_MS + 5_000, 'a quiet spell without completion requests');
        assert.equal(await ghostText(page), '', 'no ghost text in Restricted Mode');

        await poll(async () => (await statusBarText(page, INDEX)) === undefined, 20_000, 'the index status bar item hidden after its build');

        // 3. Trust from the notice: the workspace trust editor, its Trust button.
        await clickNotificationButton(page, /Restricted Mode/, 'Trust Workspace', { beforeClick: (m) => log(`notice: ${m}`) });
        const trustButton = page.locator('.workspace-trust-editor .workspace-trust-buttons-row .monaco-button').first();
        await trustButton.waitFor({ state: 'visible', timeout: 15_000 });
        await pictures('trust-editor');
        log(`trust button: ${JSON.stringify(await trustButton.textContent())}`);
        await trustButton.click();
        await waitForStatusBar(page, STATUS, /^Qwen$/, { timeoutMs: 30_000 });
        // The index the workspace agreed to is brought up to date at once, without a reload.
        await waitForStatusBar(page, INDEX, /Indexing|files indexed/, { timeoutMs: 30_000 });

        // 4. The limits are gone: the same typing gets ghost text from the server.
        await openFile(page, 'src/math.ts');
        await page.keyboard.press(`${MOD}+End`);
        await page.keyboard.press('Backspace');
        await type(page, 'n');
        const ghost = await waitForGhostText(page, { timeoutMs: 20_000 });
        assert.equal(ghost.trim(), 'a - b;');
        await shot('trusted-ghost-text');
        await page.keyboard.press('Escape');
      } finally {
        await context.close().catch(() => {});
        await server.proc.stop();
      }
    },
    { timeoutMs: 180_000 },
  ),
];
