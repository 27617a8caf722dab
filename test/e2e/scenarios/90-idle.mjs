// Idle cost, measured in the real editor at the end of the run: how long activate() took (its own
// log line), and what an idle window costs: no request to the model server for 60 s (no polling),
// and the extension host's CPU time over those 60 s. The figures go to test-results/e2e-metrics.json,
// where `npm run bench` reads them.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countChannelLines, findChannelLog, poll } from '../lib/codeserver.mjs';
import { ROOT } from '../lib/paths.mjs';
import { cpuSeconds, extensionHostPids, isAlive } from '../lib/procstat.mjs';
import { test } from '../lib/runner.mjs';

const IDLE_MS = 60_000;

export default [
  test(
    'an idle window sends nothing to the model server for 60 s and its extension host stays near idle',
    async ({ page, sim, profile, extensionId, serverPid, log }) => {
      const channel = findChannelLog(profile, extensionId, 'Qwen Local').pop();
      const activation = /Activated in ([\d.]+) ms/.exec(readFileSync(channel, 'utf8'));
      assert.ok(activation, 'the "Activated in" line');
      const activationMs = Number(activation[1]);

      // Idle means after the startup's own requests: the model check ends with a "First run:" line in
      // the live host's log (after a slow reload it came 35 s after activation, inside the idle minute).
      await poll(() => countChannelLines(profile, extensionId, /First run: /) > 0, 120_000, 'the startup model check finished ("First run:" in the log)');
      // Leave the editor alone: focus the workbench without a text editor typing anything.
      await page.keyboard.press('Escape');
      // Only this run's code-server's hosts, and only once a reload's old host has exited: exactly one.
      const pid = await poll(() => {
        const pids = extensionHostPids(serverPid);
        return pids.length === 1 ? pids[0] : undefined;
      }, 30_000, 'exactly one live extension host of this code-server (an old one still exiting?)');
      const before = cpuSeconds(pid);
      assert.ok(before !== undefined, `extension host ${pid} ended before the measurement`);
      const mark = await sim.mark();
      await new Promise((r) => setTimeout(r, IDLE_MS)); // the measured idle period itself, not a wait for something
      const requests = await sim.requests(mark);
      const after = cpuSeconds(pid);
      assert.ok(after !== undefined && isAlive(pid), `extension host ${pid} ended during the idle minute (was the window reloaded?)`);
      const cpu = after - before;
      const idleCpuPercent = (100 * cpu) / (IDLE_MS / 1000);
      log(`activation ${activationMs} ms; idle 60 s: ${requests.length} requests, extension host CPU ${idleCpuPercent.toFixed(2)} %`);
      writeFileSync(
        join(ROOT, 'test-results', 'e2e-metrics.json'),
        JSON.stringify({ activationMs, idleCpuPercent, idleRequests: requests.length, note: 'extension host CPU includes VS Code built-in extensions' }),
      );
      assert.deepEqual(
        requests.map((r) => `${r.method} ${r.path}`),
        [],
        'no polling: an idle, healthy window sends no request',
      );
      // The whole extension host over 60 s of idling: VS Code's built-in extensions (git, TypeScript)
      // run in it too, so this bounds rather than isolates our share (measured here: 2.6–4 %).
      assert.ok(idleCpuPercent < 10, `extension host CPU while idle: ${idleCpuPercent.toFixed(2)} %`);
    },
    { timeoutMs: IDLE_MS + 150_000 },
  ),
];
