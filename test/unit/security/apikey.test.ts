// The API key goes to the configured server as "Authorization: Bearer …" and nowhere else: not in
// a log line (debug level), not in an error message a notification would show, not in a chat
// transcript — on success and on every kind of failure.

import assert from 'node:assert/strict';
import type { BackendError } from '../../../src/backend/errors';
import { createLogger, type LogSink } from '../../../src/log';
import { OllamaSimulator } from '../../sim/simulator';
import { COMPLETION_MODEL, noStrayErrors, Rig } from '../faults/rig';

const KEY = 'sk-qwenlocal-7d1e5c2a9b0f4e3d';
const WRONG_KEY = 'sk-wrong-0a1b2c3d4e5f6071';

/** A LogOutputChannel stand-in that keeps every line at every level. */
function captureSink(): { sink: LogSink; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { sink: { error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') }, lines };
}

function describeError(e: BackendError): string {
  return [e.message, e.detail ?? '', e.stack ?? '', JSON.stringify(e.context)].join('\n');
}

describe('security: the API key is sent to the server and never logged', function () {
  this.timeout(15_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig;
  let lines: string[];

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 }, apiKey: KEY });
    await sim.start();
    const captured = captureSink();
    lines = captured.lines;
    rig = new Rig({ sim, apiKey: KEY, log: createLogger(captured.sink, () => 'debug'), timeouts: { firstTokenMs: 400, requestMs: 600 } });
  });
  afterEach(async () => {
    await rig.dispose();
    await sim.stop();
  });

  /** Every text the user or the log could ever see from this run. */
  async function everythingVisible(): Promise<string> {
    const { session } = await rig.chat();
    const transcript = JSON.stringify(session.conversation);
    return [
      ...lines,
      ...rig.notified.map(describeError),
      rig.status.view().text,
      rig.status.view().tooltip,
      rig.status.facts.lastError ?? '',
      transcript,
    ].join('\n');
  }

  it('is sent as a bearer token on every request to the server', async () => {
    assert.equal(await rig.connection.health.check(), true);
    await rig.connection.backend().listModels();
    await rig.connection.backend().show(COMPLETION_MODEL);
    assert.ok(await rig.complete('const a = |\n'));
    assert.equal((await rig.ask('Hello'))?.status, 'done');
    const api = sim.requests.filter((r) => r.path.startsWith('/api/'));
    assert.ok(api.length >= 5);
    for (const r of api) assert.equal(r.headers.authorization, `Bearer ${KEY}`, `${r.method} ${r.path}`);
    assert.ok(!(await everythingVisible()).includes(KEY));
  });

  it('appears in no log line, message or transcript through 401s, outages, timeouts and stream errors', async () => {
    // Successes first, so the failures below are new incidents and get logged.
    await rig.connection.health.check();
    assert.ok(await rig.complete('const ok = |\n'));

    // 401: the server wants another key.
    sim.configure({ apiKey: WRONG_KEY });
    assert.equal(await rig.complete('const unauthorized = |\n'), undefined);
    assert.equal((await rig.ask('Refused?'))?.error?.kind, 'unauthorized');
    await assert.rejects(rig.connection.backend().listModels());
    assert.ok(rig.notified.some((e) => e.kind === 'unauthorized'));
    sim.configure({ apiKey: KEY });

    // Timeouts: a stalled first token, a stalled metadata call.
    sim.addFault({ kind: 'stall', endpoint: ['generate', 'chat', 'tags'], times: 3 });
    assert.equal(await rig.complete('const stalled = |\n'), undefined);
    await assert.rejects(rig.connection.backend().listModels());
    assert.equal((await rig.ask('Slow?'))?.error?.kind, 'timeout');

    // An {"error"} line and a 500.
    sim.addFault({ kind: 'errorLine', after: 1, error: 'runner crashed', times: 2 });
    await rig.complete('const broken = |\n');
    await rig.ask('Broken?');
    sim.addFault({ kind: 'status', status: 500, times: 1 });
    await rig.complete('const failed = |\n');

    // The server goes away: unreachable, for every kind of call.
    await sim.stop();
    assert.equal(await rig.complete('const offline = |\n'), undefined);
    assert.equal((await rig.ask('Anyone?'))?.error?.kind, 'unreachable');
    assert.equal(await rig.connection.health.check(), false);
    await assert.rejects(rig.connection.backend().version());

    const kinds = new Set(rig.notified.map((e) => e.kind));
    for (const kind of ['unauthorized', 'server', 'unreachable']) assert.ok(kinds.has(kind as BackendError['kind']), `${kind} was notified`);
    assert.ok(lines.some((l) => l.startsWith('warn')), 'failures were logged');
    assert.ok(lines.some((l) => l.includes('timeout')), 'timeouts were logged');
    const visible = await everythingVisible();
    assert.ok(!visible.includes(KEY), 'the key appears somewhere');
    assert.ok(!visible.includes(WRONG_KEY), 'the key the server expects appears somewhere');
    assert.ok(!visible.includes(KEY.slice(3, 20)), 'part of the key appears somewhere');
  });
});
