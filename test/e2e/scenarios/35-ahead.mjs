// Ghost text ahead (issue 13) as a person sees it: Tab accepts a suggestion, Enter at the end of
// the line asks for the next line at once, and the two characters typed while that answer streams
// keep it: the ghost text appears with no request after Enter's (the simulator's log says so).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { countChannelLines, poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { SAMPLE_FILES } from '../lib/workspace.mjs';
import { clearNotifications, ghostText, MOD, openPristine, saveAndRead, type, waitForGhostText, waitForNoGhostText } from '../lib/workbench.mjs';

const HEAD = 'export function diff(a: number, b: number): number {';
const TYPED = '  const d =';
const ACCEPTED = ' a - b;';
const NEXT_LINE = '  return d;';

/**
 * The next line streams slowly (a token every 250 ms), so the two characters are typed while its
 * answer is still on its way: they must keep it instead of asking again.
 */
const SIM_ANSWERS = {
  completions: [
    { whenPrefixEndsWith: `${HEAD}\n${TYPED}`, answer: ACCEPTED },
    { whenPrefixEndsWith: `${HEAD}\n${TYPED}${ACCEPTED}\n`, answer: { text: NEXT_LINE, tokenMs: 250 } },
  ],
  defaultCompletion: '',
};

const generates = (requests) => requests.filter((r) => r.endpoint === 'generate');

export default [
  test('setup: the simulator answers the accepted line and the next one', async ({ page, sim, profile, extensionId }) => {
    await sim.configure(SIM_ANSWERS);
    // Run alone (--grep), the first-run download question would pop up in the middle of the typing.
    await poll(() => countChannelLines(profile, extensionId, /First run: /) > 0, 60_000, 'the first-run decision');
    await clearNotifications(page);
  }),

  test(
    'Tab, Enter, two matching characters: ghost text with no request after Enter’s',
    async (ctx) => {
      const { page, sim, profile, shot, log } = ctx;
      const rel = 'src/math.ts';
      await openPristine(page, profile, rel);
      await page.keyboard.press(`${MOD}+End`);

      await type(page, HEAD);
      await page.keyboard.press('Enter');
      await type(page, TYPED);
      assert.equal((await waitForGhostText(page)).trim(), ACCEPTED.trim());
      await page.keyboard.press('Tab');
      await waitForNoGhostText(page);
      // What the accept asked for at the end of the line (if it has asked yet) has ended.
      await poll(async () => generates(await sim.requests()).every((r) => r.endedAt), 10_000, 'the requests before Enter to end');

      const beforeEnter = await sim.mark();
      await page.keyboard.press('Enter');
      const enterRequest = await poll(
        async () => generates(await sim.requests(beforeEnter)).find((r) => r.fim?.prefix.endsWith(`${ACCEPTED}\n`)),
        10_000,
        'the request for the line after Enter to reach the simulator',
        20,
      );
      await type(page, NEXT_LINE.slice(0, 2), { delayMs: 40 });

      const requestsSinceEnter = async () => {
        const since = generates(await sim.requests(beforeEnter));
        log(`requests from just before Enter: ${since.map((r) => `#${r.id} ${r.outcome ?? 'open'}${r.aborted ? ' (aborted by the client)' : ''} after ${JSON.stringify(r.fim?.prefix.slice(-12))}: ${JSON.stringify(r.text)}`).join(', ')}`);
        return since;
      };
      await poll(async () => (await ghostText(page)) === NEXT_LINE.slice(2), 10_000, `the rest of the next line ("${NEXT_LINE.slice(2)}") as ghost text`).catch(async (error) => {
        await requestsSinceEnter();
        throw error;
      });
      await shot('ghost-text-ahead');
      const since = await requestsSinceEnter();
      // (One the accept asked for at the end of its line may come just before Enter's: not counted.)
      assert.deepEqual(
        since.filter((r) => r.id > enterRequest.id).map((r) => r.id),
        [],
        'no request after Enter’s (the two typed characters kept it)',
      );
      const kept = since.find((r) => r.id === enterRequest.id);
      assert.equal(kept?.aborted, false, 'Enter’s request ran to its end');
      assert.equal(kept?.outcome, 'ok');

      await page.keyboard.press('Tab');
      await waitForNoGhostText(page);
      const file = join(profile.workspace, rel);
      assert.equal(await saveAndRead(page, file), `${SAMPLE_FILES[rel]}${HEAD}\n${TYPED}${ACCEPTED}\n${NEXT_LINE}`);
    },
    // Generous: on a loaded machine opening, typing and saving alone took 40 s.
    { timeoutMs: 120_000 },
  ),
];
