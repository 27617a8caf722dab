// Conformance of the simulator with what real Ollama does where the product feels it (issue 14):
// loads owned by the request that started them, eviction, the load queue, version-dependent
// behaviour, and the smaller points. Each test names the Ollama source it follows; it is driven
// through the official `ollama` client only.

import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { OllamaSimulator, PROFILES, behaviourOf, versionAtLeast } from './simulator';
import { countTokens } from './tokens';

const BASE = 'qwen2.5-coder:1.5b-base';
const INSTRUCT = 'qwen2.5-coder:1.5b-instruct';
const GB = 1024 ** 3;

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { status_code?: number }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** A client whose requests all end when `ac` aborts (as the extension cancels a completion). */
function abortableClient(sim: OllamaSimulator, ac: AbortController): Ollama {
  return new Ollama({ host: sim.url, fetch: (input, init) => fetch(input, { ...init, signal: ac.signal }) });
}

describe('Ollama simulator: behaves as real Ollama does (issue 14)', function () {
  let sim: OllamaSimulator;
  let client: Ollama;

  beforeEach(async function () {
    sim = new OllamaSimulator({ timing: { loadMs: 20, tokenMs: 1 } });
    await sim.start();
    client = new Ollama({ host: sim.url });
  });

  afterEach(async function () {
    await sim.stop();
  });

  describe('a cancelled request cancels the load it started', function () {
    // server/sched.go `load`: `llama.WaitUntilRunning(req.ctx)` fails when the requesting client
    // goes away (llm/server.go: "client connection closed before server finished loading,
    // aborting load") and the runner is sent to expiredCh.
    it('aborts the load and expires the runner; the next request loads from scratch', async function () {
      sim.setTiming({ loadMs: 800 });
      const ac = new AbortController();
      const pending = abortableClient(sim, ac).generate({ model: BASE, prompt: 'x', stream: false });
      await sim.waitFor(() => sim.modelEvents.some((e) => e.kind === 'loadStart'));
      ac.abort();
      assert.equal((await rejection(pending)).name, 'AbortError');
      await sim.waitFor(() => sim.modelEvents.some((e) => e.kind === 'loadAborted'));
      assert.equal(sim.isLoaded(BASE), false);
      assert.deepEqual((await client.ps()).models, []);
      const next = await client.generate({ model: BASE, prompt: 'y', stream: false });
      assert.ok(next.load_duration >= 700e6, `a full load again (${next.load_duration / 1e6} ms)`);
      assert.equal(sim.loadCount(BASE), 1);
    });

    it('aborts a warm-up load (empty prompt) the same way', async function () {
      sim.setTiming({ loadMs: 800 });
      const ac = new AbortController();
      const warm = abortableClient(sim, ac).generate({ model: BASE, prompt: '', stream: false });
      await sim.waitFor(() => sim.modelEvents.some((e) => e.kind === 'loadStart'));
      ac.abort();
      await rejection(warm);
      await sim.waitFor(() => sim.modelEvents.some((e) => e.kind === 'loadAborted'));
      assert.equal(sim.isLoaded(BASE), false);
    });

    it('finishes a load whose starter stays, even when another request waiting for it leaves', async function () {
      sim.setTiming({ loadMs: 800 });
      const starter = client.generate({ model: BASE, prompt: '', stream: false });
      await sim.waitFor(() => sim.modelEvents.some((e) => e.kind === 'loadStart'));
      const ac = new AbortController();
      const waiter = abortableClient(sim, ac).generate({ model: BASE, prompt: 'x', stream: false });
      await sim.waitFor(() => sim.inFlight === 2);
      ac.abort();
      await rejection(waiter);
      assert.equal((await starter).done_reason, 'load');
      assert.ok(sim.isLoaded(BASE));
      assert.equal(sim.modelEvents.filter((e) => e.kind === 'loadAborted').length, 0);
    });
  });

  describe('eviction (VRAM and OLLAMA_MAX_LOADED_MODELS)', function () {
    // server/sched.go `processPending` → `findRunnerToUnload`: when the new model does not fit
    // next to the loaded ones, an idle runner is expired first; the choice is by keep_alive
    // duration, shortest first, then by model path (`ByDurationAndName`), not by last use.
    const SEVEN_BASE = 'qwen2.5-coder:7b-base';
    const SEVEN = 'qwen2.5-coder:7b-instruct';

    it('unloads the idle model when the next one does not fit in 8 GB of VRAM', async function () {
      sim.configure({ vramBytes: 8 * GB, models: [{ name: SEVEN_BASE }, { name: SEVEN }] });
      await client.generate({ model: SEVEN_BASE, prompt: 'a', stream: false });
      await client.chat({ model: SEVEN, messages: [{ role: 'user', content: 'hi' }], stream: false });
      assert.deepEqual((await client.ps()).models.map((m) => m.name), [SEVEN]);
      await client.generate({ model: SEVEN_BASE, prompt: 'b', stream: false });
      assert.deepEqual((await client.ps()).models.map((m) => m.name), [SEVEN_BASE]);
      assert.equal(sim.modelEvents.filter((e) => e.kind === 'evicted').length, 2);
      assert.equal(sim.loadCount(), 3, 'every switch reloads on 8 GB with two 7B models');
    });

    it('keeps both when they fit, and honours OLLAMA_MAX_LOADED_MODELS', async function () {
      sim.configure({ vramBytes: 8 * GB });
      await client.generate({ model: BASE, prompt: 'a', stream: false });
      await client.chat({ model: INSTRUCT, messages: [{ role: 'user', content: 'hi' }], stream: false });
      assert.equal((await client.ps()).models.length, 2, 'two 1.5B models fit in 8 GB');
      sim.configure({ maxLoadedModels: 1 });
      await client.generate({ model: BASE, prompt: 'b', stream: false, options: { num_ctx: 2048 } });
      assert.deepEqual((await client.ps()).models.map((m) => m.name), [BASE]);
    });

    it('evicts the runner with the shortest keep_alive first, not the least recently used', async function () {
      sim.configure({ maxLoadedModels: 2, models: [{ name: BASE }, { name: INSTRUCT }, { name: 'qwen2.5-coder:0.5b-base' }] });
      await client.generate({ model: BASE, prompt: 'a', stream: false, keep_alive: '1m' });
      await client.generate({ model: INSTRUCT, prompt: 'b', stream: false, keep_alive: '30m' });
      await client.generate({ model: BASE, prompt: 'c', stream: false }); // most recent use; keeps its 1m
      await client.generate({ model: 'qwen2.5-coder:0.5b-base', prompt: 'd', stream: false });
      const loaded = (await client.ps()).models.map((m) => m.name).sort();
      assert.deepEqual(loaded, ['qwen2.5-coder:0.5b-base', INSTRUCT]);
    });

    it('waits for a busy runner to finish before unloading it', async function () {
      sim.configure({ maxLoadedModels: 1, timing: { tokenMs: 10 } });
      sim.setGenerate('one two three four five six seven eight');
      const busy = client.generate({ model: BASE, prompt: 'a', stream: false });
      await sim.waitFor(() => sim.find({ endpoint: 'generate' })[0]?.firstTokenAt);
      const other = await client.chat({ model: INSTRUCT, messages: [{ role: 'user', content: 'hi' }], stream: false });
      const first = await busy;
      assert.equal(first.response, 'one two three four five six seven eight', 'the busy generation was not cut');
      assert.equal(other.done, true);
      assert.deepEqual(sim.loadedModels(), [INSTRUCT]);
    });
  });

  describe('the load queue (OLLAMA_MAX_QUEUE)', function () {
    // server/sched.go `GetRunner`: only the scheduler's pendingReqCh is bounded; a request that
    // has its runner waits on the runner's semaphore (llm/server.go `Completion`) without limit.
    it('answers 503 "server busy" only when too many requests wait for a load', async function () {
      sim.configure({ maxQueue: 2, timing: { loadMs: 600 } });
      const cold = await Promise.allSettled([0, 1, 2].map((i) => client.generate({ model: BASE, prompt: `p${i}`, stream: false })));
      const rejected = cold.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(rejected.length, 1);
      assert.equal((rejected[0]!.reason as { status_code?: number }).status_code, 503);
      assert.equal((rejected[0]!.reason as Error).message, 'server busy, please try again.  maximum pending requests exceeded');

      // Warm: many requests queue for the one generation slot, none is refused.
      const warm = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => client.generate({ model: BASE, prompt: `w${i}`, stream: false })));
      assert.ok(warm.every((r) => r.status === 'fulfilled'));
    });
  });

  describe('errors before the first token, by version', function () {
    // server/routes.go `streamResponse`: from v0.12.6 an error with nothing written yet is sent as
    // its HTTP status with a JSON body; before, the stream had answered 200 and the error is a line.
    it('current: an HTTP status with a JSON body', async function () {
      sim.configure({ profile: 'current' });
      sim.addFault({ kind: 'errorLine', after: 0, error: 'llama runner process has terminated: exit status 2' });
      const e = await rejection(client.generate({ model: BASE, prompt: 'x', stream: true }));
      assert.equal(e.status_code, 500);
      assert.equal(e.message, 'llama runner process has terminated: exit status 2');
    });

    it('old: 200, then an {"error"} line', async function () {
      sim.configure({ profile: 'old' });
      sim.addFault({ kind: 'errorLine', after: 0, error: 'llama runner process has terminated: exit status 2' });
      const stream = await client.generate({ model: BASE, prompt: 'x', stream: true });
      const e = await rejection((async () => { for await (const _ of stream) void _; })());
      assert.equal(e.message, 'llama runner process has terminated: exit status 2');
      assert.equal(sim.find({ endpoint: 'generate' })[0]!.status, 200);
    });
  });

  describe('a streamed chat with tools, by version', function () {
    // server/routes.go ChatHandler: from v0.8.0 a tools.Parser streams the content and the calls;
    // at v0.6.5 (and v0.7.1) "Streaming tool calls" buffered the content: a chunk only for a
    // recognised call (dropping the text before it), the rest with the final chunk.
    const tools = [{ type: 'function', function: { name: 'read_file', description: 'read', parameters: { type: 'object', properties: {} } } }];
    async function contentChunks(): Promise<{ streamed: string[]; final: string }> {
      sim.setChat('one two three four five six seven');
      const stream = await client.chat({ model: INSTRUCT, messages: [{ role: 'user', content: 'hi' }], tools, stream: true });
      const streamed: string[] = [];
      let final = '';
      for await (const part of stream) {
        if (part.done) final = part.message.content;
        else if (part.message.content) streamed.push(part.message.content);
      }
      return { streamed, final };
    }

    it('current: the content streams', async function () {
      sim.configure({ profile: 'current' });
      const { streamed, final } = await contentChunks();
      assert.ok(streamed.length > 3);
      assert.equal(streamed.join('') + final, 'one two three four five six seven');
    });

    it('old: the content comes whole with the final chunk', async function () {
      sim.configure({ profile: 'old' });
      const { streamed, final } = await contentChunks();
      assert.deepEqual(streamed, []);
      assert.equal(final, 'one two three four five six seven');
    });
  });

  describe('version-dependent defaults', function () {
    it('reports the profile version; parallel slots and context_length follow it', async function () {
      assert.ok(versionAtLeast('0.9.10', '0.9.7') && !versionAtLeast('0.6.5', '0.9.7'));
      sim.setGenerate('one two three four five six');
      sim.configure({ profile: 'old', timing: { tokenMs: 3 } });
      assert.equal((await client.version()).version, PROFILES.old);
      assert.equal(behaviourOf(PROFILES.old).defaultNumParallel, 0, 'automatic before v0.9.7');
      await Promise.all([0, 1, 2, 3, 4].map((i) => client.generate({ model: BASE, prompt: `o${i}` })));
      assert.equal(sim.maxConcurrentGenerations(BASE), 4, 'envconfig NumParallel unset: up to defaultParallel (4)');
      const oldPs = (await client.ps()).models[0] as unknown as Record<string, unknown>;
      assert.equal('context_length' in oldPs, false, 'no context_length in /api/ps before v0.9.7');

      sim.reset();
      sim.configure({ profile: 'current', timing: { tokenMs: 3 } });
      sim.setGenerate('one two three four five six');
      assert.equal((await client.version()).version, PROFILES.current);
      await Promise.all([0, 1, 2].map((i) => client.generate({ model: BASE, prompt: `c${i}` })));
      assert.equal(sim.maxConcurrentGenerations(BASE), 1, 'OLLAMA_NUM_PARALLEL defaults to 1 from v0.9.7');
      const ps = (await client.ps()).models[0] as unknown as Record<string, unknown>;
      assert.equal(ps.context_length, 4096);
    });

    it('falls back to one slot on an old server when four contexts do not fit in VRAM', async function () {
      sim.configure({ profile: 'old', vramBytes: 1.4 * GB, timing: { tokenMs: 3 } });
      sim.setGenerate('one two three four');
      await Promise.all([0, 1].map((i) => client.generate({ model: BASE, prompt: `o${i}`, options: { num_ctx: 32768 } })));
      assert.equal(sim.maxConcurrentGenerations(BASE), 1);
    });
  });

  describe('smaller points', function () {
    it('counts cached and new prompt tokens in prompt_eval_count', async function () {
      // runner/llamarunner/runner.go `NewSequence`: numPromptInputs is the whole prompt.
      const prompt = 'let x = 1;\n'.repeat(40);
      await client.generate({ model: BASE, raw: true, prompt, stream: false });
      const again = await client.generate({ model: BASE, raw: true, prompt: `${prompt}x++;\n`, stream: false });
      assert.equal(again.prompt_eval_count, countTokens(`${prompt}x++;\n`));
    });

    it('clamps num_ctx to the trained context and reports the clamped value', async function () {
      // llm/server.go `NewLlamaServer`: "requested context size too large for model".
      sim.configure({ models: [{ name: BASE, contextLength: 8192 }] });
      await client.generate({ model: BASE, prompt: 'x', stream: false, options: { num_ctx: 65536 } });
      const ps = (await client.ps()).models[0] as unknown as { context_length: number };
      assert.equal(ps.context_length, 8192);
      const warm = await client.generate({ model: BASE, prompt: 'y', stream: false, options: { num_ctx: 100000 } });
      assert.ok(warm.load_duration < 15e6, 'another oversized num_ctx is the same clamped runner: no reload');
    });

    it('keeps the runner\'s keep_alive when a request has none', async function () {
      // server/sched.go `useLoadedRunner`: sessionDuration changes only when the request sets one.
      await client.generate({ model: BASE, prompt: 'a', stream: false, keep_alive: '30m' });
      await client.generate({ model: BASE, prompt: 'b', stream: false });
      const left = Date.parse(String((await client.ps()).models[0]!.expires_at)) - Date.now();
      assert.ok(left > 29 * 60_000, `still 30 minutes (${Math.round(left / 1000)} s)`);
      await client.generate({ model: BASE, prompt: 'c', stream: false, keep_alive: '1m' });
      const now = Date.parse(String((await client.ps()).models[0]!.expires_at)) - Date.now();
      assert.ok(now <= 60_000, 'an explicit keep_alive replaces it');
    });

    it('answers a request without a model with 404 "model \'\' not found"', async function () {
      // server/routes.go `GenerateHandler`/`ChatHandler`: an invalid name is reported as not found.
      const gen = await rejection(client.generate({ model: '', prompt: 'x' }));
      assert.equal(gen.status_code, 404);
      assert.equal(gen.message, "model '' not found");
      const chat = await rejection(client.chat({ model: '', messages: [] }));
      assert.equal(chat.status_code, 404);
    });

    it('rejects options that are not an object with 400; ignores removed options', async function () {
      // gin binding of GenerateRequest.options (map[string]any) fails → 400; api/types.go
      // `FromMap` skips unknown keys ("invalid option provided") without checking their type.
      const bad = await rejection(client.generate({ model: BASE, prompt: 'x', options: 'fast' as unknown as Record<string, never> }));
      assert.equal(bad.status_code, 400);
      assert.match(bad.message, /cannot unmarshal string into Go struct field GenerateRequest\.options/);
      const removed = await client.generate({
        model: BASE,
        prompt: 'x',
        stream: false,
        options: { mirostat: 'on', tfs_z: 'x', penalize_newline: 1 } as unknown as Record<string, number>,
      });
      assert.equal(removed.done, true);
      const typed = await rejection(client.generate({ model: BASE, prompt: 'x', options: { num_predict: '3' as unknown as number } }));
      assert.equal(typed.status_code, 500, 'current options are still type-checked');
    });

    it('derives capabilities from the template: insert from .Suffix, tools from .Tools', async function () {
      // server/images.go `Model.Capabilities`: "insert" when the template uses .Suffix, "tools"
      // when it uses .Tools. The simulator's built-in templates are simplified stand-ins: the real
      // Qwen2.5-Coder templates (instruct: a .Tools section; base: .Suffix) could not be fetched from
      // the registry here, so this checks that the simulator's capability sets agree with its own
      // templates, which follow those shapes; that the real tags carry exactly these is unverified.
      for (const name of [BASE, INSTRUCT]) {
        const show = await client.show({ model: name });
        const caps = show.capabilities ?? [];
        assert.equal(caps.includes('insert'), show.template.includes('.Suffix'), `${name}: insert ⇔ .Suffix`);
        assert.equal(caps.includes('tools'), show.template.includes('.Tools'), `${name}: tools ⇔ .Tools`);
        assert.equal(caps.includes('completion'), true);
      }
      assert.deepEqual((await client.show({ model: INSTRUCT })).capabilities, ['completion', 'tools']);
    });
  });
});
