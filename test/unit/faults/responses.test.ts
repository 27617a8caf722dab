// Fault matrix, part 2: the server answers, but badly — 500, 503, an {"error"} line in the middle
// of a stream, a malformed NDJSON line, a reset connection. One notification per incident, the
// status says what happened, and the next good answer clears it.

import assert from 'node:assert/strict';
import { noStrayErrors, connectedRigPerTest, withQuietClient, FAULT_PROFILES } from './rig';

for (const profile of FAULT_PROFILES) describe(`faults (${profile} Ollama): error responses`, function () {
  this.timeout(15_000);
  noStrayErrors();
  const t = connectedRigPerTest(profile);

  for (const { status, kind, text } of [
    { status: 500, kind: 'server', text: 'llama runner process has terminated' },
    { status: 503, kind: 'busy', text: 'is busy (503)' },
  ] as const) {
    it(`${status} on every request: an error state with one notification, cleared by the next success`, async () => {
      const fault = t.sim.addFault({ kind: 'status', status });
      for (let i = 0; i < 6; i++) assert.equal(await t.rig.complete(`const v${i} = |\n`), undefined);
      // A busy server (503) is up but full: its own state, and completions pause instead of asking
      // on every keystroke (backend/busy.ts); any other failure is tried once per keystroke.
      const busy = kind === 'busy';
      assert.equal(t.rig.status.facts.connection, busy ? 'busy' : 'error');
      assert.ok(t.rig.status.facts.lastError?.includes(text), t.rig.status.facts.lastError);
      assert.equal(t.rig.status.view().text, busy ? '$(watch) Qwen: server busy' : '$(warning) Qwen');
      assert.equal(t.rig.status.view().severity, busy ? 'warning' : 'error');
      assert.equal(t.rig.status.notifications, 1);
      assert.deepEqual(t.rig.notified.map((e) => e.kind), [kind]);
      assert.equal(t.sim.find({ endpoint: 'generate' }).length, busy ? 1 : 6, 'no retry storm');
      t.rig.assertIdle();

      // The chat hits the same incident: no second notification.
      const turn = await t.rig.ask('Why?');
      assert.equal(turn?.status, 'error');
      assert.equal(turn?.error?.kind, kind);
      assert.equal(t.rig.status.notifications, 1);
      t.rig.assertIdle();

      fault.remove();
      await t.rig.recoverWithin(5_000);
      assert.equal(t.rig.status.notifications, 1);
      // A new failure after the recovery is a new incident.
      t.sim.addFault({ kind: 'status', status, times: 1 });
      await t.rig.complete('const again = |\n');
      assert.equal(t.rig.status.notifications, 2);
    });
  }

  it('an {"error"} line mid-completion: a server error with its text and a notification; the next answer is clean', async () => {
    const answer = 'compute(alpha, beta, gamma, delta, epsilon);';
    t.sim.addCompletionRule({ whenPrefixEndsWith: 'const big = ', answer });
    // One failing keystroke: repeated ones currently notify each time (see pending/incidents.pending.ts).
    t.sim.addFault({ kind: 'errorLine', endpoint: 'generate', after: 3, error: 'CUDA error: out of memory', times: 1 });
    assert.equal(await t.rig.complete('const big = |\n'), undefined);
    assert.ok(t.sim.find({ endpoint: 'generate' }).every((r) => r.faults.includes('errorLine') && r.tokensSent === 3));
    assert.equal(t.rig.status.facts.connection, 'error');
    assert.match(t.rig.status.facts.lastError ?? '', /CUDA error: out of memory/);
    assert.equal(t.rig.status.notifications, 1);
    assert.equal(t.rig.notified[0]?.kind, 'server');
    t.rig.assertIdle();
    const item = await t.rig.complete('const big = |\n');
    assert.equal(item?.insertText, answer, 'nothing of the failed answer was cached');
    t.rig.assertReady();
  });

  it('an {"error"} line mid-chat: the turn is an error that keeps the partial answer; the lane is freed', async () => {
    t.sim.setChat('one two three four five six seven eight nine ten');
    t.sim.addFault({ kind: 'errorLine', endpoint: 'chat', after: 4, error: 'llama runner process has terminated: signal: killed', times: 1 });
    const turn = await t.rig.ask('Count');
    assert.equal(turn?.status, 'error');
    assert.equal(turn?.error?.kind, 'server');
    assert.equal(turn?.content, 'one two three four');
    assert.equal(t.rig.status.notifications, 1);
    t.rig.assertIdle();
    const again = await t.rig.ask('Count again');
    assert.equal(again?.status, 'done');
    assert.equal(again?.content, 'one two three four five six seven eight nine ten');
    await t.rig.recoverWithin(5_000);
  });

  it('a malformed NDJSON line: skipped (as the client does), the answer still arrives, nothing is shown', async () => {
    t.sim.addCompletionRule({ whenPrefixEndsWith: 'const sum = ', answer: 'a + b + c + d;' });
    t.sim.addFault({ kind: 'malformedLine', endpoint: 'generate', after: 2, times: 1 });
    t.sim.addFault({ kind: 'malformedLine', endpoint: 'chat', after: 1, line: '{"message":{"content":"bro', times: 1 });
    t.sim.setChat('alpha beta gamma');
    const { result, printed } = await withQuietClient(async () => ({
      item: await t.rig.complete('const sum = |\n'),
      turn: await t.rig.ask('Letters?'),
    }));
    assert.equal(result.item?.insertText, 'a + b + c + d;');
    assert.equal(result.turn?.status, 'done');
    assert.equal(result.turn?.content, 'alpha beta gamma');
    assert.equal(printed.length, 2, 'the client noticed both bad lines');
    assert.equal(t.rig.status.notifications, 0);
    t.rig.assertReady();
  });

  it('a connection reset before any response: offline once, the next keystroke recovers', async () => {
    t.sim.addFault({ kind: 'reset', endpoint: 'generate', times: 2 });
    assert.equal(await t.rig.complete('const x = |\n'), undefined);
    assert.equal(await t.rig.complete('const y = |\n'), undefined);
    assert.equal(t.rig.status.facts.connection, 'offline');
    assert.equal(t.rig.status.notifications, 1);
    t.rig.assertIdle();
    await t.rig.recoverWithin(5_000);
  });

  it('a proxy error page (502, HTML body): an error state with one notification', async () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    const fault = t.sim.addFault({ kind: 'status', status: 502, body: page, endpoint: 'generate' });
    const { printed } = await withQuietClient(async () => {
      for (let i = 0; i < 3; i++) await t.rig.complete(`const p${i} = |\n`);
    });
    assert.ok(printed.length > 0, 'the client talks on the console about a non-JSON error body');
    assert.equal(t.rig.status.facts.connection, 'error');
    assert.equal(t.rig.status.notifications, 1);
    assert.equal(t.rig.notified[0]?.kind, 'server');
    fault.remove();
    await t.rig.recoverWithin(5_000);
  });
});
