// Fault matrix, part 4: the model is deleted while in use. The 404 becomes `modelNotFound` naming
// the model, which the status bar turns into a "Pull <model>" offer (statusBar.ts) — once.

import assert from 'node:assert/strict';
import { errorView } from '../../../src/chat/controller';
import { OllamaSimulator } from '../../sim/simulator';
import { CHAT_MODEL, COMPLETION_MODEL, noStrayErrors, Rig } from './rig';

describe('faults: the model is deleted while in use', function () {
  this.timeout(15_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig;

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
    await sim.start();
    rig = new Rig({ sim });
    assert.equal(await rig.connection.health.check(), true);
  });
  afterEach(async () => {
    await rig.dispose();
    await sim.stop();
  });

  it('completions: modelNotFound with the model named, one pull offer, back once it is pulled again', async () => {
    assert.ok(await rig.complete('const a = |\n'));
    sim.removeModel(COMPLETION_MODEL);
    for (let i = 0; i < 5; i++) assert.equal(await rig.complete(`const m${i} = |\n`), undefined);
    assert.equal(rig.status.facts.connection, 'error', 'an error, not offline: the server is there');
    assert.match(rig.status.facts.lastError ?? '', /is not installed/);
    assert.equal(rig.status.notifications, 1);
    const [error] = rig.notified;
    assert.equal(error?.kind, 'modelNotFound');
    assert.equal(error?.status, 404);
    // What StatusBar.notify() needs to offer "Pull <model>".
    assert.equal(error?.context.model, COMPLETION_MODEL);
    assert.match(error?.message ?? '', new RegExp(`ollama pull ${COMPLETION_MODEL.replace(/\./g, '\\.')}`));
    rig.assertIdle();

    // The pull the notification offers (through the same connection).
    let last = '';
    for await (const p of rig.connection.backend().pull(COMPLETION_MODEL)) last = p.status;
    assert.equal(last, 'success');
    await rig.recoverWithin(5_000, 'const pulled = |\n');
    assert.equal(rig.status.notifications, 1);
  });

  it('deleted while a completion streams: that answer ends, the next keystroke gets modelNotFound once', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const slow = ', answer: { text: 'compute(' + 'x, '.repeat(40) + ')', tokenMs: 10 } });
    const pending = rig.complete('const slow = |\n');
    await sim.waitFor(() => sim.find({ endpoint: 'generate' }).some((r) => r.tokensSent > 2));
    sim.removeModel(COMPLETION_MODEL);
    await pending; // the simulator, like Ollama, may finish the answer it had started
    assert.equal(await rig.complete('const next = |\n'), undefined);
    assert.equal(await rig.complete('const other = |\n'), undefined);
    assert.deepEqual(rig.notified.map((e) => e.kind), ['modelNotFound']);
    rig.assertIdle();
    sim.addModel(COMPLETION_MODEL);
    await rig.recoverWithin(5_000);
  });

  it('chat: the turn fails with modelNotFound and the panel offers to pull the model', async () => {
    assert.equal((await rig.ask('Hi'))?.status, 'done');
    sim.removeModel(CHAT_MODEL);
    const turn = await rig.ask('Still there?');
    assert.equal(turn?.status, 'error');
    assert.equal(turn?.error?.kind, 'modelNotFound');
    const { session } = await rig.chat();
    const answer = session.conversation.messages.find((m) => m.id === turn?.messageId);
    assert.ok(answer);
    assert.equal(errorView(answer)?.pullModel, CHAT_MODEL, 'the message offers "Pull"');
    assert.equal(rig.status.notifications, 1);
    assert.equal(rig.notified[0]?.context.model, CHAT_MODEL);
    rig.assertIdle();
    sim.addModel(CHAT_MODEL);
    assert.equal((await rig.ask('And now?'))?.status, 'done');
    rig.assertReady();
  });
});
