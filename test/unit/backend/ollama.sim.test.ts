// The Ollama backend against the simulator, through the real `ollama` client (never a mock).

import assert from 'node:assert/strict';
import type { StreamChunk } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';
import { OllamaBackend } from '../../../src/backend/ollama';
import { withOutcomeReporting } from '../../../src/backend/reporting';
import { readSettings } from '../../../src/settings';
import { OllamaSimulator } from '../../sim/simulator';

const BASE = 'qwen2.5-coder:1.5b-base';
const CHAT = 'qwen2.5-coder:1.5b-instruct';

async function collect(stream: AsyncIterable<StreamChunk>): Promise<{ text: string; last?: StreamChunk; chunks: number }> {
  let text = '';
  let last: StreamChunk | undefined;
  let chunks = 0;
  for await (const c of stream) {
    text += c.text;
    last = c;
    chunks++;
  }
  return { text, last, chunks };
}

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected a BackendError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('backend/ollama against the simulator', function () {
  this.timeout(15_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 1 } });
  let backend: OllamaBackend;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.setTiming({ loadMs: 5, tokenMs: 1 });
    backend = new OllamaBackend({ host: sim.url });
  });

  it('streams a raw FIM completion and returns the done stats', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
    const prompt = '<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n}<|fim_middle|>';
    const r = await collect(backend.generate({ model: BASE, prompt, raw: true, options: { num_predict: 64, temperature: 0.1 } }));
    assert.equal(r.text, 'return a + b;');
    assert.ok(r.chunks > 2, 'arrives in pieces');
    assert.equal(r.last?.done, true);
    assert.equal(r.last?.stats?.doneReason, 'stop');
    assert.ok((r.last?.stats?.evalCount ?? 0) > 0);
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.body?.raw, true);
    assert.equal(rec.body?.stream, true);
    assert.deepEqual((rec.body?.options as Record<string, unknown>).num_predict, 64);
  });

  it('streams a chat answer', async () => {
    sim.setChat(({ lastUser }) => `You asked: ${lastUser}`);
    const r = await collect(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'why?' }] }));
    assert.equal(r.text, 'You asked: why?');
    assert.equal(r.last?.done, true);
  });

  it('aborts at the server while the request is still waiting for its first byte', async () => {
    sim.addFault({ kind: 'stall', endpoint: 'generate' });
    const controller = new AbortController();
    const stream = backend.generate({ model: BASE, prompt: 'x', raw: true, signal: controller.signal });
    const pending = collect(stream);
    await sim.waitForRequest({ endpoint: 'generate' });
    controller.abort();
    const e = await failure(pending);
    assert.equal(e.kind, 'aborted');
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.aborted, true, 'the server saw the client go away');
  });

  it('aborts at the server mid-stream when the consumer stops reading', async () => {
    sim.setCompletion({ text: 'a '.repeat(500), tokenMs: 5 });
    for await (const chunk of backend.generate({ model: BASE, prompt: 'x', raw: true })) {
      if (chunk.text) break; // the provider got what it needed
    }
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.aborted, true);
    assert.ok(rec.tokensSent < 500);
  });

  it('times out a stalled first token and frees the server', async () => {
    sim.addFault({ kind: 'stall', endpoint: 'generate' });
    const e = await failure(collect(backend.generate({ model: BASE, prompt: 'x', raw: true, limits: { firstTokenMs: 150 } })));
    assert.equal(e.kind, 'timeout');
    assert.match(e.detail ?? '', /no first token after 150 ms/);
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.aborted, true);
  });

  it('caps a never-ending stream by time', async () => {
    sim.addFault({ kind: 'endless', endpoint: 'chat', maxMs: 10_000 });
    const e = await failure(collect(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'go' }], limits: { totalMs: 300 } })));
    assert.equal(e.kind, 'timeout');
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.aborted, true);
  });

  it('names the server and how to start it when nothing listens', async () => {
    const down = new OllamaBackend({ host: 'http://127.0.0.1:9' });
    const e = await failure(down.version());
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /Ollama is not running at http:\/\/127\.0\.0\.1:9\. Start it with "ollama serve"/);
  });

  it('maps a missing model to modelNotFound with a pull hint', async () => {
    const e = await failure(collect(backend.generate({ model: 'qwen2.5-coder:32b-base', prompt: 'x', raw: true })));
    assert.equal(e.kind, 'modelNotFound');
    assert.equal(e.status, 404);
    assert.match(e.message, /ollama pull qwen2\.5-coder:32b-base/);
  });

  it('maps the insert-capability 400 from the suffix path', async () => {
    const e = await failure(collect(backend.generate({ model: CHAT, prompt: 'def f(', suffix: '\n' })));
    assert.equal(e.kind, 'capability');
    assert.match(e.message, /does not support insert/);
  });

  it('maps 503 to busy and 500 to a server error', async () => {
    sim.addFault({ kind: 'status', status: 503, times: 1 });
    assert.equal((await failure(collect(backend.generate({ model: BASE, prompt: 'x', raw: true })))).kind, 'busy');
    sim.addFault({ kind: 'status', status: 500, error: 'llama runner process has terminated', times: 1 });
    const e = await failure(collect(backend.generate({ model: BASE, prompt: 'x', raw: true })));
    assert.equal(e.kind, 'server');
    assert.match(e.message, /llama runner process has terminated/);
  });

  it('reports an {"error"} line in the middle of a stream as a server error', async () => {
    sim.setChat('one two three four five six');
    sim.addFault({ kind: 'errorLine', endpoint: 'chat', after: 2, error: 'out of memory', times: 1 });
    const e = await failure(collect(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'q' }] })));
    assert.equal(e.kind, 'server');
    assert.match(e.message, /out of memory/);
  });

  it('reports a connection dropped mid-answer as unreachable', async () => {
    sim.setChat('one two three four five six seven eight');
    sim.addFault({ kind: 'drop', endpoint: 'chat', after: 2, times: 1 });
    const e = await failure(collect(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'q' }] })));
    assert.equal(e.kind, 'unreachable');
  });

  it('skips a malformed line and keeps the rest of the answer (as the client does)', async () => {
    sim.setChat('alpha beta gamma');
    sim.addFault({ kind: 'malformedLine', endpoint: 'chat', after: 1, times: 1 });
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const r = await collect(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'q' }] }));
      assert.equal(r.text, 'alpha beta gamma');
      assert.equal(r.last?.done, true);
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1, 'the client noticed the bad line');
  });

  it('sends a keep_alive of whole seconds as a number (Ollama rejects "-1" as a string)', async () => {
    const r = await collect(backend.generate({ model: BASE, prompt: '', keepAlive: '-1' }));
    assert.equal(r.last?.done, true);
    const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(rec.body?.keep_alive, -1);
  });

  it('accepts every keep_alive form Ollama accepts: "-5m", "1.5", "-1", ".5h" (issue 14 item 8)', async () => {
    for (const [value, sent] of [
      ['-5m', '-5m'],
      ['1.5', 1.5],
      ['-1', -1],
      ['.5h', '.5h'],
    ] as const) {
      const warnings: string[] = [];
      const setting = readSettings((k) => (k === 'keepAlive' ? value : undefined), (w) => warnings.push(w)).keepAlive;
      assert.deepEqual(warnings, [], `the setting ${value} is accepted`);
      sim.clearLog();
      const r = await collect(backend.generate({ model: BASE, prompt: '', keepAlive: setting }));
      assert.equal(r.last?.done, true, `${value} is accepted by the server`);
      const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
      assert.equal(rec.body?.keep_alive, sent);
    }
  });

  // Issue 14 items 3 and 4: what real Ollama and proxies answer, and what the user reads.
  it('a wrong path prefix (gin\'s plain-text "404 page not found") is not "model not found"', async () => {
    const prefixed = new OllamaBackend({ host: `${sim.url}/v1` });
    const e = await failure(collect(prefixed.generate({ model: BASE, prompt: 'x' })));
    assert.equal(e.status, 404);
    assert.notEqual(e.kind, 'modelNotFound');
    assert.doesNotMatch(e.message, /ollama pull/);
    assert.match(e.message, /does not know Ollama's API \(404 "404 page not found"\)/);
    assert.match(e.message, /\/v1/);
    // A real missing model still says how to pull it.
    const missing = await failure(collect(backend.generate({ model: 'qwen2.5-coder:99b', prompt: 'x' })));
    assert.equal(missing.kind, 'modelNotFound');
  });

  it('a proxy\'s HTML 401/403 page becomes a one-line summary', async () => {
    const page = `<!DOCTYPE html>\n<html><head><title>401 Authorization Required</title><style>body{}</style></head>\n<body><center><h1>401 Authorization Required</h1></center><hr><center>nginx/1.25.3</center>${'<p>filler</p>'.repeat(200)}</body></html>`;
    sim.addFault({ kind: 'status', status: 401, body: page, endpoint: ['tags'], times: 1 });
    const e = await failure(backend.listModels());
    assert.equal(e.kind, 'unauthorized');
    assert.match(e.message, /\(401: an HTML page: "401 Authorization Required"\)/);
    for (const text of [e.message, e.detail ?? '']) {
      assert.doesNotMatch(text, /<|\n/, 'no markup, one line');
      assert.ok(text.length < 300, `short: ${text.length}`);
    }
  });

  it('a bare 403 (Ollama\'s allowed-hosts check behind a proxy) points at OLLAMA_HOST/OLLAMA_ORIGINS, not the key', async () => {
    sim.addFault({ kind: 'status', status: 403, body: '', endpoint: ['tags'], times: 1 });
    const e = await failure(backend.listModels());
    assert.equal(e.status, 403);
    assert.notEqual(e.kind, 'unauthorized');
    assert.match(e.message, /refuses requests under this host name/);
    assert.match(e.message, /OLLAMA_HOST=0\.0\.0\.0/);
    assert.match(e.message, /OLLAMA_ORIGINS/);
    assert.doesNotMatch(e.message, /Set the key/);
  });

  it('sends the API key as a bearer token', async () => {
    const keyed = new OllamaBackend({ host: sim.url, apiKey: 's3cret' });
    await keyed.listModels();
    const rec = await sim.waitForRequest({ endpoint: 'tags', finished: true });
    assert.equal(rec.headers.authorization, 'Bearer s3cret');
  });

  it('lists installed and loaded models, shows details and the version', async () => {
    const installed = await backend.listModels();
    assert.ok(installed.some((m) => m.name === BASE && m.sizeBytes > 0 && m.digest));
    await collect(backend.generate({ model: BASE, prompt: '', keepAlive: '5m' }));
    const loaded = await backend.loadedModels();
    const m = loaded.find((l) => l.name === BASE);
    assert.ok(m, 'the load request left the model loaded');
    assert.ok(m.sizeBytes > 0 && m.sizeVramBytes >= 0);
    const details = await backend.show(BASE);
    assert.ok(details.capabilities.includes('insert'));
    assert.equal(typeof details.contextLength, 'number');
    assert.match(await backend.version(), /^\d+\.\d+\.\d+/);
  });

  it('pulls with progress and aborts a pull at the server', async () => {
    const statuses: string[] = [];
    for await (const p of backend.pull('qwen2.5-coder:0.5b-base')) statuses.push(p.status);
    assert.equal(statuses[0], 'pulling manifest');
    assert.equal(statuses.at(-1), 'success');
    assert.ok(statuses.some((s) => s.startsWith('pulling ')));

    sim.setTiming({ pullStepMs: 50 });
    const controller = new AbortController();
    const progress = (async () => {
      for await (const p of backend.pull('qwen2.5-coder:3b-base', controller.signal)) if (p.completedBytes) controller.abort();
    })();
    assert.equal((await failure(progress)).kind, 'aborted');
    const rec = await sim.waitForRequest({ endpoint: 'pull', finished: true, model: 'qwen2.5-coder:3b-base' });
    assert.equal(rec.aborted, true);
  });

  it('tells the status bar about successes and failures, but not about cancels', async () => {
    const outcomes: string[] = [];
    const reporting = withOutcomeReporting(backend, { ok: () => outcomes.push('ok'), failed: (e) => outcomes.push(e.kind) });
    await collect(reporting.generate({ model: BASE, prompt: 'x', raw: true }));
    await failure(collect(reporting.generate({ model: 'nope:1b', prompt: 'x', raw: true })));
    const controller = new AbortController();
    controller.abort();
    await failure(collect(reporting.generate({ model: BASE, prompt: 'x', raw: true, signal: controller.signal })));
    assert.deepEqual(outcomes, ['ok', 'modelNotFound']);
  });

  it('recovers after the server restarts on the same port', async () => {
    await sim.stop();
    assert.equal((await failure(backend.version())).kind, 'unreachable');
    await sim.start();
    assert.match(await backend.version(), /\d/);
  });
});
