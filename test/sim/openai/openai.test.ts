// Conformance of the OpenAI-compatible simulator, driven only through the official `openai` client
// (and plain fetch for llama.cpp's non-OpenAI /infill and /health). If the simulator drifts from
// what the client expects of vLLM or llama-server, these fail.

import assert from 'node:assert/strict';
import OpenAI, { APIConnectionError, APIError, AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import { OpenAISimulator } from './server';

const BASE = 'Qwen/Qwen2.5-Coder-7B';
const INSTRUCT = 'Qwen/Qwen2.5-Coder-7B-Instruct';

function fimPrompt(prefix: string, suffix: string): string {
  return `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('OpenAI-compatible simulator (vLLM flavour)', function () {
  const sim = new OpenAISimulator({ timing: { tokenMs: 1 } });
  let client: OpenAI;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.configure({ timing: { tokenMs: 1 } });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  it('lists served models with max_model_len', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    assert.deepEqual(ids, [BASE, INSTRUCT]);
    const card = page.data[0] as unknown as { owned_by: string; max_model_len: number };
    assert.equal(card.owned_by, 'vllm');
    assert.equal(card.max_model_len, 32768);
  });

  it('streams a raw FIM completion as SSE, ending with finish_reason and [DONE]', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
    const stream = await client.completions.create({ model: BASE, prompt: fimPrompt('function add(a, b) {\n  ', '\n}'), max_tokens: 64, stream: true, stream_options: { include_usage: true } });
    let text = '';
    const reasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text += c.text;
        reasons.push(c.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'return a + b;');
    assert.equal(reasons.at(-1), 'stop');
    assert.ok(reasons.slice(0, -1).every((r) => r === null));
    assert.ok((usage?.completion_tokens ?? 0) > 1);
    const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
    assert.deepEqual(rec.fim, { prefix: 'function add(a, b) {\n  ', suffix: '\n}', context: '' });
    assert.equal(rec.outcome, 'ok');
  });

  it('answers stream: false with one completion object', async () => {
    sim.setCompletion('x + 1');
    const r = await client.completions.create({ model: BASE, prompt: fimPrompt('a', 'b'), max_tokens: 8 });
    assert.equal(r.object, 'text_completion');
    assert.equal(r.choices[0]?.text, 'x + 1');
    assert.equal(r.choices[0]?.finish_reason, 'stop');
  });

  it('honours stop strings and max_tokens (finish_reason "length")', async () => {
    sim.setCompletion('one\ntwo\nthree');
    const stopped = await client.completions.create({ model: BASE, prompt: fimPrompt('', ''), max_tokens: 50, stop: ['\n'] });
    assert.equal(stopped.choices[0]?.text, 'one');
    assert.equal(stopped.choices[0]?.finish_reason, 'stop');
    const cut = await client.completions.create({ model: BASE, prompt: fimPrompt('', ''), max_tokens: 2 });
    assert.equal(cut.choices[0]?.finish_reason, 'length');
    assert.equal(cut.usage?.completion_tokens, 2);
  });

  it('streams chat deltas, role first', async () => {
    sim.setChat(({ lastUser }) => `You said: ${lastUser}`);
    const stream = await client.chat.completions.create({ model: INSTRUCT, messages: [{ role: 'user', content: 'hello' }], stream: true });
    let text = '';
    let role: string | undefined;
    let last: string | null = null;
    for await (const chunk of stream) {
      role ??= chunk.choices[0]?.delta.role;
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk.choices[0]?.finish_reason ?? last;
    }
    assert.equal(role, 'assistant');
    assert.equal(text, 'You said: hello');
    assert.equal(last, 'stop');
  });

  it('401 without the --api-key bearer, vLLM\'s {"error":"Unauthorized"}', async () => {
    sim.configure({ apiKey: 'team-key' });
    const e = await rejection(client.models.list());
    assert.ok(e instanceof AuthenticationError);
    assert.equal(e.status, 401);
    const ok = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'team-key', maxRetries: 0 });
    assert.equal((await ok.models.list()).data.length, 2);
  });

  it('404 for a model it does not serve, with vLLM\'s message', async () => {
    const e = await rejection(client.completions.create({ model: 'nope', prompt: 'x' }));
    assert.ok(e instanceof NotFoundError);
    assert.match(e.message, /The model `nope` does not exist/);
  });

  it('400 when the prompt and max_tokens exceed max_model_len', async () => {
    sim.configure({ models: [{ id: BASE, maxModelLen: 50 }] });
    const e = await rejection(client.completions.create({ model: BASE, prompt: 'word '.repeat(60), max_tokens: 10 }));
    assert.ok(e instanceof BadRequestError);
    assert.match(e.message, /This model's maximum context length is 50 tokens\. However, your request has \d+ input tokens/);
    sim.configure({ legacyContextError: true });
    const old = await rejection(client.completions.create({ model: BASE, prompt: 'word '.repeat(60), max_tokens: 10 }));
    assert.match(old.message, /This model's maximum context length is 50 tokens\. However, you requested \d+ tokens \(\d+ in the messages, 10 in the completion\)/);
  });

  it('the pre-0.10 flat error body reaches the client only as a raw body', async () => {
    sim.configure({ errorShape: 'flat' });
    // The one raw fetch on an OpenAI route: the client cannot show this body, which is the point.
    const raw = await fetch(`${sim.url}/v1/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'nope', prompt: 'x' }) });
    const body = (await raw.json()) as Record<string, unknown>;
    assert.equal(body.object, 'error');
    assert.equal(body.code, 404);
    // The client looks for an `error` key, so it cannot quote the message of this shape.
    const e = await rejection(client.completions.create({ model: 'nope', prompt: 'x' }));
    assert.ok(e instanceof NotFoundError);
    assert.doesNotMatch(e.message, /does not exist/);
  });

  it('continuous batching: requests decode together, each step slower, a full queue answers 503', async () => {
    sim.configure({ maxBatch: 2, maxQueue: 1, timing: { tokenMs: 5, batchSlowdown: 1 } });
    sim.setCompletion('a b c d e f g h');
    const one = client.completions.create({ model: BASE, prompt: 'p1', max_tokens: 20 });
    const two = client.completions.create({ model: BASE, prompt: 'p2', max_tokens: 20 });
    await sim.waitFor(() => sim.running === 2);
    assert.equal(sim.batch.stepMs(sim.settings.timing), 10, 'a decode step of two sequences takes twice as long');
    const three = client.completions.create({ model: BASE, prompt: 'p3', max_tokens: 20 });
    await sim.waitFor(() => sim.batch.queued === 1);
    const four = await rejection(client.completions.create({ model: BASE, prompt: 'p4', max_tokens: 20 }));
    assert.ok(four instanceof APIError);
    assert.equal(four.status, 503);
    await Promise.all([one, two, three]);
    assert.equal(sim.maxBatchSeen(), 2);
    const recs = sim.find({ endpoint: 'completions', finished: true }).filter((r) => r.status === 200);
    assert.equal(recs.length, 3);
    assert.equal(Math.max(...recs.map((r) => r.batchAtStart ?? 0)), 2);
  });

  it('a client that goes away aborts the generation', async () => {
    sim.configure({ timing: { tokenMs: 20 } });
    sim.setCompletion('a b c d e f g h i j k l m n o p');
    const ac = new AbortController();
    const stream = await client.completions.create({ model: BASE, prompt: 'x', max_tokens: 100, stream: true }, { signal: ac.signal });
    let n = 0;
    for await (const _ of stream) if (++n === 2) ac.abort();
    const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
    assert.equal(rec.aborted, true);
    assert.ok(rec.tokensSent < 16, `stopped early (${rec.tokensSent} tokens)`);
    await sim.waitForIdle();
  });

  it('faults: 500, a stream cut mid-answer, a stream that ends without [DONE], an error event, a refused port', async () => {
    sim.configure({ defaultGenerate: 'a b c d e f' });
    sim.addFault({ kind: 'status', status: 500, times: 1 });
    const e500 = await rejection(client.completions.create({ model: BASE, prompt: 'x' }));
    assert.ok(e500 instanceof APIError && e500.status === 500);

    sim.addFault({ kind: 'drop', after: 2, times: 1 });
    const cut = await client.completions.create({ model: BASE, prompt: 'x', stream: true, max_tokens: 50 });
    let got = '';
    const eCut = await rejection(
      (async () => {
        for await (const c of cut) got += c.choices[0]?.text ?? '';
      })(),
    );
    assert.equal(got, 'a b');
    assert.match(String(eCut.message), /terminated|socket|closed/i);

    sim.addFault({ kind: 'noDone', times: 1 });
    const quiet = await client.completions.create({ model: BASE, prompt: 'x', stream: true, max_tokens: 50 });
    const reasons: (string | null)[] = [];
    for await (const c of quiet) reasons.push(c.choices[0]?.finish_reason ?? null);
    assert.ok(reasons.length > 0 && reasons.every((r) => r === null), 'no finish_reason ever arrives');

    sim.addFault({ kind: 'errorEvent', after: 1, times: 1 });
    const broken = await client.completions.create({ model: BASE, prompt: 'x', stream: true, max_tokens: 50 });
    const eEvent = await rejection(
      (async () => {
        for await (const _ of broken);
      })(),
    );
    assert.ok(eEvent instanceof APIError);
    assert.match(eEvent.message, /EngineCore/);

    await sim.stop();
    const refused = await rejection(client.models.list());
    assert.ok(refused instanceof APIConnectionError);
    await sim.start();
  });

  it('stall holds the answer until the client gives up', async () => {
    sim.addFault({ kind: 'stall', times: 1 });
    const e = await rejection(client.completions.create({ model: BASE, prompt: 'x' }, { timeout: 100 }));
    assert.ok(e instanceof APIConnectionError);
    const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
    assert.equal(rec.aborted, true);
  });
});

describe('OpenAI-compatible simulator (llama.cpp flavour)', function () {
  const sim = new OpenAISimulator({ flavour: 'llamacpp', timing: { tokenMs: 1 } });
  let client: OpenAI;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  it('lists its one model as owned by llamacpp, and /health says ok', async () => {
    const page = await client.models.list();
    assert.equal(page.data[0]?.owned_by, 'llamacpp');
    const health = await fetch(`${sim.url}/health`);
    assert.deepEqual(await health.json(), { status: 'ok' });
  });

  it('/infill takes prefix, suffix and extra files and streams {content, stop} events', async () => {
    sim.addCompletionRule({ whenPrefixEndsWith: 'return ', answer: 'a + b;' });
    const res = await fetch(`${sim.url}/infill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input_prefix: 'def add(a, b):\n    return ', input_suffix: '\n', input_extra: [{ filename: 'util.py', text: 'X = 1\n' }], n_predict: 16, stream: true }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = (await res.text())
      .split('\n\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { content: string; stop: boolean; stop_type?: string });
    assert.equal(events.map((e) => e.content).join(''), 'a + b;');
    assert.equal(events.at(-1)?.stop, true);
    assert.equal(events.at(-1)?.stop_type, 'eos');
    const rec = await sim.waitForRequest({ endpoint: 'infill', finished: true });
    assert.match(rec.fim?.context ?? '', /<\|file_sep\|>util\.py\nX = 1\n/);
  });

  it('errors as {"error":{"code","message","type"}}', async () => {
    const res = await fetch(`${sim.url}/infill`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input_suffix: '' }) });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: { code: 400, message: '"input_prefix" is required', type: 'invalid_request_error' } });
    sim.configure({ apiKey: 'k' });
    const e = await rejection(client.completions.create({ model: 'any', prompt: 'x' }));
    assert.ok(e instanceof AuthenticationError);
    assert.match(e.message, /Invalid API Key/);
  });

  it('ignores the model name and rejects a prompt beyond the context', async () => {
    sim.configure({ models: [{ id: 'small.gguf', maxModelLen: 20 }] });
    const e = await rejection(client.completions.create({ model: 'whatever', prompt: 'word '.repeat(40) }));
    assert.ok(e instanceof BadRequestError);
    assert.equal((e as APIError).type, 'exceed_context_size_error');
    assert.match(e.message, /request \(\d+ tokens\) exceeds the available context size \(20 tokens\), try increasing it/);
  });
});
