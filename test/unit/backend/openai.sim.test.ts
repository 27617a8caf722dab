// The OpenAI-compatible backend against the simulator (vLLM and llama-server flavours), through the
// real `openai` client: every feature path and the fault matrix.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError } from '../../../src/backend/errors';
import { OpenAICompatibleBackend } from '../../../src/backend/openai';
import { contextTooLong } from '../../../src/backend/openaiErrors';
import { completionBody, infillBody, parseQwenFim } from '../../../src/backend/openaiRequests';
import { readAnswer } from '../../../src/backend/stream';
import { OpenAISimulator } from '../../sim/openai/server';

const BASE = 'Qwen/Qwen2.5-Coder-7B';
const CHAT = 'Qwen/Qwen2.5-Coder-7B-Instruct';
const FIM_PROMPT = '<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n}<|fim_middle|>';

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected a BackendError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe('backend/openai against the simulator (vLLM)', function () {
  this.timeout(15_000);
  const sim = new OpenAISimulator({ timing: { tokenMs: 1 } });
  let backend: OpenAICompatibleBackend;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    backend = new OpenAICompatibleBackend({ host: `${sim.url}/v1/`, timeouts: { requestMs: 2000 } });
  });

  it('streams a raw FIM completion from /v1/completions with the exact body', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
    const request = { model: BASE, prompt: FIM_PROMPT, raw: true, options: { num_predict: 64, temperature: 0.1, stop: ['\n\n'] } };
    const answer = await readAnswer(backend.generate(request), { host: backend.host, model: BASE });
    assert.equal(answer.end, 'done');
    assert.equal(answer.text, 'return a + b;');
    assert.equal(answer.stats?.doneReason, 'stop');
    assert.ok((answer.stats?.evalCount ?? 0) > 1);
    const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
    assert.deepEqual(rec.body, JSON.parse(JSON.stringify(completionBody(request))));
    assert.equal(rec.headers.authorization, undefined, 'no key, no Authorization header');
  });

  it('a completion read until its first line (stopWhen) closes the request on the server', async () => {
    sim.configure({ timing: { tokenMs: 15 } });
    sim.setCompletion('first line\nsecond line\nthird line\nfourth line');
    const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true }), { host: backend.host }, { stopWhen: (text) => text.includes('\n') });
    assert.equal(answer.end, 'done');
    assert.equal(answer.stoppedEarly, true);
    const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
    assert.equal(rec.aborted, true);
    assert.ok(rec.tokensSent < 10, `stopped generating (${rec.tokensSent} tokens)`);
  });

  it('max_tokens reached ends as "length"', async () => {
    sim.setCompletion('a b c d e f g h');
    const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true, options: { num_predict: 3 } }), { host: backend.host });
    assert.equal(answer.end, 'length');
    assert.equal(answer.text, 'a b c');
  });

  it('chat streams from /v1/chat/completions; aborting reaches the server', async () => {
    sim.configure({ timing: { tokenMs: 15 } });
    sim.setChat('one two three four five six seven eight nine ten eleven twelve');
    const ac = new AbortController();
    const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'count' }], signal: ac.signal }), { host: backend.host }, {
      signal: ac.signal,
      onText: (_p, text) => {
        if (text.includes('two')) ac.abort();
      },
    });
    assert.equal(answer.end, 'aborted');
    assert.match(answer.text, /^one two/);
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.aborted, true, 'the server saw the client go away');
    assert.ok(rec.tokensSent < 12);
    await sim.waitForIdle();
  });

  it('reasoning deltas (vLLM --reasoning-parser) come back folded in <think>…</think>', async () => {
    sim.configure({ reasoningParser: true });
    sim.setChat('<think>The user greets me.</think>Hello!');
    const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'hi' }] }), { host: backend.host });
    assert.equal(answer.end, 'done');
    assert.equal(answer.text, '<think>The user greets me.</think>Hello!');
  });

  it('a whole chat answer ends "done" with the request fields sent', async () => {
    sim.setChat(({ lastUser }) => `You said: ${lastUser}`);
    const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], options: { temperature: 0.2 } }), { host: backend.host });
    assert.equal(answer.end, 'done');
    assert.equal(answer.text, 'You said: hi');
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.body?.temperature, 0.2);
    assert.deepEqual(rec.body?.stream_options, { include_usage: true });
  });

  it('lists models with their context length; version names the engine; pull is Ollama-only', async () => {
    const models = await backend.listModels();
    assert.deepEqual(models.map((m) => [m.name, m.contextLength]), [[BASE, 32768], [CHAT, 32768]]);
    assert.equal(await backend.version(), 'vLLM');
    const details = await backend.show(BASE);
    assert.deepEqual(details.capabilities, ['completion', 'insert']);
    assert.equal((await backend.loadedModels()).length, 2);
    const e = await failure(drain(backend.pull(BASE)));
    assert.equal(e.kind, 'capability');
    assert.match(e.message, /Ollama-only/);
  });

  describe('fault matrix', function () {
    it('server gone: unreachable, names the host', async () => {
      await sim.stop();
      try {
        const e = await failure(backend.listModels());
        assert.equal(e.kind, 'unreachable');
        assert.match(e.message, /Nothing answers at http:\/\/127\.0\.0\.1:\d+/);
        const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true }), { host: backend.host });
        assert.equal(answer.end, 'error');
        assert.equal(answer.error?.kind, 'unreachable');
      } finally {
        await sim.start();
      }
    });

    it('500: server error with its message', async () => {
      sim.addFault({ kind: 'status', status: 500, message: 'CUDA out of memory', times: 1 });
      const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true }), { host: backend.host });
      assert.equal(answer.error?.kind, 'server');
      assert.match(answer.error?.message ?? '', /CUDA out of memory/);
    });

    it('503 and 429: busy', async () => {
      sim.addFault({ kind: 'status', status: 503, times: 1 });
      const a = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }] }), { host: backend.host });
      assert.equal(a.error?.kind, 'busy');
      sim.addFault({ kind: 'status', status: 429, times: 1 });
      const b = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }] }), { host: backend.host });
      assert.equal(b.error?.kind, 'busy');
      assert.equal(sim.find({ endpoint: 'chat' }).length, 2, 'the client did not retry on its own');
    });

    it('a full batch queue answers 503: busy', async () => {
      sim.configure({ maxBatch: 1, maxQueue: 0, timing: { tokenMs: 20 } });
      sim.setChat('a b c d e f');
      const first = readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: '1' }] }), { host: backend.host });
      await sim.waitFor(() => sim.running === 1);
      const second = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: '2' }] }), { host: backend.host });
      assert.equal(second.error?.kind, 'busy');
      assert.equal((await first).end, 'done');
    });

    it('a stream cut mid-answer ends "incomplete" and keeps the partial text', async () => {
      sim.setChat('alpha beta gamma delta');
      sim.addFault({ kind: 'drop', after: 2, times: 1 });
      const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }] }), { host: backend.host });
      assert.equal(answer.end, 'incomplete');
      assert.equal(answer.text, 'alpha beta');
    });

    it('a stream that closes without finish_reason ends "incomplete"', async () => {
      sim.addFault({ kind: 'noDone', times: 1 });
      const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true }), { host: backend.host });
      assert.equal(answer.end, 'incomplete');
      assert.ok(answer.text.length > 0);
    });

    it('an error event mid-stream: server error', async () => {
      sim.addFault({ kind: 'errorEvent', after: 1, times: 1 });
      const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true }), { host: backend.host });
      assert.equal(answer.end, 'error');
      assert.equal(answer.error?.kind, 'server');
      assert.match(answer.error?.message ?? '', /EngineCore/);
    });

    it('stall: the first-token limit times out and closes the request', async () => {
      sim.addFault({ kind: 'stall', times: 1 });
      const answer = await readAnswer(backend.generate({ model: BASE, prompt: FIM_PROMPT, raw: true, limits: { firstTokenMs: 150 } }), { host: backend.host });
      assert.equal(answer.error?.kind, 'timeout');
      const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
      assert.equal(rec.aborted, true);
    });

    it('a stall mid-answer trips the idle limit and closes the request, keeping the text so far', async () => {
      const idle = new OpenAICompatibleBackend({ host: sim.url, timeouts: { idleMs: 150 } });
      sim.setChat('one two three four');
      sim.addFault({ kind: 'stall', after: 2, times: 1 });
      const answer = await readAnswer(idle.chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }] }), { host: idle.host });
      assert.equal(answer.end, 'error');
      assert.equal(answer.error?.kind, 'timeout');
      assert.equal(answer.text, 'one two');
      const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
      assert.equal(rec.aborted, true);
    });

    it('401: key missing, then key wrong, with the Bearer header sent', async () => {
      sim.configure({ apiKey: 'team-key' });
      const missing = await failure(backend.listModels());
      assert.equal(missing.kind, 'unauthorized');
      assert.match(missing.message, /needs an API key/);
      const wrong = await failure(new OpenAICompatibleBackend({ host: sim.url, apiKey: 'nope' }).listModels());
      assert.match(wrong.message, /refused the API key/);
      const right = new OpenAICompatibleBackend({ host: sim.url, apiKey: 'team-key' });
      assert.equal((await right.listModels()).length, 2);
      const rec = sim.find({ endpoint: 'models' }).at(-1);
      assert.equal(rec?.headers.authorization, 'Bearer team-key');
    });

    it('a bad server URL fails each call with its sentence, never the constructor', async () => {
      const bad = new OpenAICompatibleBackend({ host: 'https://user:secret@team-gpu.example' });
      const e = await failure(bad.listModels());
      assert.equal(e.kind, 'unreachable');
      assert.match(e.message, /not in the server URL/);
      assert.doesNotMatch(`${e.message} ${e.context.host} ${bad.host}`, /secret/);
      const answer = await readAnswer(bad.generate({ model: BASE, prompt: FIM_PROMPT, raw: true }), { host: bad.host });
      assert.equal(answer.end, 'error');
    });

    it('a key with a newline is refused before anything is sent', async () => {
      const bad = new OpenAICompatibleBackend({ host: sim.url, apiKey: 'abc\ndef' });
      const before = sim.lastId;
      const e = await failure(bad.listModels());
      assert.equal(e.kind, 'unauthorized');
      assert.doesNotMatch(e.message, /abc|def/);
      assert.equal(sim.lastId, before);
    });

    it('404 model: lists what the server has (also for the flat pre-0.10 error body)', async () => {
      for (const errorShape of ['nested', 'flat'] as const) {
        sim.configure({ errorShape });
        const answer = await readAnswer(backend.generate({ model: 'qwen2.5-coder:7b-base', prompt: FIM_PROMPT, raw: true }), { host: backend.host });
        assert.equal(answer.error?.kind, 'modelNotFound', errorShape);
        assert.match(answer.error?.message ?? '', new RegExp(`It serves: ${BASE}, ${CHAT}`));
      }
    });

    it('400 context too long: shortened and retried once, then a clear message', async () => {
      sim.configure({ models: [{ id: BASE, maxModelLen: 400 }], errorShape: 'flat' });
      sim.setCompletion('ok');
      const fits = await readAnswer(backend.generate({ model: BASE, prompt: `<|fim_prefix|>${'word '.repeat(500)}<|fim_suffix|><|fim_middle|>`, raw: true, options: { num_predict: 16 } }), { host: backend.host });
      assert.equal(fits.end, 'done', fits.error?.message);
      assert.equal(sim.find({ endpoint: 'completions' }).length, 2);
      const tooLong = await readAnswer(backend.generate({ model: BASE, prompt: `<|fim_prefix|>${'word '.repeat(50000)}<|fim_suffix|><|fim_middle|>`, raw: true, options: { num_predict: 16 } }), { host: backend.host });
      assert.equal(tooLong.error?.kind, 'capability');
      assert.match(tooLong.error?.message ?? '', /\(400 tokens\), even after Qwen Local shortened it once/);
      assert.equal(contextTooLong(tooLong.error), undefined, 'not retried again');
      assert.equal(sim.find({ endpoint: 'completions' }).length, 4);
    });

    it('a proxy HTML page is summed up in one line', async () => {
      sim.addFault({ kind: 'status', status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>', times: 1 });
      const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }] }), { host: backend.host });
      assert.equal(answer.error?.kind, 'server');
      assert.match(answer.error?.message ?? '', /HTML page: "502 Bad Gateway"/);
      assert.doesNotMatch(answer.error?.message ?? '', /<html>/);
    });
  });
});

describe('backend/openai against servers that misbehave at the HTTP level', function () {
  let server: Server | undefined;

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, tls?: { key: string; cert: string }): Promise<string> {
    server = tls ? createHttpsServer(tls, handler) : createServer(handler);
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const address = s.address();
    return `${tls ? 'https' : 'http'}://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  it('a redirect is never followed', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.writeHead(302, { Location: 'http://elsewhere.invalid/v1/models' }).end();
    });
    const e = await failure(new OpenAICompatibleBackend({ host: url }).listModels());
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /redirect, which Qwen Local never follows/);
    assert.equal(hits, 1);
  });

  it('a 200 HTML page (captive portal, proxy login) is not taken for an answer', async () => {
    const url = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><title>Sign in to the corporate proxy</title></html>'));
    const answer = await readAnswer(new OpenAICompatibleBackend({ host: url }).chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }] }), { host: url });
    assert.equal(answer.end, 'error');
    assert.match(answer.error?.message ?? '', /HTML page: "Sign in to the corporate proxy"/);
  });

  it('a self-signed certificate says which problem and how to fix it', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'qwen-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    } catch {
      this.skip(); // no openssl on this machine
    }
    try {
      const url = await serve((_req, res) => res.end('{}'), { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') });
      const e = await failure(new OpenAICompatibleBackend({ host: url }).listModels());
      assert.equal(e.kind, 'unreachable');
      assert.match(e.message, /does not trust the HTTPS certificate .*self-signed certificate.*NODE_EXTRA_CA_CERTS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backend/openai against the simulator (llama.cpp /infill)', function () {
  this.timeout(15_000);
  const sim = new OpenAISimulator({ flavour: 'llamacpp', timing: { tokenMs: 1 } });

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  it('sends a repo-level FIM prompt to /infill as prefix, suffix and extra files', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: '    return ', answer: 'a + b' });
    const backend = new OpenAICompatibleBackend({ host: sim.url });
    const prompt = '<|repo_name|>demo\n<|file_sep|>util.py\nX = 1\n<|file_sep|>main.py\n<|fim_prefix|>def add(a, b):\n    return <|fim_suffix|>\n<|fim_middle|>';
    const request = { model: 'qwen2.5-coder-7b-q8_0.gguf', prompt, raw: true, options: { num_predict: 32, temperature: 0 } };
    const answer = await readAnswer(backend.generate(request), { host: backend.host });
    assert.equal(answer.end, 'done');
    assert.equal(answer.text, 'a + b');
    const rec = await sim.waitForRequest({ endpoint: 'infill', finished: true });
    const fim = parseQwenFim(prompt);
    assert.ok(fim);
    assert.deepEqual(rec.body, JSON.parse(JSON.stringify(infillBody(request, fim))));
    assert.equal(sim.find({ endpoint: 'completions' }).length, 0);
  });

  it('n_predict reached ends as "length"; infill "never" uses /v1/completions', async () => {
    sim.setCompletion('a b c d e f');
    const backend = new OpenAICompatibleBackend({ host: sim.url });
    const cut = await readAnswer(backend.generate({ model: 'm', prompt: FIM_PROMPT, raw: true, options: { num_predict: 2 } }), { host: backend.host });
    assert.equal(cut.end, 'length');
    const plain = new OpenAICompatibleBackend({ host: sim.url, infill: 'never' });
    const answer = await readAnswer(plain.generate({ model: 'm', prompt: FIM_PROMPT, raw: true }), { host: plain.host });
    assert.equal(answer.end, 'done');
    assert.equal(sim.find({ endpoint: 'completions' }).length, 1);
  });

  it('an /infill error body becomes a typed error', async () => {
    sim.configure({ models: [{ id: 'chat-only-instruct.gguf', fim: false }] });
    const backend = new OpenAICompatibleBackend({ host: sim.url, infill: 'always' });
    const answer = await readAnswer(backend.generate({ model: 'm', prompt: FIM_PROMPT, raw: true }), { host: backend.host });
    assert.equal(answer.error?.kind, 'capability');
    assert.match(answer.error?.message ?? '', /Infill is not supported/);
  });
});
