// A team server in the real editor: the user settings point at the OpenAI-compatible simulator
// (vLLM flavour, behind --api-key) with server.kind "openai"; the key is set with the command, then
// ghost text comes from /v1/completions with the key, and the chat answers from /v1/chat/completions.
// The settings are put back afterwards, so later scenarios talk to the Ollama simulator again.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../lib/codeserver.mjs';
import { EXTENSION_ID } from '../lib/paths.mjs';
import { test } from '../lib/runner.mjs';
import { startSimulator } from '../lib/sim.mjs';
import { closeAllEditors, extensionWebview, focusEditor, MOD, notificationMessages, openPristine, runCommand, SEL, type, waitForGhostText } from '../lib/workbench.mjs';

const KEY = 'sk-e2e-team-key';
const TRIGGER = 'export function triple(n: number): number {\n  return';
const QUESTION = 'Which server answers this?';
const ANSWER = 'The team server answers.';

/** Both settings files of the profile (code-server reads machine-scoped settings from Machine/). */
const settingsFiles = (profile) => [join(profile.udd, 'User', 'settings.json'), join(profile.udd, 'Machine', 'settings.json')];

let team;
let saved;

export default [
  test(
    'team server: with the key set by the command, ghost text and a chat answer come from it',
    async ({ page, profile, shot }) => {
      team = await startSimulator({
        openai: true,
        config: {
          flavour: 'vllm',
          apiKey: KEY,
          completions: [{ whenPrefixEndsWith: 'triple(n: number): number {\n  return', answer: ' n * 3;' }],
          defaultCompletion: '',
          chats: [{ whenLastUserIncludes: QUESTION, answer: ANSWER }],
        },
      });
      saved = settingsFiles(profile).map((f) => readFileSync(f, 'utf8'));
      for (const [i, f] of settingsFiles(profile).entries()) {
        writeFileSync(f, JSON.stringify({ ...JSON.parse(saved[i]), 'qwenLocal.server.kind': 'openai', 'qwenLocal.server.url': team.url }, null, 2));
      }
      // Without a key the server answers 401: nothing may have been sent with one yet.
      await poll(async () => (await team.requests(0)).length > 0, 30_000, 'the extension to ask the team server');
      for (const r of await team.requests(0)) assert.equal(r.headers.authorization, undefined, `${r.path} carried a key before one was set`);
      await poll(async () => (await notificationMessages(page)).some((m) => /needs an API key/.test(m)), 30_000, 'the toast saying the server needs an API key');
      await shot('key-toast');

      await runCommand(page, 'Qwen Local: Set API Key for the Model Server');
      // The key's input box is a password box (the command palette's input is not): wait for it, not the palette.
      const box = page.locator('.quick-input-widget input[type="password"]');
      await box.waitFor({ state: 'visible', timeout: 10_000 });
      await box.fill(KEY);
      await box.press('Enter');
      // The new key is read and the server probed again with it.
      await poll(async () => (await team.requests(0)).some((r) => r.headers.authorization === `Bearer ${KEY}` && r.status === 200), 30_000, 'a request with the key');

      await openPristine(page, profile, 'src/math.ts');
      await focusEditor(page);
      await page.keyboard.press(`${MOD}+End`);
      await page.keyboard.press('Enter');
      const lines = TRIGGER.split('\n');
      await type(page, lines[0]);
      await page.keyboard.press('Enter');
      await type(page, lines[1]);
      const ghost = await waitForGhostText(page, { timeoutMs: 30_000 });
      assert.equal(ghost.trim(), 'n * 3;');
      // The "needs an API key" toast of the requests before the key closes once the key works.
      await poll(async () => !(await notificationMessages(page)).some((m) => /needs an API key/.test(m)), 20_000, 'the API key toast to close');
      await shot('ghost');
      const completions = (await team.requests(0)).filter((r) => r.endpoint === 'completions' && r.status === 200);
      assert.ok(completions.length > 0);
      for (const r of completions) assert.equal(r.headers.authorization, `Bearer ${KEY}`);
      await page.keyboard.press('Escape');

      await runCommand(page, 'Qwen Local: Open Chat');
      const chat = extensionWebview(page, EXTENSION_ID);
      const input = chat.locator('textarea.input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill(QUESTION);
      await input.press('Enter');
      const answer = chat.locator('.message.assistant').last();
      await poll(async () => ((await answer.textContent()) ?? '').includes(ANSWER), 30_000, 'the chat answer from the team server');
      await shot('chat');
      const chats = (await team.requests(0)).filter((r) => r.endpoint === 'chat');
      assert.ok(chats.some((r) => r.headers.authorization === `Bearer ${KEY}`));

      // The model picker lists what the team server serves, and offers nothing to download.
      await runCommand(page, 'Qwen Local: Select Chat Model');
      const rows = page.locator(SEL.quickInputRow);
      await poll(async () => (await rows.allTextContents()).some((t) => t.includes('Qwen/Qwen2.5-Coder-7B-Instruct')), 20_000, "the team server's models in the picker");
      const picks = await rows.allTextContents();
      assert.ok(picks.some((t) => /Models served by/.test(t)), `the server's section: ${JSON.stringify(picks)}`);
      assert.ok(!picks.some((t) => /download/i.test(t)), `nothing to download from a team server: ${JSON.stringify(picks)}`);
      await shot('picker');
      await page.keyboard.press('Escape');
    },
    { timeoutMs: 150_000, screenshot: true },
  ),

  test('team server: the settings go back to the Ollama simulator', async ({ profile, page }) => {
    if (saved) for (const [i, f] of settingsFiles(profile).entries()) writeFileSync(f, saved[i]);
    await team?.stop();
    team = undefined;
    await closeAllEditors(page).catch(() => {});
  }),
];
