// Conformance of the Ollama simulator, driven through the real `ollama` client (and plain fetch
// only where the client has no method, e.g. GET /). If the simulator drifts from what the client
// expects of Ollama, these fail.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Ollama } from 'ollama';
import { OllamaSimulator, PROFILES, type RequestRecord, type SimConfig } from './simulator';
import { countTokens, parseFim, parseGoDuration, tokenize } from './tokens';

const BASE = 'qwen2.5-coder:1.5b-base';
const INSTRUCT = 'qwen2.5-coder:1.5b-instruct';
const LONG = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

function fimPrompt(prefix: string, suffix: string): string {
  return `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
}

/** Collects a stream with the arrival time of each chunk. */
async function collect<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; times: number[] }> {
  const chunks: T[] = [];
  const times: number[] = [];
  for await (const c of stream) {
    chunks.push(c);
    times.push(performance.now());
  }
  return { chunks, times };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { status_code?: number; cause?: unknown }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

function causeCode(e: unknown): string | undefined {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if (typeof c === 'object' && c !== null && 'code' in c && typeof c.code === 'string') return c.code;
  }
  return undefined;
}

describe('Ollama simulator', function () {
  let sim: OllamaSimulator;
  let client: Ollama;

  beforeEach(async function () {
    sim = new OllamaSimulator({ timing: { loadMs: 20, tokenMs: 1, pullStepMs: 2 } });
    await sim.start();
    client = new Ollama({ host: sim.url });
  });

  afterEach(async function () {
    await sim.stop();
  });

  describe('server basics', function () {
    it('answers GET and HEAD / with "Ollama is running", and /api/version', async function () {
      const get = await fetch(`${sim.url}/`);
      assert.equal(get.status, 200);
      assert.equal(await get.text(), 'Ollama is running');
      const head = await fetch(`${sim.url}/`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal((await client.version()).version, PROFILES.current);
      const missing = await fetch(`${sim.url}/api/nothing`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), '404 page not found');
    });

    it('lists installed models with Ollama\'s fields', async function () {
      const { models } = await client.list();
      assert.deepEqual(models.map((m) => m.name).sort(), [BASE, INSTRUCT]);
      const m = models.find((x) => x.name === BASE)!;
      assert.equal(m.model, BASE);
      assert.match(m.digest, /^[0-9a-f]{64}$/);
      assert.ok(m.size > 900_000_000);
      assert.ok(!Number.isNaN(Date.parse(String(m.modified_at))));
      assert.deepEqual(m.details, { parent_model: '', format: 'gguf', family: 'qwen2', families: ['qwen2'], parameter_size: '1.5B', quantization_level: 'Q4_K_M' });
    });

    it('shows capabilities, context length and template; 404 for an unknown model', async function () {
      const base = await client.show({ model: BASE });
      assert.deepEqual(base.capabilities, ['completion', 'insert']);
      const info = base.model_info as unknown as Record<string, unknown>; // typed as Map by the client, JSON object on the wire
      assert.equal(info['general.architecture'], 'qwen2');
      assert.equal(info['qwen2.context_length'], 32768);
      assert.match(base.template, /<\|fim_prefix\|>/);
      assert.deepEqual((await client.show({ model: INSTRUCT })).capabilities, ['completion', 'tools']);

      sim.addModel({ name: 'custom:7b', capabilities: ['completion'], contextLength: 8192 });
      const custom = await client.show({ model: 'custom:7b' });
      assert.deepEqual(custom.capabilities, ['completion']);
      assert.equal((custom.model_info as unknown as Record<string, unknown>)['qwen2.context_length'], 8192);

      const e = await rejection(client.show({ model: 'nope:1b' }));
      assert.equal(e.name, 'ResponseError');
      assert.equal(e.status_code, 404);
      assert.equal(e.message, "model 'nope:1b' not found");
    });

    it('lists loaded models in /api/ps with size, size_vram, expires_at and context_length', async function () {
      sim.configure({ vramBytes: 1_000_000_000 });
      assert.deepEqual((await client.ps()).models, []);
      await client.generate({ model: BASE, prompt: 'hi', keep_alive: '10m', options: { num_ctx: 8192 } });
      const { models } = await client.ps();
      assert.equal(models.length, 1);
      const m = models[0]! as (typeof models)[number] & { context_length?: number };
      assert.equal(m.name, BASE);
      assert.equal(m.context_length, 8192);
      assert.ok(m.size > m.size_vram, 'part of the model is in system RAM with 1 GB of VRAM');
      assert.equal(m.size_vram, 1_000_000_000);
      const left = Date.parse(String(m.expires_at)) - Date.now();
      assert.ok(left > 9 * 60_000 && left <= 10 * 60_000, `expires in ${left} ms`);
    });
  });

  describe('generate', function () {
    it('streams chunks incrementally and ends with a complete done object', async function () {
      const words = LONG.split(' ').slice(0, 20).join(' ');
      sim.setTiming({ tokenMs: 6 });
      sim.setGenerate(words);
      const started = performance.now();
      const { chunks, times } = await collect(await client.generate({ model: BASE, prompt: 'Say words', stream: true }));
      const text = chunks.map((c) => c.response).join('');
      assert.equal(text, words);
      assert.ok(chunks.length > 20, `${chunks.length} chunks`);
      assert.ok(times[0]! - started < (times.at(-1)! - started) / 2, 'the first chunk arrives long before the last');
      const done = chunks.at(-1)! as unknown as Record<string, unknown>;
      assert.equal(done.done, true);
      assert.equal(done.done_reason, 'stop');
      assert.equal(done.response, '');
      assert.equal(done.model, BASE);
      for (const k of ['created_at', 'context', 'total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']) {
        assert.ok(done[k] !== undefined, `final object has ${k}`);
      }
      assert.equal(done.eval_count, chunks.length - 1);
      assert.ok((done.eval_duration as number) >= 6e6 * (chunks.length - 2), 'eval_duration in ns reflects the token delay');
      assert.ok((done.load_duration as number) >= 15e6, 'first use loads the model');
      const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
      assert.equal(rec.outcome, 'ok');
      assert.equal(rec.tokensSent, chunks.length - 1);
      assert.equal(rec.text, words);
      assert.ok(rec.firstTokenAt! <= rec.endedAt!);
    });

    it('answers stream:false with one object holding the whole response', async function () {
      sim.setGenerate('The answer is 42.');
      const r = await client.generate({ model: BASE, prompt: 'What is it?', stream: false });
      assert.equal(r.response, 'The answer is 42.');
      assert.equal(r.done, true);
      assert.equal(r.done_reason, 'stop');
      assert.ok(r.eval_count > 3);
      assert.ok(Array.isArray(r.context) && r.context.length > r.eval_count);
    });

    it('parses raw FIM prompts for answer functions and rules; raw answers carry no context', async function () {
      const seen: { prefix: string; suffix: string; fileContext: string }[] = [];
      sim.setCompletion(({ prefix, suffix, fileContext }) => {
        seen.push({ prefix, suffix, fileContext });
        return `/*${suffix.trim()}*/`;
      });
      sim.addCompletionRule({ whenPrefixEndsWith: 'function add(a, b) {\n  ', answer: 'return a + b;' });
      const add = await client.generate({ model: BASE, raw: true, prompt: fimPrompt('function add(a, b) {\n  ', '\n}'), stream: false });
      assert.equal(add.response, 'return a + b;');
      assert.equal(add.context, undefined);
      const other = await client.generate({ model: BASE, raw: true, prompt: `<|file_sep|>a.ts\nconst x = 1;\n${fimPrompt('let y = ', ';\nend')}`, stream: false });
      assert.equal(other.response, '/*;\nend*/');
      assert.deepEqual(seen, [{ prefix: 'let y = ', suffix: ';\nend', fileContext: '<|file_sep|>a.ts\nconst x = 1;\n' }]);
      const rec = sim.find({ endpoint: 'generate' }).at(-1)!;
      assert.deepEqual(rec.fim, { prefix: 'let y = ', suffix: ';\nend' });
    });

    it('treats prompt + suffix (templated FIM) as a completion for insert-capable models', async function () {
      sim.setCompletion(({ fim, prefix, suffix }) => (fim ? `[${prefix}|${suffix}]` : 'no'));
      const r = await client.generate({ model: BASE, prompt: 'a', suffix: 'b', stream: false });
      assert.equal(r.response, '[a|b]');
    });

    it('cuts at stop strings (not sent) and caps at num_predict with done_reason "length"', async function () {
      sim.setGenerate('line one\nline two\nline three');
      const stopped = await client.generate({ model: BASE, prompt: 'x', stream: false, options: { stop: ['\n'] } });
      assert.equal(stopped.response, 'line one');
      assert.equal(stopped.done_reason, 'stop');

      const capped = await collect(await client.generate({ model: BASE, prompt: 'x', stream: true, options: { num_predict: 3 } }));
      const done = capped.chunks.at(-1)!;
      assert.equal(done.done_reason, 'length');
      assert.equal(done.eval_count, 3);
      assert.equal(capped.chunks.length, 4);
      assert.equal(capped.chunks.map((c) => c.response).join(''), tokenize('line one\nline two\nline three').slice(0, 3).join(''));
    });

    it('streams exact chunks and per-answer speed when an answer gives them', async function () {
      sim.setGenerate({ chunks: ['```', 'ts\ncon', 'st a', ' = 1;\n`', '``'], tokenMs: 3 });
      const { chunks } = await collect(await client.generate({ model: BASE, prompt: 'x', stream: true }));
      assert.deepEqual(
        chunks.slice(0, -1).map((c) => c.response),
        ['```', 'ts\ncon', 'st a', ' = 1;\n`', '``'],
      );
    });

    it('loads on an empty prompt (done_reason "load"), unloads with keep_alive 0', async function () {
      const load = await client.generate({ model: BASE, prompt: '', stream: false });
      assert.equal(load.done, true);
      assert.equal(load.done_reason, 'load');
      assert.equal(load.response, '');
      assert.ok(sim.isLoaded(BASE));
      assert.deepEqual((await client.ps()).models.map((m) => m.name), [BASE]);

      const unload = await client.generate({ model: BASE, prompt: '', keep_alive: 0, stream: false });
      assert.equal(unload.done_reason, 'unload');
      assert.equal(sim.isLoaded(BASE), false);
    });

    it('reloads after keep_alive expiry and when num_ctx changes; warm requests skip the load', async function () {
      sim.setTiming({ loadMs: 60 });
      const first = await client.generate({ model: BASE, prompt: 'a', stream: false, keep_alive: '300ms' });
      assert.ok(first.load_duration >= 50e6, `cold load ${first.load_duration}`);
      const warm = await client.generate({ model: BASE, prompt: 'b', stream: false });
      assert.ok(warm.load_duration < 30e6, `warm ${warm.load_duration}`);
      const resized = await client.generate({ model: BASE, prompt: 'c', stream: false, keep_alive: 0.05, options: { num_ctx: 8192 } });
      assert.ok(resized.load_duration >= 50e6, 'a different num_ctx reloads the model');
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(sim.isLoaded(BASE), false, 'keep_alive of 0.05 s expired');
      const again = await client.generate({ model: BASE, prompt: 'd', stream: false });
      assert.ok(again.load_duration >= 50e6);
    });

    it('evaluates only the uncached part of a prompt that repeats the previous one, but counts all of it', async function () {
      const prompt = 'const a = 1;\n'.repeat(50);
      const cold = await client.generate({ model: BASE, raw: true, prompt, stream: false });
      assert.equal(cold.prompt_eval_count, countTokens(prompt));
      const next = `${prompt}const b = 2;\n`;
      const warm = await client.generate({ model: BASE, raw: true, prompt: next, stream: false });
      // runner/llamarunner/runner.go `NewSequence`: prompt_eval_count is every prompt token, cached or not.
      assert.equal(warm.prompt_eval_count, countTokens(next));
      const rec = sim.find({ endpoint: 'generate' }).at(-1)!;
      assert.ok(rec.promptEvaluated! < 15, `only the new tail is evaluated (${rec.promptEvaluated})`);
    });

    it('rejects what Ollama rejects, with its status codes and texts', async function () {
      const notFound = await rejection(client.generate({ model: 'qwen2.5-coder:99b', prompt: 'x' }));
      assert.equal(notFound.name, 'ResponseError');
      assert.equal(notFound.status_code, 404);
      assert.equal(notFound.message, "model 'qwen2.5-coder:99b' not found");

      const insert = await rejection(client.generate({ model: INSTRUCT, prompt: 'a', suffix: 'b' }));
      assert.equal(insert.status_code, 400);
      assert.equal(insert.message, `registry.ollama.ai/library/${INSTRUCT} does not support insert`);

      const raw = await rejection(client.generate({ model: BASE, prompt: 'a', raw: true, system: 'be brief' }));
      assert.equal(raw.status_code, 400);
      assert.equal(raw.message, 'raw mode does not support template, system, or context');

      const keepAlive = await rejection(client.generate({ model: BASE, prompt: 'a', keep_alive: '-1' }));
      assert.equal(keepAlive.status_code, 400);
      assert.equal(keepAlive.message, 'time: missing unit in duration "-1"');

      const option = await rejection(client.generate({ model: BASE, prompt: 'a', options: { num_predict: '3' as unknown as number } }));
      assert.equal(option.status_code, 500);
      assert.equal(option.message, 'option "num_predict" must be of type integer');
    });
  });

  describe('chat', function () {
    it('streams assistant messages and answers by rule or function', async function () {
      sim.addChatRule({ whenLastUserIncludes: 'explain', answer: 'It adds two numbers.' });
      sim.setChat(({ lastUser, system }) => `echo: ${lastUser} (${system})`);
      const { chunks } = await collect(
        await client.chat({
          model: INSTRUCT,
          stream: true,
          messages: [
            { role: 'system', content: 'sys' },
            { role: 'user', content: 'hello there' },
          ],
        }),
      );
      assert.ok(chunks.length > 3);
      for (const c of chunks.slice(0, -1)) {
        assert.equal(c.message.role, 'assistant');
        assert.equal(c.done, false);
      }
      assert.equal(chunks.map((c) => c.message.content).join(''), 'echo: hello there (sys)');
      const done = chunks.at(-1)!;
      assert.equal(done.done, true);
      assert.equal(done.done_reason, 'stop');
      assert.equal(done.message.content, '');
      assert.ok(done.prompt_eval_count > 5 && done.eval_count === chunks.length - 1);

      const ruled = await client.chat({ model: INSTRUCT, stream: false, messages: [{ role: 'user', content: 'please explain add' }] });
      assert.deepEqual(ruled.message, { role: 'assistant', content: 'It adds two numbers.' });
      assert.equal(ruled.done, true);
    });

    it('loads on empty messages and 404s an unknown model', async function () {
      const load = await client.chat({ model: INSTRUCT, messages: [], stream: false });
      assert.equal(load.done_reason, 'load');
      assert.deepEqual(load.message, { role: 'assistant', content: '' });
      const e = await rejection(client.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
      assert.equal(e.status_code, 404);
      assert.equal(e.message, "model 'nope' not found");
    });
  });

  describe('aborts reach the server', function () {
    it('records AbortableAsyncIterator.abort() as an abort, with the tokens sent so far', async function () {
      sim.setTiming({ tokenMs: 10 });
      sim.setGenerate(LONG);
      const stream = await client.generate({ model: BASE, prompt: 'x', stream: true });
      let received = 0;
      const e = await rejection(
        (async () => {
          for await (const c of stream) {
            if (c.response) received++;
            if (received === 3) stream.abort();
          }
        })(),
      );
      assert.equal(e.name, 'AbortError');
      const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
      assert.equal(rec.aborted, true);
      assert.equal(rec.outcome, 'aborted');
      assert.ok(rec.tokensSent >= 3 && rec.tokensSent < 10, `stopped generating at ${rec.tokensSent}`);
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(rec.tokensSent < 10, 'no tokens after the abort');
      assert.equal(sim.inFlight, 0);
    });

    it('records an abort through a custom fetch whose signal is aborted', async function () {
      sim.setTiming({ tokenMs: 10 });
      sim.setChat(LONG);
      const ac = new AbortController();
      const aborting = new Ollama({ host: sim.url, fetch: (input, init) => fetch(input, { ...init, signal: ac.signal }) });
      const stream = await aborting.chat({ model: INSTRUCT, stream: true, messages: [{ role: 'user', content: 'go' }] });
      let n = 0;
      const e = await rejection(
        (async () => {
          for await (const _ of stream) if (++n === 2) ac.abort();
        })(),
      );
      assert.equal(e.name, 'AbortError');
      const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
      assert.equal(rec.aborted, true);
      assert.ok(rec.tokensSent >= 2 && rec.tokensSent < 8);
    });

    it('drops a queued request whose client gives up before it starts', async function () {
      sim.setTiming({ tokenMs: 10 });
      sim.setGenerate(LONG);
      const first = await client.generate({ model: BASE, prompt: 'first', stream: true });
      const consumeFirst = collect(first);
      const ac = new AbortController();
      const queued = new Ollama({ host: sim.url, fetch: (input, init) => fetch(input, { ...init, signal: ac.signal }) });
      const second = queued.generate({ model: BASE, prompt: 'second', stream: true });
      await sim.waitFor(() => sim.inFlight === 2);
      ac.abort();
      assert.equal((await rejection(second)).name, 'AbortError');
      const rec = await sim.waitForRequest((r) => r.body?.prompt === 'second' && r.endedAt !== undefined);
      assert.equal(rec.aborted, true);
      assert.equal(rec.startedAt, undefined, 'never left the queue');
      assert.equal(rec.tokensSent, 0);
      first.abort();
      await consumeFirst.catch(() => undefined);
    });
  });

  describe('Ollama-like scheduling', function () {
    it('runs two concurrent generations on one model one after the other', async function () {
      sim.setTiming({ tokenMs: 3 });
      sim.setGenerate('one two three four five six');
      const [a, b] = await Promise.all([
        client.generate({ model: BASE, prompt: 'a', stream: false }),
        client.generate({ model: BASE, prompt: 'b', stream: false }),
      ]);
      assert.equal(a.response, b.response);
      const [ra, rb] = sim.find({ endpoint: 'generate' }) as [RequestRecord, RequestRecord];
      assert.ok(rb.startedAt! >= ra.endedAt! - 1, 'the second starts when the first has finished');
      assert.equal(sim.maxConcurrentGenerations(), 1);
      assert.equal(sim.maxConcurrentGenerations(BASE), 1);
      assert.equal(sim.maxConcurrentRequests(), 2);
    });

    it('runs different models side by side, and honours numParallel', async function () {
      sim.setTiming({ tokenMs: 3 });
      sim.setGenerate('one two three four five six');
      await Promise.all([client.generate({ model: BASE, prompt: 'a' }), client.generate({ model: INSTRUCT, prompt: 'b' })]);
      assert.equal(sim.maxConcurrentGenerations(), 2);
      assert.equal(sim.maxConcurrentGenerations(BASE), 1);
      sim.configure({ numParallel: 2 });
      await Promise.all([client.generate({ model: BASE, prompt: 'a' }), client.generate({ model: BASE, prompt: 'b' })]);
      assert.equal(sim.maxConcurrentGenerations(BASE), 2);
    });
  });

  describe('faults', function () {
    it('answers 500 and 503 with Ollama error bodies, one-shot or persistent', async function () {
      sim.addFault({ kind: 'status', status: 503, times: 1 });
      const busy = await rejection(client.generate({ model: BASE, prompt: 'x' }));
      assert.equal(busy.status_code, 503);
      assert.equal((await client.generate({ model: BASE, prompt: 'x' })).done, true, 'one-shot fault is spent');

      const fault = sim.addFault({ kind: 'status', status: 500, error: 'boom', endpoint: 'chat' });
      for (let i = 0; i < 2; i++) {
        const e = await rejection(client.chat({ model: INSTRUCT, messages: [{ role: 'user', content: 'x' }] }));
        assert.equal(e.status_code, 500);
        assert.equal(e.message, 'boom');
      }
      assert.equal(fault.hits, 2);
      assert.equal((await client.generate({ model: BASE, prompt: 'x' })).done, true, 'the chat fault leaves generate alone');
      fault.remove();
      assert.equal((await client.chat({ model: INSTRUCT, messages: [{ role: 'user', content: 'x' }] })).done, true);
    });

    it('sends an {"error"} line mid-stream with status 200', async function () {
      sim.setGenerate(LONG);
      sim.addFault({ kind: 'errorLine', after: 4, error: 'model runner crashed' });
      const stream = await client.generate({ model: BASE, prompt: 'x', stream: true });
      let got = 0;
      const e = await rejection(
        (async () => {
          for await (const _ of stream) got++;
        })(),
      );
      assert.equal(e.message, 'model runner crashed');
      assert.equal(got, 4);
      const rec = sim.find({ endpoint: 'generate' })[0]!;
      assert.equal(rec.status, 200);
      assert.equal(rec.outcome, 'error');
      assert.deepEqual(rec.faults, ['errorLine']);
    });

    it('sends a malformed line mid-stream (the client skips it with a warning)', async function () {
      sim.setGenerate('alpha beta gamma');
      sim.addFault({ kind: 'malformedLine', after: 1, line: '{"response": "trunc' });
      const warnings: unknown[][] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void warnings.push(args);
      try {
        const { chunks } = await collect(await client.generate({ model: BASE, prompt: 'x', stream: true }));
        assert.equal(chunks.map((c) => c.response).join(''), 'alpha beta gamma');
      } finally {
        console.warn = warn;
      }
      assert.deepEqual(warnings, [['invalid json: ', '{"response": "trunc']]);
    });

    it('drops the connection after N tokens', async function () {
      sim.setGenerate(LONG);
      sim.addFault({ kind: 'drop', after: 5 });
      const stream = await client.generate({ model: BASE, prompt: 'x', stream: true });
      let got = 0;
      const e = await rejection(
        (async () => {
          for await (const _ of stream) got++;
        })(),
      );
      assert.equal(e.name, 'TypeError');
      assert.equal(got, 5);
      const rec = sim.find({ endpoint: 'generate' })[0]!;
      assert.equal(rec.outcome, 'dropped');
      assert.equal(rec.aborted, false);
      assert.equal(rec.tokensSent, 5);
    });

    it('resets the connection before any response', async function () {
      sim.addFault({ kind: 'reset', endpoint: 'tags', times: 1 });
      const e = await rejection(client.list());
      assert.equal(e.name, 'TypeError');
      assert.equal((await client.list()).models.length, 2);
    });

    it('stalls before the first byte, for a while or until the client gives up', async function () {
      sim.addFault({ kind: 'stall', ms: 150, times: 1 });
      const t = performance.now();
      await client.generate({ model: BASE, prompt: 'x', stream: true });
      assert.ok(performance.now() - t >= 140, 'headers came after the stall');

      sim.addFault({ kind: 'stall', endpoint: 'chat' });
      const impatient = new Ollama({ host: sim.url, fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(100) }) });
      const e = await rejection(impatient.chat({ model: INSTRUCT, messages: [{ role: 'user', content: 'x' }], stream: true }));
      assert.equal(e.name, 'TimeoutError');
      const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
      assert.equal(rec.aborted, true);
      assert.equal(rec.status, undefined, 'no headers were ever sent');
    });

    it('streams without end on "endless", ignoring num_predict, until the client leaves', async function () {
      sim.addFault({ kind: 'endless' });
      const stream = await client.generate({ model: BASE, prompt: 'x', stream: true, options: { num_predict: 5 } });
      let got = 0;
      await rejection(
        (async () => {
          for await (const _ of stream) if (++got === 40) stream.abort();
        })(),
      );
      const rec = await sim.waitForRequest({ endpoint: 'generate', finished: true });
      assert.equal(rec.aborted, true);
      assert.ok(rec.tokensSent >= 40);
    });

    it('loads slowly on "slowLoad"', async function () {
      sim.addFault({ kind: 'slowLoad', ms: 200, times: 1 });
      const r = await client.generate({ model: BASE, prompt: 'x', stream: false });
      assert.ok(r.load_duration >= 190e6, `load_duration ${r.load_duration}`);
    });

    it('demands an API key when configured (a proxy in front of Ollama)', async function () {
      sim.configure({ apiKey: 'secret' });
      assert.equal((await rejection(client.list())).status_code, 401);
      const keyed = new Ollama({ host: sim.url, headers: { Authorization: 'Bearer secret' } });
      assert.equal((await keyed.list()).models.length, 2);
      assert.equal(sim.requests.at(-1)!.headers.authorization, 'Bearer secret');
    });
  });

  describe('pull', function () {
    it('streams manifest, layer progress, verification and success; then the model is installed', async function () {
      const { chunks } = await collect(await client.pull({ model: 'qwen2.5-coder:0.5b-base', stream: true }));
      const statuses = chunks.map((c) => c.status);
      assert.equal(statuses[0], 'pulling manifest');
      assert.deepEqual(statuses.slice(-3), ['verifying sha256 digest', 'writing manifest', 'success']);
      const weights = chunks.filter((c) => c.total > 100_000_000);
      assert.ok(weights.length >= 4, 'several progress steps for the weights');
      assert.match(weights[0]!.status, /^pulling [0-9a-f]{12}$/);
      assert.equal(weights[0]!.digest.slice(7, 19), weights[0]!.status.slice(8));
      const completed = weights.map((c) => c.completed ?? 0);
      assert.deepEqual(completed, [...completed].sort((a, b) => a - b));
      assert.equal(completed.at(-1), weights[0]!.total);
      assert.ok((await client.list()).models.some((m) => m.name === 'qwen2.5-coder:0.5b-base'));
    });

    it('fails an unknown tag like Ollama, streamed and not', async function () {
      const stream = await client.pull({ model: 'qwen2.5-coder:nope', stream: true });
      const statuses: string[] = [];
      const e = await rejection(
        (async () => {
          for await (const c of stream) statuses.push(c.status);
        })(),
      );
      assert.deepEqual(statuses, ['pulling manifest']);
      assert.equal(e.message, 'pull model manifest: file does not exist');
      const flat = await rejection(client.pull({ model: 'qwen2.5-coder:nope', stream: false }));
      assert.equal(flat.status_code, 500);
      assert.equal(flat.message, 'pull model manifest: file does not exist');
      const ok = await client.pull({ model: 'qwen2.5-coder:3b-base', stream: false });
      assert.equal(ok.status, 'success');
    });

    it('resumes an aborted pull from the bytes already downloaded', async function () {
      const model = 'qwen2.5-coder:7b-base';
      sim.setTiming({ pullStepMs: 10, pullSteps: 10 });
      const first = await client.pull({ model, stream: true });
      let lastCompleted = 0;
      await rejection(
        (async () => {
          for await (const c of first) {
            lastCompleted = c.completed ?? 0;
            if (lastCompleted > 0 && lastCompleted >= c.total * 0.3) first.abort();
          }
        })(),
      );
      const pullRec = await sim.waitForRequest({ endpoint: 'pull', finished: true });
      assert.equal(pullRec.aborted, true);
      const saved = sim.downloadedBytes(model);
      assert.ok(saved >= lastCompleted && saved > 0);
      assert.ok(!(await client.list()).models.some((m) => m.name === model));

      const { chunks } = await collect(await client.pull({ model, stream: true }));
      const resumed = chunks.find((c) => c.total > 1_000_000)!;
      assert.equal(resumed.completed, saved, 'the weights layer starts where the aborted pull stopped');
      assert.equal(chunks.at(-1)!.status, 'success');
      assert.ok((await client.list()).models.some((m) => m.name === model));
    });
  });

  describe('restart', function () {
    it('refuses connections while stopped and comes back on the same port; streams in flight are cut', async function () {
      const port = sim.port;
      sim.setTiming({ tokenMs: 10 });
      sim.setGenerate(LONG);
      const stream = await client.generate({ model: BASE, prompt: 'x', stream: true });
      const consuming = collect(stream);
      await sim.waitFor(() => sim.requests.some((r) => r.tokensSent >= 2));
      await sim.stop();
      assert.equal((await rejection(consuming)).name, 'TypeError');
      const killed = sim.find({ endpoint: 'generate' })[0]!;
      assert.equal(killed.outcome, 'killed');
      assert.equal(killed.aborted, false);

      const refused = await rejection(client.version());
      assert.equal(causeCode(refused), 'ECONNREFUSED');
      assert.equal(sim.isLoaded(BASE), false);

      await sim.start();
      assert.equal(sim.port, port);
      assert.equal((await client.version()).version, PROFILES.current);
      await sim.restart(30);
      assert.equal(sim.port, port);
      assert.equal((await client.list()).models.length, 2);
    });
  });

  describe('helpers', function () {
    it('tokenizes deterministically and losslessly', function () {
      const text = 'function add(a, b) {\n  return a + b; // über 1234567 ✓\n}\n\n';
      const pieces = tokenize(text);
      assert.equal(pieces.join(''), text);
      assert.deepEqual(tokenize(text), pieces);
      assert.ok(pieces.length >= text.length / 6 && pieces.length <= text.length / 1.5);
      assert.deepEqual(tokenize(''), []);
    });

    it('parses FIM prompts and Go durations', function () {
      assert.deepEqual(parseFim('ctx<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>'), { context: 'ctx', prefix: 'a', suffix: 'b' });
      assert.equal(parseFim('plain prompt'), undefined);
      assert.equal(parseGoDuration('30m'), 1_800_000);
      assert.equal(parseGoDuration('1h30m'), 5_400_000);
      assert.equal(parseGoDuration('1.5s'), 1500);
      assert.equal(parseGoDuration('0'), 0);
      assert.throws(() => parseGoDuration('-1'), /missing unit/);
      assert.throws(() => parseGoDuration('5 minutes'), /unknown unit/);
    });

    it('resets to the constructor configuration', async function () {
      sim.addModel('extra:1b');
      sim.addFault({ kind: 'status', status: 500 });
      await rejection(client.generate({ model: BASE, prompt: 'x' }));
      sim.reset();
      assert.equal(sim.requests.length, 0);
      assert.deepEqual(sim.faults(), []);
      assert.deepEqual((await client.list()).models.map((m) => m.name).sort(), [BASE, INSTRUCT]);
    });
  });
});

describe('Ollama simulator CLI', function () {
  this.timeout(20_000);
  let child: ChildProcess;
  let url: string;
  let controlUrl: string;

  const control = async (path: string, init?: { method?: string; body?: unknown }) => {
    const res = await fetch(`${controlUrl}${path}`, {
      method: init?.method ?? (init?.body !== undefined ? 'POST' : 'GET'),
      ...(init?.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    assert.equal(res.status, 200, `${path} → ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };

  before(async function () {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-sim-'));
    const config: SimConfig = {
      models: [{ name: 'qwen2.5-coder:0.5b-base' }],
      timing: { loadMs: 5, tokenMs: 1 },
      completions: [{ whenPrefixEndsWith: 'function add(a, b) {\n  ', answer: 'return a + b;' }],
      defaultCompletion: 'fallback',
    };
    const configPath = join(dir, 'sim.json');
    writeFileSync(configPath, JSON.stringify(config));
    // Run from the repository root (as mocha is): works whether this file loads as CommonJS or ESM.
    const cli = join(process.cwd(), 'test', 'sim', 'cli.ts');
    child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`simulator CLI exited with ${code}`)));
    });
    ({ url, controlUrl } = JSON.parse(first) as { url: string; controlUrl: string });
  });

  after(async function () {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('serves the configured models and rules to the ollama client', async function () {
    const client = new Ollama({ host: url });
    assert.deepEqual((await client.list()).models.map((m) => m.name), ['qwen2.5-coder:0.5b-base']);
    const r = await client.generate({ model: 'qwen2.5-coder:0.5b-base', raw: true, prompt: fimPrompt('function add(a, b) {\n  ', '\n}'), stream: false });
    assert.equal(r.response, 'return a + b;');
  });

  it('is steered through the control API: config, faults, log, offline/online', async function () {
    const client = new Ollama({ host: url });
    await control('/config', { body: { chatAnswer: 'from control', models: [{ name: 'qwen2.5-coder:1.5b-instruct' }] } });
    const chat = await client.chat({ model: 'qwen2.5-coder:1.5b-instruct', messages: [{ role: 'user', content: 'hi' }], stream: false });
    assert.equal(chat.message.content, 'from control');

    await control('/faults', { body: { kind: 'status', status: 503, times: 1 } });
    assert.equal((await rejection(client.chat({ model: 'qwen2.5-coder:1.5b-instruct', messages: [{ role: 'user', content: 'x' }] }))).status_code, 503);

    const { requests } = (await control('/log')) as { requests: RequestRecord[] };
    assert.deepEqual(
      requests.filter((r) => r.endpoint === 'chat').map((r) => r.status),
      [200, 503],
    );
    // The same API answers under /__sim/ on the Ollama port.
    const viaOllamaPort = await fetch(`${url}/__sim/stats`);
    assert.equal(((await viaOllamaPort.json()) as { maxConcurrentGenerations: number }).maxConcurrentGenerations, 1);

    await control('/offline', { body: {} });
    // A kept-alive connection the server cut may fail first as "other side closed" (UND_ERR_SOCKET)
    // or a reset, exactly as with a killed Ollama; a fresh connection is refused.
    assert.match(causeCode(await rejection(client.version())) ?? '', /^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/);
    assert.equal(causeCode(await rejection(client.version())), 'ECONNREFUSED');
    await control('/online', { body: {} });
    assert.equal((await client.version()).version, PROFILES.current);

    await control('/offline', { body: { ms: 100 } });
    assert.match(causeCode(await rejection(client.version())) ?? '', /^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await client.version()).version, PROFILES.current);

    await control('/reset', { body: {} });
    assert.deepEqual((await client.list()).models.map((m) => m.name), ['qwen2.5-coder:0.5b-base']);
  });
});
