// Fault matrix, part 3: time — a stall before the first byte, a stream that never ends, a model
// that takes long to load. Timeouts fire where they should (and only there), nothing stays
// "working", and a timeout is never a notification.

import assert from 'node:assert/strict';
import { warmUp } from '../../../src/backend/warmup';
import { DEFAULTS } from '../../../src/settings';
import { NUM_PREDICT } from '../../../src/completion/templates';
import { OllamaSimulator } from '../../sim/simulator';
import { CHAT_MODEL, COMPLETION_MODEL, noStrayErrors, READY_TEXT, Rig, SPINNER, FAULT_PROFILES } from './rig';

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): stalls, endless streams, slow loads`, function () {
  this.timeout(15_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig | undefined;

  beforeEach(async () => {
    sim = new OllamaSimulator({ profile, timing: { loadMs: 1, tokenMs: 1 } });
    await sim.start();
  });
  afterEach(async () => {
    await rig?.dispose();
    rig = undefined;
    await sim.stop();
  });

  it('a stall before the first byte: the first-token timeout fires, the server is freed, nothing stays working', async () => {
    rig = new Rig({ sim, timeouts: { firstTokenMs: 250 } });
    await rig.connection.health.check();
    sim.addFault({ kind: 'stall', endpoint: 'generate', times: 1 });
    assert.equal(await rig.complete('const a = |\n'), undefined);
    assert.ok(rig.views.some((v) => v.startsWith(SPINNER)), 'shown as working while it waited');
    assert.equal(rig.ended.at(-1)?.outcome, 'error');
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.aborted, true, 'the server saw the client give up');
    assert.equal(rig.status.workInProgress, 0);
    assert.equal(rig.status.view().text, READY_TEXT, 'not a spinner, not a warning: a timeout shows nothing');
    assert.equal(rig.status.notifications, 0);
    await rig.recoverWithin(5_000);
  });

  it('a stall before a chat answer: the turn ends as a timeout, the lane and the status are freed', async () => {
    rig = new Rig({ sim, timeouts: { firstTokenMs: 250 } });
    await rig.connection.health.check();
    sim.addFault({ kind: 'stall', endpoint: 'chat', times: 1 });
    const turn = await rig.ask('Hello?');
    assert.equal(turn?.status, 'error');
    assert.equal(turn?.error?.kind, 'timeout');
    assert.equal(rig.status.notifications, 0);
    rig.assertReady();
    // A completion queued behind the stalled chat would have waited for the lane: it runs now.
    assert.ok(await rig.complete('const after = |\n'));
  });

  it('a stalled completion is superseded by the next keystroke, which goes out at once', async () => {
    rig = new Rig({ sim });
    await rig.connection.health.check();
    sim.addFault({ kind: 'stall', endpoint: 'generate', times: 1 });
    const stalled = rig.complete('const a = |\n');
    await sim.waitForRequest({ endpoint: 'generate' });
    const next = await rig.complete('const ab = |\n');
    assert.ok(next, 'the new keystroke is answered without waiting for any timeout');
    assert.equal(await stalled, undefined);
    assert.equal(sim.find({ endpoint: 'generate' })[0]?.aborted, true);
    rig.assertReady();
  });

  it('a long answer is capped by num_predict at the server', async () => {
    rig = new Rig({ sim });
    sim.addCompletionRule({ whenPrefixEndsWith: 'const list = ', answer: Array.from({ length: 600 }, (_, i) => `item${i}, `).join('') });
    const item = await rig.complete('const list = |\n');
    assert.ok(item);
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    const numPredict = (rec.body?.options as { num_predict?: number } | undefined)?.num_predict;
    assert.equal(numPredict, NUM_PREDICT.line);
    assert.ok(rec.tokensSent <= numPredict, `${rec.tokensSent} tokens for num_predict ${numPredict}`);
    assert.equal(rec.doneReason, 'length');
    rig.assertReady();
  });

  it('a never-ending stream (ignoring num_predict) is cut by the total time limit; nothing is shown', async () => {
    rig = new Rig({ sim, timeouts: { totalMs: 600 } });
    await rig.connection.health.check();
    // 1 ms a token, faster than any real server: with 0 the simulator, in this process, wrote a line
    // on every turn of the event loop, and once (on a loaded machine) the test ran past 15 s.
    sim.addCompletionRule({ whenPrefixEndsWith: 'const forever = ', answer: { text: 'again ', tokenMs: 1 } });
    // The simulator would stream for a minute, past this test's own timeout: only the client's total
    // limit can end it in time, and `aborted` says the client closed it (no wall-clock bound that a
    // busy machine could break).
    sim.addFault({ kind: 'endless', endpoint: 'generate', maxMs: 60_000, times: 1 });
    assert.equal(await rig.complete('const forever = |\n'), undefined);
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.aborted, true, 'the client closed the stream');
    const numPredict = (rec.body?.options as { num_predict?: number } | undefined)?.num_predict ?? Infinity;
    assert.ok(rec.tokensSent > numPredict, `the server sent ${rec.tokensSent} tokens, more than num_predict ${numPredict}`);
    assert.equal(rig.status.notifications, 0);
    rig.assertReady();
  });

  it('a never-ending chat answer: sent with num_predict, and Stop ends it at the server', async () => {
    rig = new Rig({ sim });
    await rig.connection.health.check();
    sim.addFault({ kind: 'endless', endpoint: 'chat', maxMs: 10_000, times: 1 });
    const turn = rig.ask('Go on');
    await sim.waitFor(() => sim.find({ endpoint: 'chat' }).some((r) => r.tokensSent > 20));
    const { session } = await rig.chat();
    await session.stop();
    const result = await turn;
    assert.equal(result?.status, 'stopped');
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.aborted, true);
    assert.ok(typeof (rec.body?.options as { num_predict?: number }).num_predict === 'number', 'a chat request always carries num_predict');
    assert.equal(rig.status.notifications, 0);
    rig.assertReady();
  });

  it('a slow model load: warm-up shows "loading model", a completion waits for the load and no timeout cancels it', async () => {
    // Default client limits (a first token may take minutes on a cold load): none fires here.
    rig = new Rig({ sim });
    await rig.connection.health.check();
    sim.addFault({ kind: 'slowLoad', ms: 1_200, endpoint: 'generate', times: 1 });
    const warming = warmUp(COMPLETION_MODEL, {
      backend: rig.connection.backend(),
      keepAlive: DEFAULTS.keepAlive,
      setLoading: (m) => rig?.status.setLoading(m),
    });
    await sim.waitForRequest({ endpoint: 'generate' });
    assert.equal(rig.status.facts.loadingModel, COMPLETION_MODEL);
    assert.equal(rig.status.view().text, `${SPINNER} Qwen: loading model`);
    // A keystroke during the load: its request waits for the model instead of failing.
    sim.addCompletionRule({ whenPrefixEndsWith: 'const loaded = ', answer: 'true;' });
    const started = Date.now();
    const item = await rig.complete('const loaded = |\n');
    assert.equal(item?.insertText, 'true;');
    assert.ok(Date.now() - started >= 600, 'the completion really waited for the load');
    const result = await warming;
    assert.ok(result, 'the model is listed as loaded afterwards');
    assert.ok(rig.views.includes(`${SPINNER} Qwen: loading model`));
    assert.equal(rig.status.notifications, 0);
    rig.assertReady();
  });

  it('a slow load before a chat answer: the chat waits for the model, shown as work in progress', async () => {
    rig = new Rig({ sim });
    await rig.connection.health.check();
    sim.addFault({ kind: 'slowLoad', ms: 800, endpoint: 'chat', model: CHAT_MODEL, times: 1 });
    let workWhenLoaded = -1;
    // Runs once the model is loaded, while the client still waits for its first token.
    sim.setChat(() => {
      workWhenLoaded = rig?.status.workInProgress ?? -1;
      return 'Loaded and answering.';
    });
    const result = await rig.ask('Are you there?');
    assert.equal(workWhenLoaded, 1, 'the chat showed as work in progress through the load');
    const request = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.ok((request.loadedAt ?? 0) - request.arrivedAt >= 700, 'the model really took its time to load');
    assert.equal(result?.status, 'done');
    assert.equal(result?.content, 'Loaded and answering.');
    rig.assertReady();
  });
});
