// Fault matrix, part 4: the model is deleted while in use. The 404 becomes `modelNotFound` naming
// the model, which the status bar turns into a "Pull <model>" offer (statusBar.ts) — once.

import assert from 'node:assert/strict';
import { errorView } from '../../../src/chat/controller';
import { CHAT_MODEL, COMPLETION_MODEL, noStrayErrors, connectedRigPerTest, FAULT_PROFILES } from './rig';

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): the model is deleted while in use`, function () {
  this.timeout(15_000);
  noStrayErrors();
  const t = connectedRigPerTest(profile);

  it('completions: modelNotFound with the model named, one pull offer, back once it is pulled again', async () => {
    assert.ok(await t.rig.complete('const a = |\n'));
    t.sim.removeModel(COMPLETION_MODEL);
    for (let i = 0; i < 5; i++) assert.equal(await t.rig.complete(`const m${i} = |\n`), undefined);
    assert.equal(t.rig.status.facts.connection, 'error', 'an error, not offline: the server is there');
    assert.match(t.rig.status.facts.lastError ?? '', /is not installed/);
    assert.equal(t.rig.status.notifications, 1);
    const [error] = t.rig.notified;
    assert.equal(error?.kind, 'modelNotFound');
    assert.equal(error?.status, 404);
    // What StatusBar.notify() needs to offer "Pull <model>".
    assert.equal(error?.context.model, COMPLETION_MODEL);
    assert.match(error?.message ?? '', new RegExp(`ollama pull ${COMPLETION_MODEL.replace(/\./g, '\\.')}`));
    t.rig.assertIdle();

    // The pull the notification offers (through the same connection).
    let last = '';
    for await (const p of t.rig.connection.backend().pull(COMPLETION_MODEL)) last = p.status;
    assert.equal(last, 'success');
    await t.rig.recoverWithin(5_000, 'const pulled = |\n');
    assert.equal(t.rig.status.notifications, 1);
  });

  it('deleted while a completion streams: that answer ends, the next keystroke gets modelNotFound once', async () => {
    t.sim.addCompletionRule({ whenPrefixEndsWith: 'const slow = ', answer: { text: 'compute(' + 'x, '.repeat(40) + ')', tokenMs: 10 } });
    const pending = t.rig.complete('const slow = |\n');
    await t.sim.waitFor(() => t.sim.find({ endpoint: 'generate' }).some((r) => r.tokensSent > 2));
    t.sim.removeModel(COMPLETION_MODEL);
    await pending; // the simulator, like Ollama, may finish the answer it had started
    assert.equal(await t.rig.complete('const next = |\n'), undefined);
    assert.equal(await t.rig.complete('const other = |\n'), undefined);
    assert.deepEqual(t.rig.notified.map((e) => e.kind), ['modelNotFound']);
    t.rig.assertIdle();
    t.sim.addModel(COMPLETION_MODEL);
    await t.rig.recoverWithin(5_000);
  });

  it('chat: the turn fails with modelNotFound and the panel offers to pull the model', async () => {
    assert.equal((await t.rig.ask('Hi'))?.status, 'done');
    t.sim.removeModel(CHAT_MODEL);
    const turn = await t.rig.ask('Still there?');
    assert.equal(turn?.status, 'error');
    assert.equal(turn?.error?.kind, 'modelNotFound');
    const { session } = await t.rig.chat();
    const answer = session.conversation.messages.find((m) => m.id === turn?.messageId);
    assert.ok(answer);
    assert.equal(errorView(answer)?.pullModel, CHAT_MODEL, 'the message offers "Pull"');
    assert.equal(t.rig.status.notifications, 1);
    assert.equal(t.rig.notified[0]?.context.model, CHAT_MODEL);
    t.rig.assertIdle();
    t.sim.addModel(CHAT_MODEL);
    assert.equal((await t.rig.ask('And now?'))?.status, 'done');
    t.rig.assertReady();
  });
});
