import assert from 'node:assert/strict';
import { keepAliveToMs, ModelResidency, residencyGate, residentState } from '../../../src/backend/residency';
import type { LoadedModel } from '../../../src/backend/backend';

describe('model residency (is the completion model loaded?)', function () {
  it('reads keep_alive as Ollama does', function () {
    assert.equal(keepAliveToMs('5m'), 300_000);
    assert.equal(keepAliveToMs('1h30m'), 5_400_000);
    assert.equal(keepAliveToMs('1.5'), 1_500);
    assert.equal(keepAliveToMs(30), 30_000);
    assert.equal(keepAliveToMs('-1'), Infinity);
    assert.equal(keepAliveToMs('-5m'), Infinity);
    assert.equal(keepAliveToMs('soon'), undefined);
  });

  it('is cold before any use, warm until the keep_alive deadline, cold after it', function () {
    let now = 1_000;
    const r = new ModelResidency(() => now);
    assert.equal(r.isCold('h|m'), true);
    r.used('h|m', '5m');
    now += 299_000;
    assert.equal(r.isCold('h|m'), false);
    now += 2_000;
    assert.equal(r.isCold('h|m'), true);
  });

  it('counts a server restart and keep_alive 0 as the user means them', function () {
    const r = new ModelResidency(() => 0);
    r.used('a', '5m');
    r.forget();
    assert.equal(r.isCold('a'), true, 'after a restart nothing is loaded');
    r.used('b', 0);
    assert.equal(r.isCold('b'), false, 'keep_alive 0: never warmed again (it would load twice per completion)');
  });

  it('calls the model cold when completions wait too long for a first token, not before', function () {
    let now = 0;
    const r = new ModelResidency(() => now, 1_000);
    r.used('k', '5m');
    r.started('k');
    now = 500;
    assert.equal(r.ended('k', false, '5m'), false, 'one cancelled keystroke is normal');
    r.started('k');
    now = 1_200;
    assert.equal(r.ended('k', false, '5m'), true, 'no first token for 1.2 s of typing: it is being loaded');
    assert.equal(r.isCold('k'), true);
    r.started('k');
    assert.equal(r.ended('k', true, '5m'), false);
    assert.equal(r.isCold('k'), false, 'an answer means it is loaded');
  });

  it('asks /api/ps only after a quiet spell, and a missing model makes it cold', function () {
    let now = 0;
    const r = new ModelResidency(() => now, 1_500, 20_000);
    assert.equal(r.shouldCheck('k'), false, 'cold: the warm-up runs anyway, no check needed');
    r.used('k', '30m');
    now = 19_000;
    assert.equal(r.shouldCheck('k'), false, 'answered 19 s ago');
    now = 20_000;
    assert.equal(r.shouldCheck('k'), true);
    assert.equal(r.checked('k', 'loaded'), false);
    assert.equal(r.shouldCheck('k'), false, 'seen loaded just now');
    now = 45_000;
    assert.equal(r.checked('k', 'evicted'), true);
    assert.equal(r.isCold('k'), true, 'evicted by another client: cold, before its keep_alive deadline');
  });

  it('reads /api/ps: listed, not listed, loaded with another context (only where the server says it)', function () {
    const ps = (contextLength?: number): LoadedModel[] => [{ name: 'qwen2.5-coder:1.5b-base', sizeBytes: 1, sizeVramBytes: 1, ...(contextLength ? { contextLength } : {}) }];
    assert.equal(residentState(ps(8192), 'qwen2.5-coder:1.5b-base', 8192), 'loaded');
    assert.equal(residentState([], 'qwen2.5-coder:1.5b-base', 8192), 'evicted');
    assert.equal(residentState(ps(4096), 'qwen2.5-coder:1.5b-base', 8192), 'otherContext', 'a current server: Ollama would reload it for our num_ctx');
    assert.equal(residentState(ps(), 'qwen2.5-coder:1.5b-base', 8192), 'loaded', 'before v0.10 /api/ps has no context_length: presence is all it says');
    assert.equal(residentState([{ name: 'coder:latest', sizeBytes: 1, sizeVramBytes: 1 }], 'coder', undefined), 'loaded', '":latest" is implied');
  });

  describe('the gate before each completion', function () {
    function gate(loaded: () => Promise<LoadedModel[]>) {
      let now = 0;
      const residency = new ModelResidency(() => now, 1_500, 10_000);
      const calls = { ps: 0, warm: 0, log: [] as string[] };
      let finishWarm!: () => void;
      let warming: Promise<void> = Promise.resolve();
      const run = residencyGate({
        residency,
        key: (m) => `h|${m}`,
        active: () => true,
        loadedModels: () => {
          calls.ps++;
          return loaded();
        },
        numCtx: () => 8192,
        warm: () => {
          calls.warm++;
          warming = new Promise((resolve) => (finishWarm = resolve));
        },
        warming: () => warming,
        log: (m) => calls.log.push(m),
      });
      return { run, residency, calls, finish: () => finishWarm(), at: (ms: number) => (now = ms) };
    }

    it('loaded and seen lately: no check, no wait', async function () {
      const g = gate(async () => []);
      g.residency.used('h|m', '30m');
      await g.run('m', new AbortController().signal);
      assert.deepEqual([g.calls.ps, g.calls.warm], [0, 0]);
    });

    it('evicted while idle: warms it up, and the completion waits for that load until typing supersedes it', async function () {
      const g = gate(async () => []);
      g.residency.used('h|m', '30m');
      g.at(10_000);
      const typing = new AbortController();
      let done = false;
      const waiting = g.run('m', typing.signal).then(() => (done = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual([g.calls.ps, g.calls.warm], [1, 1]);
      assert.match(g.calls.log[0] ?? '', /no longer loaded.*reloading/);
      assert.equal(done, false, 'the completion is not sent while its model loads');
      typing.abort();
      await waiting;
      // The next keystroke's completion waits for the same load, and goes once it is there.
      let sent = false;
      const next = g.run('m', new AbortController().signal).then(() => (sent = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(sent, false);
      g.finish();
      g.residency.used('h|m', '30m');
      await next;
      assert.equal(g.calls.ps, 1, 'cold models are not checked: the warm-up is the answer');
    });

    it('an unanswered /api/ps does not hold the completion', async function () {
      const g = gate(() => Promise.reject(new Error('timeout')));
      g.residency.used('h|m', '30m');
      g.at(10_000);
      await g.run('m', new AbortController().signal);
      assert.deepEqual([g.calls.ps, g.calls.warm], [1, 0]);
    });
  });
});
