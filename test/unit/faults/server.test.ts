// Fault matrix, part 1: the server is absent, killed mid-answer, or restarted. Each case goes
// through the real client, the reporting connection and the status model, as activate() wires them.

import assert from 'node:assert/strict';
import { OllamaSimulator } from '../../sim/simulator';
import { COMPLETION_MODEL, noStrayErrors, Rig, sleep, FAULT_PROFILES } from './rig';

const LONG_LINE = 'compute(' + 'value, '.repeat(300) + ')';

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): server absent, killed, restarted`, function () {
  this.timeout(15_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig;

  beforeEach(async () => {
    sim = new OllamaSimulator({ profile, timing: { loadMs: 1, tokenMs: 1 } });
    await sim.start();
  });
  afterEach(async () => {
    await rig?.dispose();
    await sim.stop();
  });

  it('absent at startup: offline with one notification, however many keystrokes; works once it starts', async () => {
    await sim.stop();
    rig = new Rig({ sim, warmOnRecovery: true });
    assert.equal(await rig.connection.health.check(), false);
    assert.equal(rig.status.facts.connection, 'offline');
    assert.equal(rig.status.view().text, '$(debug-disconnect) Qwen: offline');
    for (let i = 0; i < 8; i++) assert.equal(await rig.complete(`const v${i} = |\n`), undefined);
    assert.equal(rig.status.facts.connection, 'offline');
    assert.equal(rig.status.notifications, 1);
    assert.deepEqual(rig.notified.map((e) => e.kind), ['unreachable']);
    assert.ok(rig.healthTimers.every((ms) => ms >= 30_000), 'background checks back off, never faster than 30 s');
    rig.assertIdle();

    await sim.start();
    await rig.recoverWithin(5_000);
    assert.equal(rig.status.notifications, 1, 'no notification for the recovery');
    assert.ok(rig.warmUps >= 1, 'the recovery warmed the model up');
    assert.ok(sim.isLoaded(COMPLETION_MODEL));
  });

  it('killed while a completion streams: the completion ends quietly, offline once, recovers', async () => {
    rig = new Rig({ sim });
    assert.equal(await rig.connection.health.check(), true);
    sim.addCompletionRule({ whenPrefixEndsWith: 'const slow = ', answer: { text: LONG_LINE, tokenMs: 10 } });
    const pending = rig.complete('const slow = |\n');
    await sim.waitFor(() => sim.find({ endpoint: 'generate' }).some((r) => r.tokensSent > 2));
    await sim.stop();
    assert.equal(await pending, undefined);
    assert.equal(sim.find({ endpoint: 'generate' })[0]?.outcome, 'killed');
    assert.equal(rig.status.facts.connection, 'offline');
    // Keystrokes while it is down: still one notification.
    for (let i = 0; i < 4; i++) await rig.complete(`let k${i} = |\n`);
    assert.equal(rig.status.notifications, 1);
    assert.deepEqual(rig.notified.map((e) => e.kind), ['unreachable']);
    rig.assertIdle();

    await sim.start();
    await rig.recoverWithin(5_000);
    assert.equal(rig.status.notifications, 1);
  });

  it('killed while a chat answer streams: the turn ends as an error with its partial text, the lane is freed', async () => {
    rig = new Rig({ sim });
    await rig.connection.health.check();
    sim.setChat({ text: 'First part of the answer. ' + 'More words follow here. '.repeat(200), tokenMs: 5 });
    const turn = rig.ask('Explain the code');
    await sim.waitFor(() => sim.find({ endpoint: 'chat' }).some((r) => r.tokensSent > 3));
    assert.equal(rig.status.workInProgress, 1, 'the chat shows as work in progress');
    assert.equal(rig.lanes.for(sim.url).foregroundBusy, true, 'the chat holds the lane');
    await sim.stop();
    const result = await turn;
    assert.equal(result?.status, 'error');
    assert.equal(result?.error?.kind, 'unreachable');
    assert.ok(result?.content.startsWith('First part'), 'the partial answer is kept');
    assert.equal(rig.status.facts.connection, 'offline');
    assert.equal(rig.status.notifications, 1);
    rig.assertIdle();

    await sim.start();
    await rig.recoverWithin(5_000);
    sim.setChat('A short answer.');
    const again = await rig.ask('Try again');
    assert.equal(again?.status, 'done');
    assert.equal(again?.content, 'A short answer.');
    assert.equal(rig.status.notifications, 1);
    rig.assertReady();
  });

  it('restarted between keystrokes: the next completion works on the first try, nothing is shown', async () => {
    rig = new Rig({ sim });
    await rig.connection.health.check();
    assert.ok(await rig.complete('const a = |\n'));
    await sim.restart(100);
    const item = await rig.complete('const b = |\n');
    assert.ok(item, 'a restart while idle costs no completion (no stale pooled connection)');
    assert.equal(rig.status.notifications, 0);
    rig.assertReady();
  });

  it('restarted mid-stream with a short outage: one incident, then back without a reload', async () => {
    rig = new Rig({ sim });
    await rig.connection.health.check();
    sim.addCompletionRule({ whenPrefixEndsWith: 'const slow = ', answer: { text: LONG_LINE, tokenMs: 10 } });
    const pending = rig.complete('const slow = |\n');
    await sim.waitFor(() => sim.find({ endpoint: 'generate' }).some((r) => r.tokensSent > 2));
    const restarted = sim.restart(300);
    assert.equal(await pending, undefined);
    await restarted;
    await rig.recoverWithin(5_000);
    assert.ok(rig.status.notifications <= 1, 'at most one notification for the outage');
    // A second, quiet restart is a new incident only if a request fails in it.
    await sim.restart(50);
    await sleep(20);
    assert.ok(await rig.complete('const c = |\n'));
    assert.ok(rig.status.notifications <= 1);
  });
});
