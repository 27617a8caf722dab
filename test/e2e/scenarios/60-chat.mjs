// The chat panel as a person uses it: it opens, a question about the selected code gets a streamed
// answer rendered as markdown with a highlighted code block, Stop ends a long answer, Insert at
// Cursor puts a code block into the editor, Apply to File goes through the actions' diff, and the conversation is still there after a reload.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { SAMPLE_FILES } from '../lib/workspace.mjs';
import { EXTENSION_ID } from '../lib/paths.mjs';
import { clickEditorTitleAction, extensionWebview, goTo, MOD, openFile, openPristine, runCommand, saveAndRead } from '../lib/workbench.mjs';

const QUESTION = 'What does add do?';
const ANSWER =
  'The function **add** returns the sum of its two arguments.\n\nUse it like this:\n\n```ts\nconst three = add(1, 2);\n```\n\nIt never throws.';
const LONG_QUESTION = 'Tell me a very long story about numbers';
const LONG_ANSWER = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');

/** The chat page: the webview of THIS extension (the walkthrough or another extension may show webviews too). */
const chatFrame = (page) => extensionWebview(page, EXTENSION_ID);

async function openChat(page) {
  await runCommand(page, 'Qwen Local: Open Chat');
  const input = chatFrame(page).locator('textarea.input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  return input;
}

const lastAssistant = (page) => chatFrame(page).locator('.message.assistant').last();

export default [
  test('setup: the simulator answers the chat', async ({ sim }) => {
    await sim.configure({
      chats: [
        { whenLastUserIncludes: QUESTION, answer: { text: ANSWER, tokenMs: 15 } },
        { whenLastUserIncludes: LONG_QUESTION, answer: { text: LONG_ANSWER, tokenMs: 40 } },
      ],
    });
  }),

  test('the panel opens with an input ready to type in', async ({ page, shot }) => {
    await openChat(page);
    await shot('empty');
  }),

  test(
    'a question about the selection gets a streamed markdown answer with a highlighted code block',
    async (ctx) => {
      const { page, profile, sim, shot } = ctx;
      await openPristine(page, profile, 'src/math.ts');
      // Select the add function (lines 1-3).
      await goTo(page, 1, 1);
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+End');
      await runCommand(page, 'Qwen Local: Add Selection to Chat');
      // The chat opens with the selection attached as a chip.
      const input = chatFrame(page).locator('textarea.input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await chatFrame(page).locator('.chips', { hasText: 'math.ts:1-3' }).waitFor({ timeout: 10_000 });
      const mark = await sim.mark();
      await input.fill(QUESTION);
      await input.press('Enter');
      const answer = lastAssistant(page);
      await answer.locator('pre code').waitFor({ timeout: 20_000 });
      await poll(async () => ((await answer.textContent()) ?? '').includes('It never throws.'), 20_000, 'the whole answer');
      assert.equal(await answer.locator('strong', { hasText: 'add' }).count(), 1, 'markdown bold rendered');
      const code = answer.locator('.code-block pre code').first();
      assert.equal((await code.textContent())?.trim(), 'const three = add(1, 2);');
      assert.ok((await code.locator('span[class*="hljs-"]').count()) > 0, 'the code block is syntax-highlighted');
      await shot('answer');
      const chat = (await sim.requests(mark)).filter((r) => r.endpoint === 'chat');
      assert.equal(chat.length, 1);
      assert.ok(JSON.stringify(chat[0].body?.messages).includes('return a + b;'), 'the selected code was sent with the question');
    },
    { timeoutMs: 90_000 },
  ),

  test('Stop ends a long answer and the server stops generating', async ({ page, sim, shot }) => {
    const input = await openChat(page);
    const mark = await sim.mark();
    await input.fill(LONG_QUESTION);
    await input.press('Enter');
    const stop = chatFrame(page).locator('button.stop');
    await stop.waitFor({ state: 'visible', timeout: 15_000 });
    await poll(async () => ((await lastAssistant(page).textContent()) ?? '').includes('word5'), 15_000, 'some streamed words');
    await stop.click();
    await lastAssistant(page).locator('.status-text', { hasText: 'Stopped.' }).waitFor({ timeout: 10_000 });
    await shot('stopped');
    const chat = await poll(async () => {
      const r = (await sim.requests(mark)).filter((x) => x.endpoint === 'chat');
      return r.length && r[0].endedAt ? r : undefined;
    }, 10_000, 'the chat request to end at the server');
    assert.equal(chat[0].aborted, true, 'the HTTP request was cancelled');
    assert.ok(!(await lastAssistant(page).textContent())?.includes('word399'), 'the answer went on after Stop');
  }),

  test('Insert at Cursor shows the code in a diff and puts it into the editor on Accept', async (ctx) => {
    const { page, profile } = ctx;
    const file = join(profile.workspace, 'src/math.ts');
    await openPristine(page, profile, 'src/math.ts');
    await page.keyboard.press(`${MOD}+End`);
    await openChat(page);
    const block = chatFrame(page).locator('.message.assistant .code-block', { hasText: 'const three' }).first();
    await block.locator('[data-code-action="insert"]').click();
    // Reviewed like Apply (issue 17, finding 1): a diff first, the file changes on Accept.
    await page.locator('.tab.active', { hasText: 'Qwen Local: Insert from Chat' }).waitFor({ timeout: 20_000 });
    assert.equal(readFileSync(file, 'utf8'), SAMPLE_FILES['src/math.ts'], 'nothing written before Accept');
    await clickEditorTitleAction(page, 'Accept Proposal');
    await page.locator('.tab', { hasText: 'Qwen Local: Insert from Chat' }).first().waitFor({ state: 'detached', timeout: 10_000 });
    await openFile(page, 'src/math.ts');
    assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES['src/math.ts']}const three = add(1, 2);`);
  }),

  test(
    'Apply to File shows the same diff as Edit Selection and changes the file only on Accept',
    async (ctx) => {
      const { page, profile, shot } = ctx;
      const file = join(profile.workspace, 'src/math.ts');
      await openPristine(page, profile, 'src/math.ts');
      await page.keyboard.press(`${MOD}+End`);
      await openChat(page);
      const block = chatFrame(page).locator('.message.assistant .code-block', { hasText: 'const three' }).first();
      await block.locator('[data-code-action="apply"]').click();
      await page.locator('.tab.active', { hasText: 'Qwen Local: Apply from Chat' }).waitFor({ timeout: 20_000 });
      await shot('diff');
      assert.equal(readFileSync(file, 'utf8'), SAMPLE_FILES['src/math.ts'], 'nothing written before Accept');
      await clickEditorTitleAction(page, 'Accept Proposal');
      await page.locator('.tab', { hasText: 'Qwen Local: Apply from Chat' }).first().waitFor({ state: 'detached', timeout: 10_000 });
      await openFile(page, 'src/math.ts');
      assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES['src/math.ts']}const three = add(1, 2);`);
    },
    { timeoutMs: 60_000 },
  ),

  test(
    'the conversation is still there after a window reload',
    async (ctx) => {
      const { shot } = ctx;
      await ctx.reloadWindow();
      await openChat(ctx.page);
      const transcript = chatFrame(ctx.page).locator('.transcript');
      await poll(async () => ((await transcript.textContent()) ?? '').includes(QUESTION), 120_000, 'the earlier question in the transcript (the restored view asks the new host for it)');
      assert.ok(((await transcript.textContent()) ?? '').includes('It never throws.'), 'the earlier answer in the transcript');
      await shot('after-reload');
    },
    { timeoutMs: 180_000 } // at load 26 the new extension host needed 63 s to activate,
  ),
];
