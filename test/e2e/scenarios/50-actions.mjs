// Code actions that propose a change: Edit Selection shows a diff, Accept changes the file, Undo
// restores it. Write Commit Message fills the Source Control input box from the staged diff.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { resetFile, SAMPLE_FILES } from '../lib/workspace.mjs';
import { activeDiff, clickEditorTitleAction, focusEditor, goTo, MOD, nextFrames, openFile, openPristine, runCommand, saveAndRead, SEL, textOf } from '../lib/workbench.mjs';

const INSTRUCTION = 'name the second parameter y instead of b';
const MULTIPLY = 'export function multiply(a: number, b: number): number {\n  return a * b;\n}';
const EDITED = 'export function multiply(a: number, y: number): number {\n  return a * y;\n}';
const COMMIT_SUBJECT = 'Add a subtract function to the math module';
const ADDED = '\nexport function subtract(a: number, b: number): number {\n  return a - b;\n}\n';

const git = (ctx, ...args) => execFileSync('git', args, { cwd: ctx.profile.workspace, env: { ...process.env, HOME: ctx.profile.home }, stdio: 'pipe' }).toString();

export default [
  test('setup: the simulator answers the edit and the commit message', async ({ sim }) => {
    await sim.configure({
      chats: [
        { whenLastUserIncludes: INSTRUCTION, answer: `Here is the function with the renamed parameter:\n\n\`\`\`ts\n${EDITED}\n\`\`\`\n` },
        { whenAnyIncludes: 'subtract', answer: `${COMMIT_SUBJECT}\n\nThe module gets the fourth basic operation.` },
      ],
    });
  }),

  test(
    'Edit Selection shows the proposal as a diff; Accept changes the file; Undo restores it',
    async (ctx) => {
      const { page, profile, shot } = ctx;
      const file = join(profile.workspace, 'src/math.ts');
      await openPristine(page, profile, 'src/math.ts');
      // Select the multiply function (lines 5-7).
      await goTo(page, 5, 1);
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+End');
      await runCommand(page, 'Qwen Local: Edit Selection…');
      // The instruction box.
      await page.locator(`${SEL.quickInput} .quick-input-title`, { hasText: 'Qwen Local: Edit' }).waitFor({ timeout: 10_000 });
      await page.fill(SEL.quickInputBox, INSTRUCTION);
      await page.keyboard.press('Enter');
      // The diff editor with the proposal, once the answer finished streaming.
      await page.locator('.tab.active', { hasText: 'Qwen Local: Edit' }).waitFor({ timeout: 20_000 });
      const modified = activeDiff(page);
      await poll(async () => (await textOf(modified)).includes('return a * y;'), 20_000, 'the proposal in the diff editor');
      await nextFrames(page); // the diff decorations drawn for the picture
      await shot('diff');
      // Accept with the button in the editor title, as a person would.
      await clickEditorTitleAction(page, 'Accept Proposal');
      await page.locator('.tab', { hasText: 'Qwen Local: Edit' }).first().waitFor({ state: 'detached', timeout: 10_000 });
      await openFile(page, 'src/math.ts');
      assert.equal(await saveAndRead(page, file), SAMPLE_FILES['src/math.ts'].replace(MULTIPLY, EDITED));
      await shot('accepted');
      // One Undo takes the whole edit back.
      await focusEditor(page);
      await page.keyboard.press(`${MOD}+Z`);
      assert.equal(await saveAndRead(page, file), SAMPLE_FILES['src/math.ts']);
    },
    { timeoutMs: 90_000 },
  ),

  test(
    'Write Commit Message fills the Source Control input from the staged change',
    async (ctx) => {
      const { page, profile, shot, sim } = ctx;
      resetFile(profile.workspace, 'src/math.ts');
      appendFileSync(join(profile.workspace, 'src/math.ts'), ADDED);
      git(ctx, 'add', 'src/math.ts');
      try {
        await runCommand(page, 'Source Control: Focus on Changes View');
        await page.locator('.scm-view .monaco-list-row', { hasText: 'math.ts' }).first().waitFor({ timeout: 20_000 });
        const mark = await sim.mark();
        await runCommand(page, 'Qwen Local: Write Commit Message');
        const input = page.locator('.scm-editor .monaco-editor .view-lines').first();
        const text = await poll(async () => {
          const t = await textOf(input);
          return t.includes(COMMIT_SUBJECT) ? t : undefined;
        }, 20_000, 'the commit message in the Source Control input');
        assert.ok(text.startsWith(COMMIT_SUBJECT), `input box: ${JSON.stringify(text)}`);
        const chat = (await sim.requests(mark)).filter((r) => r.endpoint === 'chat');
        assert.equal(chat.length, 1, 'one chat request for the message');
        assert.ok(JSON.stringify(chat[0].body?.messages ?? '').includes('subtract'), 'the staged diff was in the prompt');
        // Its progress notification ends with the answer.
        await page
          .locator(`${SEL.toast} ${SEL.notificationMessage}`, { hasText: 'writing the commit message' })
          .first()
          .waitFor({ state: 'detached', timeout: 10_000 });
        await shot('commit-message');
      } finally {
        git(ctx, 'reset', '-q');
        resetFile(profile.workspace, 'src/math.ts');
        await runCommand(page, 'View: Show Explorer').catch(() => {});
      }
    },
    { timeoutMs: 60_000 },
  ),
];
