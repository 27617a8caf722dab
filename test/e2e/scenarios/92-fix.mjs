// Fix with Qwen Local in a real editor: VS Code's built-in TypeScript server (it runs offline in
// code-server) reports a type error, the light bulb's quick fix "Fix with Qwen Local" proposes a
// diff, Accept writes it, and the TypeScript diagnostic goes away.
//
// Late in the run (after chat and the idle measurement): the TypeScript server it starts keeps
// working on the files the later scenarios open, and would compete with them for the CPU.

import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { activeDiff, clickEditorTitleAction, closeAllEditors, describeWorkbench, goTo, nextFrames, openFile, saveAndRead, SEL, textOf } from '../lib/workbench.mjs';

const FILE = 'src/label.ts';
const BROKEN = `export function double(n: number): number {
  return n * 2;
}

export const label: string = double(21);
`;
const FIXED_LINE = 'export const label: string = String(double(21));';
const FIXED = BROKEN.replace('export const label: string = double(21);', FIXED_LINE);
const SQUIGGLE = `${SEL.activeEditor} .squiggly-error`;

export default [
  test(
    'a TypeScript type error: the quick fix proposes a diff, Accept fixes the file, the diagnostic clears',
    async ({ page, profile, sim, shot, log }) => {
      const file = join(profile.workspace, FILE);
      const vscodeDir = join(profile.workspace, '.vscode');
      // A project of its own: without it the TypeScript server looks upward for a tsconfig.json,
      // finds this repository's (the profile lives inside it) and loads the whole project first,
      // which under load took longer than the wait below.
      const tsconfig = join(profile.workspace, 'tsconfig.json');
      // No @types and no DOM: without "types" the server also loads every @types package it finds
      // upwards (this repository's: node, vscode, mocha…) and lib.dom, megabytes of declarations it
      // was still loading when the wait below ran out on a busy machine (tsserver log, issue 17).
      writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], types: [], skipLibCheck: true }, include: ['src/**/*.ts'] }));
      // The profile turns TypeScript checking off (quiet scenarios); this workspace turns it on.
      mkdirSync(vscodeDir, { recursive: true });
      // No auto-import project: it would load this repository's dependencies (700 files) meanwhile.
      writeFileSync(join(vscodeDir, 'settings.json'), JSON.stringify({ 'typescript.validate.enable': true, 'typescript.preferences.includePackageJsonAutoImports': 'off' }));
      writeFileSync(file, BROKEN);
      await sim.configure({ chats: [{ whenLastUserIncludes: 'is not assignable to type', answer: `\`\`\`ts\n${FIXED.trimEnd()}\n\`\`\`\n` }] });
      try {
        await openFile(page, FILE);
        // The TypeScript server starts, checks the file and underlines the error.
        const opened = Date.now();
        await page.locator(SQUIGGLE).first().waitFor({ state: 'visible', timeout: 90_000 });
        log(`TypeScript underlined the error ${Date.now() - opened} ms after the file opened`);
        await goTo(page, 5, 32);
        const mark = await sim.mark();
        // The light bulb menu (Ctrl+.) lists the extension's quick fix beside TypeScript's own.
        const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Fix with Qwen Local' }).first();
        await poll(async () => {
          if (await item.isVisible()) return true;
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+.');
          return item.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
        }, 20_000, 'the "Fix with Qwen Local" quick fix');
        await shot('quick-fix');
        // Chosen with the keyboard, as the menu expects (a pointer guard covers it against clicks).
        const focused = page.locator('.action-widget .monaco-list-row.focused');
        await poll(async () => {
          if (((await focused.textContent().catch(() => '')) ?? '').includes('Fix with Qwen Local')) return true;
          await page.keyboard.press('ArrowDown');
          return false;
        }, 5_000, '"Fix with Qwen Local" to be the focused menu row');
        await page.keyboard.press('Enter');
        // The proposal as a diff, once the answer finished streaming.
        const modified = activeDiff(page);
        await poll(async () => (await textOf(modified)).includes('String(double(21))'), 30_000, 'the fix in the diff editor').catch(async (error) => {
          // What there was instead, before the cleanup below closes it.
          await shot('no-diff').catch(() => {});
          const chats = (await sim.requests(mark)).filter((r) => r.endpoint === 'chat');
          log(await describeWorkbench(page));
          log(`chat requests: ${JSON.stringify(chats.map((r) => ({ outcome: r.outcome, text: r.text, last: JSON.stringify(r.body?.messages?.at(-1)?.content ?? '').slice(0, 300) })))}`);
          throw error;
        });
        await nextFrames(page);
        await shot('diff');
        const fix = (await sim.requests(mark)).filter((r) => r.endpoint === 'chat');
        assert.equal(fix.length, 1, 'one chat request for the fix');
        assert.match(JSON.stringify(fix[0].body?.messages ?? ''), /not assignable to type/, 'the diagnostic was in the prompt');
        await clickEditorTitleAction(page, 'Accept Proposal');
        // The proposal's diff tab closes (and moves the focus) before the file is opened again.
        await page.locator('.tab', { hasText: 'Qwen Local: Fix' }).first().waitFor({ state: 'detached', timeout: 10_000 });
        await openFile(page, FILE);
        const text = await saveAndRead(page, file);
        log(`after Accept: ${JSON.stringify(text)}`);
        // Exactly the fixed file, its final newline included (a fix near the end once dropped it).
        assert.equal(text, FIXED, 'the file after Accept');
        // TypeScript checks the saved file again: no error left.
        await page.locator(SQUIGGLE).first().waitFor({ state: 'detached', timeout: 30_000 });
        await shot('fixed');
      } finally {
        rmSync(vscodeDir, { recursive: true, force: true });
        rmSync(tsconfig, { force: true });
        rmSync(file, { force: true });
        await closeAllEditors(page).catch(() => {});
      }
    },
    { timeoutMs: 180_000 },
  ),
];
