// A server (or a proxy in front of it) that echoes the key it was sent must not get it into any
// text Qwen Local shows or keeps: the log, a notification, the status, a stored chat error.
// Security review finding 10: `…Bearer sk-SECRET-123` reached the log and the chat history.

import assert from 'node:assert/strict';
import type { BackendError } from '../../../src/backend/errors';
import { redact } from '../../../src/backend/errors';
import { OllamaBackend } from '../../../src/backend/ollama';
import { createLogger, type LogSink } from '../../../src/log';
import { OllamaSimulator } from '../../sim/simulator';
import { noStrayErrors, Rig } from '../faults/rig';

const KEY = 'sk-SECRET-123-4f8a2c9e7b1d';

function captureSink(): { sink: LogSink; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { sink: { error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') }, lines };
}

const visibleParts = (e: BackendError) => [e.message, e.detail ?? '', e.stack ?? '', JSON.stringify(e.context)].join('\n');

describe('security: a key the server echoes is redacted from every message', function () {
  this.timeout(15_000);
  noStrayErrors();
  let sim: OllamaSimulator;

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 }, apiKey: KEY });
    await sim.start();
  });
  afterEach(() => sim.stop());

  const echoes: [string, Parameters<OllamaSimulator['addFault']>[0]][] = [
    ['a JSON 401 quoting the header', { kind: 'status', status: 401, error: `invalid token in "Authorization: Bearer ${KEY}"`, endpoint: ['tags', 'version', 'generate', 'chat'] }],
    ['a 500 quoting the bare key', { kind: 'status', status: 500, error: `upstream rejected api key ${KEY}`, endpoint: ['tags', 'version', 'generate', 'chat'] }],
    ['a proxy page quoting the key', { kind: 'status', status: 403, body: `<html><body><h1>Forbidden</h1><p>token ${KEY} is revoked</p></body></html>`, endpoint: ['tags', 'version', 'generate', 'chat'] }],
    ['part of the key', { kind: 'status', status: 502, error: `key prefix ${KEY.slice(0, 16)}… unknown`, endpoint: ['tags', 'version', 'generate', 'chat'] }],
  ];
  for (const [what, fault] of echoes) {
    it(`backend errors carry none of it: ${what}`, async () => {
      sim.addFault(fault);
      const backend = new OllamaBackend({ host: sim.url, apiKey: KEY });
      const error = (await backend.listModels().then(
        () => undefined,
        (e: unknown) => e,
      )) as BackendError;
      assert.ok(error, 'the call failed');
      const text = visibleParts(error);
      assert.ok(!text.includes(KEY), text);
      assert.ok(!text.includes(KEY.slice(0, 14)), text);
    });
  }

  it('an {"error"} line mid-stream quoting the key is redacted too', async () => {
    sim.addFault({ kind: 'errorLine', after: 1, error: `auth failed for Bearer ${KEY}` });
    const backend = new OllamaBackend({ host: sim.url, apiKey: KEY });
    const error = await (async () => {
      try {
        for await (const chunk of backend.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', raw: true })) void chunk;
      } catch (e) {
        return e as BackendError;
      }
      return undefined;
    })();
    assert.ok(error);
    assert.ok(!visibleParts(error).includes(KEY), visibleParts(error));
  });

  it('the log, the notifications, the status and the stored chat error never hold it', async () => {
    const { sink, lines } = captureSink();
    const rig = new Rig({ sim, apiKey: KEY, log: createLogger(sink, () => 'debug'), timeouts: { firstTokenMs: 400, requestMs: 600 } });
    try {
      await rig.connection.health.check();
      sim.addFault({ kind: 'status', status: 401, error: `bad credentials: Bearer ${KEY}`, endpoint: ['generate', 'chat', 'tags'], times: 3 });
      await rig.complete('const a = |\n');
      const turn = await rig.ask('Hello?');
      assert.equal(turn?.error?.kind, 'unauthorized');
      const { session } = await rig.chat();
      const visible = [...lines, ...rig.notified.map(visibleParts), rig.status.view().text, rig.status.view().tooltip, rig.status.facts.lastError ?? '', JSON.stringify(session.conversation)].join('\n');
      assert.ok(rig.notified.length > 0, 'the failure was notified');
      assert.ok(!visible.includes(KEY), 'the key appears in what the user or the log sees');
      assert.match(visible, /Bearer \[redacted\]/, 'the echo is shown, without the key');
    } finally {
      await rig.dispose();
    }
  });
});

describe('redact()', () => {
  it('removes any bearer credential, and a given secret whole, escaped, or in part', () => {
    assert.equal(redact('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer [redacted]');
    assert.equal(redact('x sk-AAAABBBBCCCCDDDD y', ['sk-AAAABBBBCCCCDDDD']), 'x [redacted] y');
    assert.equal(redact('k=sk%2Fabc%2Bdef0123', ['sk/abc+def0123']), 'k=[redacted]');
    assert.equal(redact('prefix AAAABBBBCCCC…', ['sk-AAAABBBBCCCCDDDD']), 'prefix [redacted]…');
    assert.equal(redact('nothing secret here', ['sk-AAAABBBBCCCCDDDD']), 'nothing secret here');
    assert.equal(redact('Authorization: Basic YWxpY2U6czNjcmV0'), 'Authorization: Basic [redacted]');
    assert.equal(redact('Bearer token required; basic auth is off'), 'Bearer token required; basic auth is off', 'words stay');
  });
});
