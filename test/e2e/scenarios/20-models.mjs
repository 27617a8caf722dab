// First run with models missing: Qwen Local asks before downloading anything (with the size), and
// an accepted download shows its progress to completion. The simulator starts with only the
// smallest models installed (run.mjs: SIM_START), so on any machine the recommended ones are missing.

import assert from 'node:assert/strict';
import { poll } from '../lib/codeserver.mjs';
import { test } from '../lib/runner.mjs';
import { clickNotificationButton, clearNotifications, notificationMessages, waitForNotification, waitForStatusBar } from '../lib/workbench.mjs';

const CONSENT = /Qwen Local picked .* not installed yet\. Download .* now\?/;
const PULLS = (requests) => requests.filter((r) => r.endpoint === 'pull');

/** Tags the consent message names: "picked qwen2.5-coder:1.5b-base (completion, 986 MB) and …". */
function tagsIn(message) {
  return [...message.matchAll(/(qwen[\w.-]*:[\w.-]+) \(/g)].map((m) => m[1]);
}

let consent = '';

export default [
  test('a fresh install asks before downloading the recommended models, and downloads nothing', async ({ page, sim, shot }) => {
    // Accept it (the button names the size: "Download 2.9 GB"); nothing was pulled before.
    consent = await clickNotificationButton(page, CONSENT, /^Download/, {
      timeoutMs: 30_000,
      beforeClick: async () => {
        await shot('consent');
        assert.deepEqual(PULLS(await sim.requests()), [], 'a pull before consent');
      },
    });
    // No hiding of notifications here: "Hide Notifications" exists only while the center is open,
    // and the next test reads the progress toasts this click starts.
    assert.ok(tagsIn(consent).length > 0, `no model named in: ${consent}`);
  }),

  test(
    'the accepted download shows its progress and ends with the models installed',
    async ({ page, sim, shot, log }) => {
      const wanted = tagsIn(consent);
      assert.ok(wanted.length > 0, 'the consent test did not run');
      // Some progress to see in the picture: a percentage above zero (toast or center).
      await waitForNotification(page, /^Pulling .*\([1-9]\d* %\)/, { timeoutMs: 15_000 });
      await shot('progress');
      for (const tag of wanted) {
        await poll(async () => (await notificationMessages(page)).some((m) => m.includes(`${tag} is installed and ready`)), 60_000, `"${tag} is installed and ready"`);
      }
      const pulls = PULLS(await sim.requests());
      log(`pulls: ${pulls.map((r) => `${r.model} ${r.status} ${r.outcome} ${r.tokensSent} progress lines`).join('; ')}`);
      for (const tag of wanted) {
        const r = pulls.find((p) => p.model === tag || p.body?.model === tag || p.body?.name === tag);
        assert.ok(r, `no pull of ${tag} reached the server`);
        assert.equal(r.outcome, 'ok', `pull of ${tag}: ${JSON.stringify(r)}`);
      }
      const tags = await fetch(`${sim.url}/api/tags`).then((r) => r.json());
      const installed = tags.models.map((m) => m.name);
      for (const tag of wanted) assert.ok(installed.includes(tag), `${tag} not in /api/tags: ${installed}`);
      await waitForStatusBar(page, 'qwenLocal.status', /^Qwen$/);
      await shot('done');
      await clearNotifications(page);
    },
    { timeoutMs: 120_000 },
  ),
];
