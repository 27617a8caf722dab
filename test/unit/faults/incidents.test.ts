// One notification per incident, even when a stream fails after its first chunk.
//
// Regression test for a bug found by the fault matrix: withOutcomeReporting() reports `ok` at the FIRST chunk of a stream, and for every
// successful metadata call (/api/show, /api/tags, /api/version, /api/ps). StatusModel.reportOk()
// then ends every open incident, so
//   1. a model that fails after a few tokens on every request ({"error"} line mid-stream, e.g.
//      "CUDA error: out of memory") notifies once PER KEYSTROKE: first chunk → ok → incident closed,
//      error line → new incident → notification;
//   2. a persistent 500/503 on generate/chat is "resolved" by any unrelated metadata success (the
//      chat's /api/show for its context size, the model manager's /api/tags), so the same outage
//      notifies again, and the status flips to ready while generation still fails.

import assert from 'node:assert/strict';
import { OllamaSimulator } from '../../sim/simulator';
import { CHAT_MODEL, noStrayErrors, Rig } from './rig';

describe('PENDING faults: one notification per incident across partial streams and metadata calls', function () {
  this.timeout(10_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig;

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
    await sim.start();
    rig = new Rig({ sim });
    await rig.connection.health.check();
  });
  afterEach(async () => {
    await rig.dispose();
    await sim.stop();
  });

  it('an {"error"} line after a few tokens on every keystroke notifies once', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const big = ', answer: 'compute(alpha, beta, gamma, delta);' });
    sim.addFault({ kind: 'errorLine', endpoint: 'generate', after: 3, error: 'CUDA error: out of memory' });
    for (let i = 0; i < 5; i++) assert.equal(await rig.complete('const big = |\n'), undefined);
    assert.equal(rig.status.facts.connection, 'error');
    assert.equal(rig.status.notifications, 1, `notified ${rig.status.notifications} times for one incident`);
  });

  it('a persistent 500 on generation is not ended by a successful /api/show or /api/tags', async () => {
    sim.addFault({ kind: 'status', status: 500 });
    await rig.complete('const a = |\n');
    assert.equal(rig.status.notifications, 1);
    await rig.connection.backend().show(CHAT_MODEL);
    await rig.connection.backend().listModels();
    assert.equal(rig.status.facts.connection, 'error', 'generation still fails: the status keeps saying so');
    await rig.complete('const b = |\n');
    const turn = await rig.ask('Why?'); // the chat's first /api/show succeeds, then /api/chat fails
    assert.equal(turn?.status, 'error');
    assert.equal(rig.status.notifications, 1, `notified ${rig.status.notifications} times for one incident`);
  });
});
