// Inline completions as a person sees them: typing shows the simulator's answer as ghost text,
// Tab accepts it (the file is exactly right), Esc dismisses it, typing what the ghost text shows
// keeps it without a new request, and fast typing never has two requests at the server at once.

import assert from 'node:assert/strict';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { SAMPLE_FILES } from '../lib/workspace.mjs';
import { ghostText, MOD, openPristine, runCommand, saveAndRead, type, waitForGhostText, waitForNoGhostText } from '../lib/workbench.mjs';
import { join } from 'node:path';

const TS_LINE = 'export function subtract(a: number, b: number): number {\n  return';
const PY_LINE = 'def square(x: float) -> float:\n    return';

/** Answers keyed on what is before the cursor; anything else gets no suggestion at all. */
const SIM_ANSWERS = {
  completions: [
    { whenPrefixEndsWith: 'subtract(a: number, b: number): number {\n  return', answer: ' a - b;' },
    { whenPrefixEndsWith: 'def square(x: float) -> float:\n    return', answer: ' x * x' },
  ],
  defaultCompletion: '',
};

const QUIET_MS = 720;
const generates = (requests) => requests.filter((r) => r.endpoint === 'generate');

/** Opens a sample file fresh from disk with the cursor at its end. */
async function openAtEnd(ctx, rel) {
  const { page, profile } = ctx;
  await openPristine(page, profile, rel);
  await page.keyboard.press(`${MOD}+End`);
  return join(profile.workspace, rel);
}

/** Types `text` line by line (Enter between lines, no auto-indent: the settings turn it off). */
async function typeLines(page, text, delayMs = 35) {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await page.keyboard.press('Enter');
    await type(page, lines[i], { delayMs });
  }
}

export default [
  test('setup: the simulator answers completions', async ({ sim }) => {
    await sim.configure(SIM_ANSWERS);
  }),

  test(
    'TypeScript: ghost text appears and Tab accepts it exactly',
    async (ctx) => {
      const { page, shot } = ctx;
      const file = await openAtEnd(ctx, 'src/math.ts');
      await typeLines(page, TS_LINE);
      const ghost = await waitForGhostText(page);
      assert.equal(ghost.trim(), 'a - b;');
      await shot('ghost-text');
      await page.keyboard.press('Tab');
      await waitForNoGhostText(page);
      assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES['src/math.ts']}${TS_LINE} a - b;`);
    },
    { timeoutMs: 60_000 },
  ),

  test(
    'Python: ghost text appears and Tab accepts it exactly',
    async (ctx) => {
      const { page, shot } = ctx;
      const file = await openAtEnd(ctx, 'src/app.py');
      await typeLines(page, PY_LINE);
      assert.equal((await waitForGhostText(page)).trim(), 'x * x');
      await shot('ghost-text');
      await page.keyboard.press('Tab');
      await waitForNoGhostText(page);
      assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES['src/app.py']}${PY_LINE} x * x`);
    },
    { timeoutMs: 60_000 },
  ),

  test('Esc dismisses the ghost text and leaves the file as typed', async (ctx) => {
    const { page } = ctx;
    const file = await openAtEnd(ctx, 'src/math.ts');
    await typeLines(page, TS_LINE);
    await waitForGhostText(page);
    await page.keyboard.press('Escape');
    await waitForNoGhostText(page);
    assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES['src/math.ts']}${TS_LINE}`);
  }),

  test('typing what the ghost text shows keeps it, without a new request', async (ctx) => {
    const { page, sim } = ctx;
    const file = await openAtEnd(ctx, 'src/math.ts');
    await typeLines(page, TS_LINE);
    await waitForGhostText(page);
    const mark = await sim.mark();
    await type(page, ' a -', { delayMs: 120 }); // slower than the debounce: each key could ask
    await poll(async () => (await ghostText(page)).trim() === 'b;', 5_000, 'the rest of the suggestion ("b;") to be shown');
    // An absence check: a request would leave one debounce (180 ms) after the last key; allow 4x.
    await page.waitForTimeout(QUIET_MS);
    assert.equal((await ghostText(page)).trim(), 'b;', 'the rest of the suggestion is still shown');
    const after = generates(await sim.requests(mark));
    assert.deepEqual(after.map((r) => r.id), [], 'requests sent while typing through the suggestion');
    await page.keyboard.press('Tab');
    assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES['src/math.ts']}${TS_LINE} a - b;`);
  }),

  test('fast typing never has two requests at the server at once', async (ctx) => {
    const { page, sim, log } = ctx;
    await openAtEnd(ctx, 'src/math.ts');
    // Every answer streams slowly now, so a request is still running when the next keys arrive.
    await sim.configure({ defaultCompletion: { text: ' // a slowly streamed answer', tokenMs: 80 } });
    await sim.clearLog(); // also resets the concurrency high-water marks
    try {
      // After each burst, wait until its request is running at the server (the answer streams for
      // seconds), then type the next burst: each new request has to replace a running one.
      let seen = 0;
      for (const burst of ['const total', ' = ', 'add(', '1, ', '2);', ' // ', 'sum', ' of two']) {
        await type(page, burst, { delayMs: 15 });
        const deadline = Date.now() + 2_000;
        while (Date.now() < deadline) {
          const open = generates(await sim.requests(seen));
          if (open.length > 0) {
            seen = open[open.length - 1].id;
            break;
          }
          await page.waitForTimeout(50);
        }
      }
      // Every request has ended at the server (answered, or aborted by the next keys) before counting.
      await poll(async () => {
        const all = generates(await sim.requests());
        return all.length > 0 && all.every((r) => r.endedAt);
      }, 15_000, 'every completion request to end at the server');
      const stats = await sim.stats();
      const reqs = generates(await sim.requests());
      log(`${reqs.length} generate requests, ${reqs.filter((r) => r.aborted).length} aborted by the client; most open at once: ${stats.maxConcurrentRequests}`);
      assert.ok(reqs.length >= 3, `only ${reqs.length} request(s): the test did not make requests overlap`);
      assert.ok(reqs.some((r) => r.aborted), 'no request was aborted: typing on should cancel the running one');
      assert.ok(stats.maxConcurrentRequests <= 1, `${stats.maxConcurrentRequests} requests were open at the server at the same time`);
    } finally {
      await sim.configure({ defaultCompletion: '' });
      await page.keyboard.press('Escape');
      await runCommand(page, 'File: Revert File');
    }
  }),
];
