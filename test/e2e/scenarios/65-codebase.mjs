// @codebase as a person uses it: Index Workspace, then a question in chat with @codebase whose
// answer is in a file that is not open; the code of that file goes with the question, the
// answer's path:line link opens it, and so does the chunk's chip under the question. Delete Index leaves the workspace as the next scenarios expect.

import assert from 'node:assert/strict';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { EXTENSION_ID } from '../lib/paths.mjs';
import { extensionWebview, runCommand, waitForStatusBar } from '../lib/workbench.mjs';

const QUESTION = 'Where is the product of two numbers computed?';
const ANSWER = 'In [src/math.ts:5](src/math.ts#L5): `multiply` returns `a * b`.';

const chatFrame = (page) => extensionWebview(page, EXTENSION_ID);

export default [
  test(
    'Index Workspace, then @codebase finds code in an unopened file and the cited link and the chunk chip open it',
    async ({ page, sim, shot }) => {
      await sim.configure({ chats: [{ whenLastUserIncludes: QUESTION, answer: { text: ANSWER, tokenMs: 5 } }] });
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'Qwen Local: Index Workspace');
      await waitForStatusBar(page, 'qwenLocal.codebaseIndex', /files indexed/, { timeoutMs: 30_000 });

      await runCommand(page, 'Qwen Local: Open Chat');
      const input = chatFrame(page).locator('textarea.input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('@code');
      await chatFrame(page).locator('.mention-menu', { hasText: '@codebase' }).waitFor({ timeout: 10_000 });
      await input.press('Enter');
      await chatFrame(page).locator('.chips', { hasText: '@codebase' }).waitFor({ timeout: 10_000 });
      const mark = await sim.mark();
      await input.fill(QUESTION);
      await input.press('Enter');
      const answer = chatFrame(page).locator('.message.assistant').last();
      const link = answer.locator('a', { hasText: 'src/math.ts:5' });
      await link.waitFor({ timeout: 30_000 });
      await shot('answer');
      const chat = (await sim.requests(mark)).filter((r) => r.endpoint === 'chat');
      assert.equal(chat.length, 1);
      const sent = JSON.stringify(chat[0].body?.messages);
      assert.ok(sent.includes('return a * b;'), 'the code of src/math.ts went with the question');
      assert.ok(sent.includes('src/math.ts:'), 'with its path:line');

      await link.click();
      await page.locator('.tab.active', { hasText: 'math.ts' }).waitFor({ timeout: 15_000 });
      await shot('opened');

      // The chunk chips under the sent question open their place too, selecting the chunk's lines.
      await runCommand(page, 'View: Close All Editors');
      const chip = chatFrame(page).locator('.message.user').last().locator('.message-context a.chip-open', { hasText: /^math\.ts:\d+-\d+$/ }).last();
      const label = (await chip.textContent()) ?? '';
      const [, start, end] = /:(\d+)-(\d+)$/.exec(label) ?? [];
      assert.ok(start && end, `a chunk chip of math.ts with its range (saw ${JSON.stringify(label)})`);
      await chip.click();
      await page.locator('.tab.active', { hasText: 'math.ts' }).waitFor({ timeout: 15_000 });
      const selection = await waitForStatusBar(page, 'status.editor.selection', /selected/, { timeoutMs: 10_000 });
      assert.match(selection, new RegExp(`Ln (${start}|${end}),`), `the chip's lines ${start}-${end} are selected (${selection})`);
      await shot('chip-opened');

      await runCommand(page, 'Qwen Local: Delete Index');
      await page.getByRole('button', { name: 'Delete' }).click();
      await poll(async () => (await page.locator('.notification-toast', { hasText: 'index was deleted' }).count()) > 0, 15_000, 'the index deleted');
    },
    { timeoutMs: 120_000 },
  ),
];
