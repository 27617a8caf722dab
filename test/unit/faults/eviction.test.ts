// Fault matrix: another client evicts the completion model while the user is away. On a GPU that
// holds one model at a time, another client's request for a second model unloads ours (Ollama's
// server/sched.go makes room by unloading idle runners; modelled by the simulator's VRAM limit).
// The next completion would start the reload itself, and Ollama aborts a load whose requesting
// client leaves (sched.go `load` → WaitUntilRunning(req.ctx)): every keystroke would throw it away.
// The extension asks /api/ps after a quiet spell, reloads with the warm-up (typing does not cancel
// it) and shows "reloading model"; ghost text appears at the first pause after the load.
// The quiet spell is 0 here (a check before every request), so the test waits for nothing but events.

import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { loadedSize, resolveModel } from '../../sim/models';
import { OllamaSimulator } from '../../sim/simulator';
import { CHAT_MODEL, COMPLETION_MODEL, FAULT_PROFILES, noStrayErrors, Rig, sleep } from './rig';

/** Types a key every `everyMs` for `forMs` (each keystroke supersedes the previous); every call must settle. */
async function typeFor(rig: Rig, forMs: number, everyMs: number): Promise<PromiseSettledResult<unknown>[]> {
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
  return Promise.allSettled(pending);
}

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): another client evicts the completion model`, function () {
  this.timeout(20_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig | undefined;

  afterEach(async () => {
    await rig?.dispose();
    rig = undefined;
    await sim.stop();
  });

  it('the next keystrokes reload it with the warm-up ("reloading model"), and ghost text comes at the first pause', async () => {
    sim = new OllamaSimulator({ profile, timing: { loadMs: 800, tokenMs: 1 } });
    await sim.start();
    // The slow-first-byte signal is out of the way (10 s): what finds the eviction here is /api/ps.
    rig = new Rig({ sim, warmOnRecovery: true, slowFirstByteMs: 10_000, residencyCheckAfterMs: 0 });
    // A GPU with room for one of the two models, not both.
    const ours = loadedSize(resolveModel({ name: COMPLETION_MODEL }), rig.core.models.completionNumCtx());
    const theirs = loadedSize(resolveModel({ name: CHAT_MODEL }), 4096);
    sim.configure({ vramBytes: Math.max(ours, theirs) + 64 * 1024 * 1024 });
    await rig.connection.health.check();
    await rig.warm();
    assert.ok(sim.isLoaded(COMPLETION_MODEL), 'warmed up at connection');
    assert.ok(await rig.complete('const first = |\n'), 'ghost text while loaded');

    // Another client (a chat app, another editor) loads its model: ours is evicted to make room.
    await new Ollama({ host: sim.url }).generate({ model: CHAT_MODEL, prompt: '', keep_alive: '5m' });
    assert.ok(!sim.isLoaded(COMPLETION_MODEL), `evicted (events: ${sim.modelEvents.map((e) => `${e.model} ${e.kind}`).join(', ')})`);
    sim.clearLog();
    const eventsBefore = sim.modelEvents.length;
    const warmUpsBefore = rig.warmUps;

    const typed = await typeFor(rig, 2_000, 60);
    assert.ok(typed.every((r) => r.status === 'fulfilled'), 'every keystroke is handled (none throws, none is lost)');
    const events = sim.modelEvents.slice(eventsBefore).filter((e) => e.model.startsWith(COMPLETION_MODEL));
    assert.ok(sim.isLoaded(COMPLETION_MODEL), `loaded again by the end of the typing (events: ${events.map((e) => e.kind).join(', ')})`);
    assert.deepEqual(
      events.filter((e) => e.kind === 'loadAborted').map((e) => e.kind),
      [],
      'no load was started by a completion the next keystroke cancelled',
    );
    assert.ok(rig.warmUps > warmUpsBefore, 'the warm-up reloaded it');
    assert.ok(rig.views.includes('$(loading~spin) Qwen: reloading model'), `honestly: "reloading model" (views: ${[...new Set(rig.views)].join(' | ')})`);
    const loads = sim.find({ endpoint: 'generate', model: COMPLETION_MODEL }).filter((r) => r.loadedAt !== undefined && r.doneReason === 'load');
    assert.equal(loads.length, 1, 'one load, by the warm-up');

    const started = Date.now();
    const item = await rig.complete('const grandTotal = |\n');
    assert.ok(item && !item.fromCache, `ghost text at the first pause (last request: ${rig.ended.at(-1)?.outcome})`);
    assert.ok(Date.now() - started < 500, `without waiting for another load (${Date.now() - started} ms)`);
    await rig.warm();
    rig.assertIdle();
  });
});
