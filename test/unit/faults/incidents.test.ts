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
import { CHAT_MODEL, noStrayErrors, connectedRigPerTest, FAULT_PROFILES } from './rig';

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): one notification per incident across partial streams and metadata calls`, function () {
  this.timeout(10_000);
  noStrayErrors();
  const t = connectedRigPerTest(profile);

  it('an {"error"} line after a few tokens on every keystroke notifies once', async () => {
    t.sim.addCompletionRule({ whenPrefixEndsWith: 'const big = ', answer: 'compute(alpha, beta, gamma, delta);' });
    t.sim.addFault({ kind: 'errorLine', endpoint: 'generate', after: 3, error: 'CUDA error: out of memory' });
    for (let i = 0; i < 5; i++) assert.equal(await t.rig.complete('const big = |\n'), undefined);
    assert.equal(t.rig.status.facts.connection, 'error');
    assert.equal(t.rig.status.notifications, 1, `notified ${t.rig.status.notifications} times for one incident`);
  });

  it('a persistent 500 on generation is not ended by a successful /api/show or /api/tags', async () => {
    t.sim.addFault({ kind: 'status', status: 500 });
    await t.rig.complete('const a = |\n');
    assert.equal(t.rig.status.notifications, 1);
    await t.rig.connection.backend().show(CHAT_MODEL);
    await t.rig.connection.backend().listModels();
    assert.equal(t.rig.status.facts.connection, 'error', 'generation still fails: the status keeps saying so');
    await t.rig.complete('const b = |\n');
    const turn = await t.rig.ask('Why?'); // the chat's first /api/show succeeds, then /api/chat fails
    assert.equal(turn?.status, 'error');
    assert.equal(t.rig.status.notifications, 1, `notified ${t.rig.status.notifications} times for one incident`);
  });
});
