// "Server busy" (429/503 from a team server): the status says busy, not offline; completions pause
// for a doubling, jittered delay without a request; chat still asks and says busy; one notification.
// The backoff alone (pure), then a Connection against the vLLM simulator with a hand-moved clock.

import assert from 'node:assert/strict';
import { BUSY_BASE_MS, BUSY_MAX_MS, BusyBackoff, parseRetryAfter, RETRY_AFTER_MAX_MS } from '../../../src/backend/busy';
import { Connection } from '../../../src/backend/connection';
import { readAnswer } from '../../../src/backend/stream';
import { StatusModel } from '../../../src/ui/statusModel';
import { statusView } from '../../../src/ui/statusView';
import { OpenAISimulator } from '../../sim/openai/server';

const BASE = 'Qwen/Qwen2.5-Coder-7B';
const CHAT = 'Qwen/Qwen2.5-Coder-7B-Instruct';
const FIM = '<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n}<|fim_middle|>';

describe('backend/busy', function () {
  this.timeout(10_000);

  describe('the backoff (pure)', () => {
    it('doubles per busy answer in a row, up to a cap, never below half of it', () => {
      let t = 0;
      const low = new BusyBackoff(() => t, () => 0);
      const high = new BusyBackoff(() => t, () => 0.999);
      const waits = [1, 2, 3, 4, 5, 6, 7, 8].map(() => [low.hit(), high.hit()] as const);
      assert.deepEqual(waits[0], [BUSY_BASE_MS / 2, Math.round(BUSY_BASE_MS * 0.9995)]);
      assert.deepEqual(waits[1], [BUSY_BASE_MS, Math.round(BUSY_BASE_MS * 2 * 0.9995)]);
      assert.deepEqual(waits.at(-1), [BUSY_MAX_MS / 2, Math.round(BUSY_MAX_MS * 0.9995)]);
      t = 10_000;
      assert.ok(low.remainingMs > 0);
      low.clear();
      assert.equal(low.remainingMs, 0);
      assert.equal(low.hit(), BUSY_BASE_MS / 2, 'a success starts over');
    });

    it("reads Retry-After as seconds or an HTTP date, and ignores what it cannot read", () => {
      const now = Date.parse('2026-12-04T20:00:00Z');
      assert.equal(parseRetryAfter('30', now), 30_000);
      assert.equal(parseRetryAfter(' 0 ', now), 0);
      assert.equal(parseRetryAfter('Fri, 04 Dec 2026 20:00:45 GMT', now), 45_000);
      assert.equal(parseRetryAfter('Fri, 04 Dec 2026 19:00:00 GMT', now), 0, 'a date in the past: no wait');
      for (const bad of [undefined, null, '', '-5', '1.5', 'soon']) assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
    });

    it("waits at least the server's Retry-After (with jitter above it), up to a ceiling", () => {
      const at = (random: number) => new BusyBackoff(() => 0, () => random);
      assert.equal(at(0).hit(30_000), 30_000, 'longer than the first doubling step: the server wins');
      assert.equal(at(1).hit(30_000), 37_500, 'up to a quarter more');
      assert.equal(at(0).hit(100), BUSY_BASE_MS / 2, 'never shorter than our own backoff');
      assert.equal(at(0).hit(24 * 3600_000), RETRY_AFTER_MAX_MS, 'a day is not obeyed');
      const b = at(0);
      b.hit(30_000);
      assert.equal(b.remainingMs, 30_000);
    });

    it('two editors told "busy" at the same moment come back at different times', () => {
      const waits = new Set<number>();
      for (let seed = 0; seed < 8; seed++) waits.add(new BusyBackoff(() => 0, () => seed / 8).hit());
      assert.equal(waits.size, 8);
    });

    it('the status item says "server busy" with a warning, not offline', () => {
      const view = statusView({ connection: 'busy', host: 'https://gpu:8000', completionModel: 'c', chatModel: 'q', completionsEnabled: true, working: [], lastError: 'The server at https://gpu:8000 is busy (503)', now: 0 });
      assert.equal(view.text, '$(watch) Qwen: server busy');
      assert.equal(view.severity, 'warning');
      assert.match(view.tooltip, /is busy \(503\)/);
      assert.doesNotMatch(view.tooltip, /not reachable|ollama serve/);
    });
  });

  describe('a Connection to the vLLM simulator', () => {
    const sim = new OpenAISimulator({ timing: { tokenMs: 1 } });
    let now = 1_000_000;
    before(() => sim.start());
    after(() => sim.stop());
    beforeEach(() => sim.reset());

    function build() {
      const notified: string[] = [];
      const status = new StatusModel({ host: sim.url, completionModel: BASE, chatModel: CHAT, completionsEnabled: true }, { changed: () => {}, notify: (e) => notified.push(e.kind), recovered: () => {} });
      const connection = new Connection({
        host: () => sim.url,
        apiKey: () => undefined,
        kind: () => 'openai',
        status,
        isFocused: () => true,
        setTimer: () => 0,
        clearTimer: () => {},
        now: () => now,
        random: () => 0.5,
      });
      return { status, connection, notified };
    }

    const complete = (connection: Connection) => readAnswer(connection.backend().generate({ model: BASE, prompt: FIM, raw: true, options: { num_predict: 16 } }), { host: sim.url, model: BASE });

    for (const code of [503, 429]) {
      it(`${code}: busy (not offline), completions skipped without a request until the backoff ends, one notification`, async () => {
        const { status, connection, notified } = build();
        sim.addFault({ kind: 'status', status: code, endpoint: 'completions', times: 1 });
        const first = await complete(connection);
        assert.equal(first.error?.kind, 'busy');
        assert.equal(status.facts.connection, 'busy');
        assert.equal(status.offline, false);
        assert.equal(status.view().text, '$(watch) Qwen: server busy');
        const sent = sim.find({ endpoint: 'completions' }).length;
        for (let i = 0; i < 20; i++) {
          const skipped = await complete(connection);
          assert.equal(skipped.error?.kind, 'busy');
          assert.match(skipped.error?.message ?? '', /completions pause for \d+ s/);
        }
        assert.equal(sim.find({ endpoint: 'completions' }).length, sent, 'no request while busy');
        assert.deepEqual(notified, ['busy'], 'one notification');
        now += connection.busy.remainingMs;
        const again = await complete(connection);
        assert.equal(again.end, 'done');
        assert.equal(status.facts.connection, 'ready');
        assert.equal(connection.busy.busyInARow, 0);
        connection.dispose();
      });
    }

    it("a gateway's Retry-After: completions pause that long, and the message says so", async () => {
      const { connection } = build();
      sim.addFault({ kind: 'status', status: 429, endpoint: 'completions', times: 1, headers: { 'Retry-After': '20' } });
      const first = await complete(connection);
      assert.equal(first.error?.kind, 'busy');
      assert.equal(first.error?.retryAfterMs, 20_000);
      assert.match(first.error?.message ?? '', /asks to wait 20 s/);
      // random() is 0.5 here: 20 s plus an eighth.
      assert.equal(connection.busy.remainingMs, 22_500);
      now += 20_000;
      assert.equal((await complete(connection)).error?.kind, 'busy', 'still paused (the jitter above it)');
      now += 2_500;
      assert.equal((await complete(connection)).end, 'done');
      connection.dispose();
    });

    it('chat still asks while completions pause, and a busy chat says so (its question is the caller\'s to keep)', async () => {
      const { status, connection } = build();
      sim.addFault({ kind: 'status', status: 503, endpoint: ['completions', 'chat'], times: 2 });
      await complete(connection);
      assert.ok(connection.busy.remainingMs > 0);
      const busyChat = await readAnswer(connection.backend().chat({ model: CHAT, messages: [{ role: 'user', content: 'hi' }] }), { host: sim.url });
      assert.equal(busyChat.end, 'error');
      assert.equal(busyChat.error?.kind, 'busy');
      assert.match(busyChat.error?.message ?? '', /is busy \(503\).*try it again in a moment/);
      assert.equal(connection.busy.busyInARow, 2, 'the delay doubles');
      const chat = await readAnswer(connection.backend().chat({ model: CHAT, messages: [{ role: 'user', content: 'hi' }] }), { host: sim.url });
      assert.equal(chat.end, 'done');
      assert.equal(status.facts.connection, 'ready');
      assert.equal(connection.busy.remainingMs, 0, 'an answer ends the pause');
      connection.dispose();
    });

    it("the real queue: vLLM's full waiting queue answers 503 and the second editor backs off", async () => {
      sim.configure({ maxBatch: 1, maxQueue: 0, timing: { tokenMs: 20 } });
      sim.setCompletion('a b c d e f g h i j');
      const one = build();
      const two = build();
      const running = complete(one.connection);
      await sim.waitForRequest({ endpoint: 'completions' });
      await sim.waitFor(() => sim.running === 1 || undefined);
      const refused = await complete(two.connection);
      assert.equal(refused.error?.kind, 'busy');
      assert.equal(refused.error?.status, 503);
      assert.equal(two.status.facts.connection, 'busy');
      assert.equal((await running).end, 'done', 'the first editor is answered');
      one.connection.dispose();
      two.connection.dispose();
    });
  });
});
