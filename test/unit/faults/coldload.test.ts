// Fault matrix: a cold completion model while the user types without pause. Ollama aborts a load
// when the request that started it goes away (server/sched.go `load` → WaitUntilRunning(req.ctx),
// modelled by the simulator), so loads started by completions die with every keystroke; the
// extension must load the model with a request typing does not cancel. Timings are scaled down:
// a 0.8 s load, 2.5 s of typing a key every 60 ms, a 0.4 s slow-first-byte threshold.

import assert from 'node:assert/strict';
import { OllamaSimulator } from '../../sim/simulator';
import { COMPLETION_MODEL, FAULT_PROFILES, noStrayErrors, Rig, sleep } from './rig';

/** Types a key every `everyMs` for `forMs`: each keystroke cancels the previous completion. */
async function typeContinuously(rig: Rig, forMs: number, everyMs: number): Promise<void> {
  const end = Date.now() + forMs;
  let previous: AbortController | undefined;
  const pending: Promise<unknown>[] = [];
  for (let i = 0; Date.now() < end; i++) {
    previous?.abort();
    const ac = new AbortController();
    previous = ac;
    pending.push(rig.complete(`const total${'x'.repeat(i % 40)} = |\n`, { signal: ac.signal, explicit: false }));
    await sleep(everyMs);
  }
  previous?.abort();
  await Promise.allSettled(pending);
}

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): a cold model while the user keeps typing`, function () {
  this.timeout(20_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig | undefined;

  beforeEach(async () => {
    sim = new OllamaSimulator({ profile, timing: { loadMs: 800, tokenMs: 1 } });
    await sim.start();
  });
  afterEach(async () => {
    await rig?.dispose();
    rig = undefined;
    await sim.stop();
  });

  it('the model gets loaded during the typing, and ghost text appears at the first pause', async () => {
    rig = new Rig({ sim, warmOnRecovery: true, slowFirstByteMs: 400 });
    await rig.connection.health.check();
    await rig.warm();
    assert.ok(sim.isLoaded(COMPLETION_MODEL), 'warmed up at connection');
    // Another client evicted it (or its keep_alive ran out on the server's clock).
    sim.unload(COMPLETION_MODEL);
    sim.clearLog();

    await typeContinuously(rig, 2_500, 60);
    assert.ok(sim.isLoaded(COMPLETION_MODEL), `loaded by the end of the typing (events: ${sim.modelEvents.map((e) => e.kind).join(', ')})`);
    assert.ok(rig.warmUps >= 2, 'the status showed the load again');
    assert.ok(rig.views.includes('$(loading~spin) Qwen: reloading model'), 'honestly: "reloading model"');

    const started = Date.now();
    const item = await rig.complete('const grandTotal = |\n');
    assert.ok(item && !item.fromCache, `ghost text at the first pause (last request: ${rig.ended.at(-1)?.outcome})`);
    assert.ok(Date.now() - started < 500, `without waiting for another load (${Date.now() - started} ms)`);
    await rig.warm();
    rig.assertIdle();
  });

  it('re-warms after a server restart', async () => {
    rig = new Rig({ sim, warmOnRecovery: true, slowFirstByteMs: 400, realHealthTimers: true });
    await rig.connection.health.check();
    await rig.warm();
    await sim.restart(50);
    await rig.connection.health.check();
    await rig.recoverWithin(5_000);
    await sim.waitFor(() => sim.isLoaded(COMPLETION_MODEL), 5_000);
  });
});
