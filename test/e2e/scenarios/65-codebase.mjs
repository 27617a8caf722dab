// @codebase as a person uses it: Index Workspace (by words, then the offered embedding model is
// pulled and the index adds vectors), then a question in chat with @codebase whose
// answer is in a file that is not open; the code of that file goes with the question, the
// answer's path:line link opens it, and so does the chunk's chip under the question. Delete Index leaves the workspace as the next scenarios expect.

import assert from 'node:assert/strict';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { EXTENSION_ID } from '../lib/paths.mjs';
import { clearNotifications, closeAllEditors, escapeRegExp, extensionWebview, runCommand, waitForNotification, waitForStatusBar } from '../lib/workbench.mjs';

const QUESTION = 'Where is the product of two numbers computed?';
const ANSWER = 'In [src/math.ts:5](src/math.ts#L5): `multiply` returns `a * b`.';

const chatFrame = (page) => extensionWebview(page, EXTENSION_ID);
/** Pullable embedding models (name, download bytes as Ollama's library lists them). */
const EMBEDDING_MODELS = [
  ['qwen3-embedding:0.6b', 639_000_000],
  ['nomic-embed-text', 274_000_000],
  ['all-minilm', 46_000_000],
];

export default [
  test(
    'Index Workspace, then @codebase finds code in an unopened file and the cited link and the chunk chip open it',
    async ({ page, sim, shot }) => {
      await sim.configure({ chats: [{ whenLastUserIncludes: QUESTION, answer: { text: ANSWER, tokenMs: 5 } }] });
      // Embedding models the simulator can pull (it has none installed): the index starts by words.
      await sim.configure({ registry: EMBEDDING_MODELS.map(([name, bytes]) => ({ name, family: 'bert', capabilities: ['embedding'], layers: [bytes, 1_200] })) });
      await closeAllEditors(page);
      await runCommand(page, 'Qwen Local: Index Workspace');
      await waitForStatusBar(page, 'qwenLocal.codebaseIndex', /files indexed/, { timeoutMs: 30_000 });

      // A words-only index offers the embedding model that fits next to the models in use, with its
      // size (a notice once per workspace after a build, and Show Index Status each time: in a full
      // run an earlier build may have shown the notice already); Pull downloads it (with progress)
      // and the index adds vectors to the chunks it has.
      await runCommand(page, 'Qwen Local: Show Index Status');
      const offer = await waitForNotification(page, /has no embedding model, so the codebase index searches by words only/, { timeoutMs: 20_000 });
      const pullButton = offer.locator('.monaco-button', { hasText: /^Pull / }).first();
      const pullLabel = (await pullButton.textContent()) ?? '';
      const [, tag, size] = /^Pull (\S+) \(([\d.]+ [MG]B)\)$/.exec(pullLabel) ?? [];
      assert.ok(tag && EMBEDDING_MODELS.some(([name]) => name === tag), `a Pull button naming a model and its size (saw ${JSON.stringify(pullLabel)})`);
      assert.ok(size);
      await shot('embedding-offer');
      const beforePull = await sim.mark();
      await pullButton.click();
      await waitForNotification(page, new RegExp(`${escapeRegExp(tag)} is installed and ready`), { timeoutMs: 60_000 });
      await poll(async () => (await sim.requests(beforePull)).some((r) => r.endpoint === 'embed' && r.status === 200), 30_000, 'the index embeds its chunks with the pulled model');
      const pulls = (await sim.requests(beforePull)).filter((r) => r.endpoint === 'pull');
      assert.deepEqual(pulls.map((r) => r.body?.model ?? r.body?.name), [tag], 'one pull, of the offered model');
      await clearNotifications(page);

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
      await closeAllEditors(page);
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
