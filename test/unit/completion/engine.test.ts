import * as assert from 'node:assert/strict';
import { BackendError } from '../../../src/backend/errors';
import type { EditorContextSource } from '../../../src/completion/context';
import { CompletionEngine, type CompletionRequest, type EngineEvents, type RequestEndEvent } from '../../../src/completion/engine';
import { ServerLanes } from '../../../src/backend/lanes';
import { FakeBackend } from '../support/fakeBackend';
import { FakeClock, settle } from './fakeClock';
import { completionSettings, requestAt } from './requests';

const MODEL = 'qwen2.5-coder:7b-base';
const SETTINGS = completionSettings({ contextFromOtherFiles: true });

/** A request for code with `|` at the cursor. */
const at = (code: string, extra: Partial<CompletionRequest> = {}) => requestAt(code, { displayPath: 'src/math.ts', repoName: 'repo', model: MODEL, settings: SETTINGS, ...extra });

function setup(options: { context?: EditorContextSource; events?: EngineEvents; lanes?: ServerLanes } = {}) {
  const clock = new FakeClock();
  const backend = new FakeBackend();
  const ends: RequestEndEvent[] = [];
  const engine = new CompletionEngine({
    backend: () => backend,
    clock,
    context: options.context,
    lanes: options.lanes,
    events: {
      onRequestEnd: (e) => ends.push(e),
      ...options.events,
    },
  });
  /** The failures the finished requests carried, in order. */
  const errors = () => ends.flatMap((e) => (e.error ? [e.error] : []));
  return { clock, backend, engine, ends, errors };
}

/** Advances the fake clock until the promise settles. */
async function drive<T>(clock: FakeClock, promise: Promise<T>, maxMs = 10_000): Promise<T> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let t = 0; !done && t < maxMs; t += 10) await clock.advance(10);
  assert.ok(done, 'the completion settled');
  return promise;
}

const ADD = 'export function add(a: number, b: number): number {\n  |\n}\n';

describe('completion engine', () => {
  it('sends one raw FIM request after the debounce and returns the cleaned text at the cursor', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['return ', 'a + b;', '\n}\n'], stats: { evalCount: 5, totalDurationNs: 1e8 } });
    const request = at(ADD);
    const pending = engine.complete(request);
    await clock.advance(99);
    assert.equal(backend.requests.length, 0, 'nothing before the debounce');
    const item = await drive(clock, pending);
    assert.deepEqual(item && { insertText: item.insertText, offset: item.offset, fromCache: item.fromCache }, {
      insertText: 'return a + b;',
      offset: request.offset,
      fromCache: false,
    });
    assert.equal(backend.requests.length, 1);
    const sent = backend.requests[0]!.request;
    assert.equal(sent.model, MODEL);
    assert.equal(sent.raw, true);
    assert.equal(sent.suffix, undefined, "never Ollama's suffix path");
    assert.equal(sent.keepAlive, '30m');
    assert.equal(sent.prompt, '<|fim_prefix|>export function add(a: number, b: number): number {\n  <|fim_suffix|>\n}\n<|fim_middle|>');
    assert.equal(sent.options?.num_ctx, 4096);
    assert.equal(sent.options?.num_predict, 256, 'a block after an opener');
    assert.ok(sent.options?.stop?.includes('<|file_sep|>'));
  });

  it('asks for a short answer on a single line and stops reading at its first newline', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['a.length', ' > 0;\n', 'if (x) {\n', 'more();\n'] });
    const item = await drive(clock, engine.complete(at('const ok = |')));
    assert.equal(item?.insertText, 'a.length > 0;');
    const recorded = backend.requests[0]!;
    assert.equal(recorded.request.options?.num_predict, 64);
    assert.equal(recorded.read, 2, 'stopped after the chunk with the newline');
    assert.equal(recorded.request.signal?.aborted, true, 'the server is told to stop');
  });

  it('typing through the ghost text needs no new request; backspace brings it back', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['items.filter((x) => x.done);'] });
    const code = 'const finished = |';
    const first = await drive(clock, engine.complete(at(code)));
    assert.equal(first?.insertText, 'items.filter((x) => x.done);');

    const typed = await engine.complete(at('const finished = items.fil|'));
    assert.equal(typed?.insertText, 'ter((x) => x.done);');
    assert.equal(typed?.fromCache, true);
    assert.equal(typed?.id, first?.id, 'the same suggestion');

    const back = await engine.complete(at('const finished = ite|'));
    assert.equal(back?.insertText, 'ms.filter((x) => x.done);');
    assert.equal(backend.requests.length, 1);
    assert.equal(engine.stats.snapshot().cacheHits, 2);
  });

  it('a keystroke elsewhere aborts the request in flight; its result is dropped; one request at a time', async () => {
    const { clock, backend, engine, ends } = setup();
    backend.answer({ chunks: ['stale();'], held: true }, { chunks: ['fresh();'] });
    const first = engine.complete(at('function f() {\n  |\n}'));
    await clock.advance(100);
    assert.equal(backend.requests.length, 1);

    // A backspace: not a position the answer in flight can serve.
    const second = engine.complete(at('function f() {\n |\n}'));
    await settle();
    assert.equal(backend.requests[0]!.request.signal?.aborted, true, 'the abort reaches the backend');
    assert.equal(await first, undefined);
    const item = await drive(clock, second);
    assert.equal(item?.insertText, 'fresh();');
    assert.equal(backend.maxActive, 1);
    assert.deepEqual(
      ends.map((e) => e.outcome),
      ['aborted', 'shown'],
    );
  });

  it('a result that arrives after the user typed on is not shown', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['late();'], held: true });
    const caller = new AbortController();
    const pending = engine.complete(at('function f() {\n  |\n}', { signal: caller.signal }));
    await clock.advance(100);
    caller.abort();
    backend.requests[0]!.release();
    assert.equal(await drive(clock, pending), undefined);
  });

  it('waits while chat holds the server lane', async () => {
    const lanes = new ServerLanes();
    const { clock, backend, engine } = setup({ lanes });
    backend.answer({ chunks: ['1;'] });
    const release = lanes.for(backend.host).acquireForeground();
    const pending = engine.complete(at('const one = |'));
    await clock.advance(2000);
    assert.equal(backend.requests.length, 0);
    release();
    assert.equal((await drive(clock, pending))?.insertText, '1;');
  });

  it('reports server timings and latency when a request ends', async () => {
    const { clock, backend, engine, ends } = setup();
    backend.answer({ chunks: ['42;'], stats: { promptEvalCount: 30, evalCount: 3, totalDurationNs: 2e8 } });
    await drive(clock, engine.complete(at('const answer = |')));
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.outcome, 'shown');
    assert.deepEqual(ends[0]!.stats, { promptEvalCount: 30, evalCount: 3, totalDurationNs: 2e8 });
    assert.ok(ends[0]!.promptTokensEstimate > 0);
    assert.ok(ends[0]!.latencyMs >= 0);
    assert.equal(engine.stats.snapshot().latency.count, 1);
  });

  describe('errors', () => {
    // The engine reports no status of its own: the connection's reporting backend does (one
    // notification per incident is the StatusModel's rule, checked by the fault matrix).
    it('never throws; each failure ends its request as an error, and a success follows', async () => {
      const { clock, backend, engine, ends, errors } = setup();
      const refused = new BackendError('unreachable', 'Ollama is not running', { host: backend.host });
      backend.answer({ error: refused }, { error: refused }, { chunks: ['ok;'] }, { error: refused });
      assert.equal(await drive(clock, engine.complete(at('const a = |'))), undefined);
      assert.equal(await drive(clock, engine.complete(at('const b = |'))), undefined);
      assert.deepEqual(errors().map((e) => e.kind), ['unreachable', 'unreachable']);
      assert.equal((await drive(clock, engine.complete(at('const c = |'))))?.insertText, 'ok;');
      await drive(clock, engine.complete(at('const d = |')));
      assert.deepEqual(ends.map((e) => e.outcome), ['error', 'error', 'shown', 'error']);
      assert.equal(engine.stats.snapshot().errors, 3);
    });

    it('maps foreign errors to BackendError and does not count aborts as failures', async () => {
      const { clock, backend, engine, ends, errors } = setup();
      const aborted = new Error('aborted');
      aborted.name = 'AbortError';
      backend.answer({ error: aborted }, { error: Object.assign(new Error('model "x" not found'), { name: 'ResponseError', status_code: 404 }) });
      await drive(clock, engine.complete(at('const a = |')));
      assert.equal(ends[0]?.outcome, 'aborted');
      assert.equal(errors().length, 0);
      await drive(clock, engine.complete(at('const b = |')));
      assert.equal(errors()[0]?.kind, 'modelNotFound');
    });

    it('an answer cut before its final chunk is an error, not a suggestion', async () => {
      const { clock, backend, engine, ends, errors } = setup();
      backend.answer({ chunks: ['return a', ' + b;'], incomplete: true });
      assert.equal(await drive(clock, engine.complete(at(ADD))), undefined);
      assert.equal(ends[0]?.outcome, 'error');
      assert.equal(errors()[0]?.kind, 'unreachable');
    });
  });

  describe('when not to ask', () => {
    it('nothing when disabled, in an excluded file, mid-word, or in a minified line', async () => {
      const { clock, backend, engine } = setup();
      backend.answer({ chunks: ['x'] });
      await drive(clock, engine.complete(at('const a = |', { settings: { ...SETTINGS, enabled: false } })));
      await drive(clock, engine.complete(at('API_KEY=|', { path: '/repo/.env', languageId: 'dotenv' })));
      const privateOnly = { ...SETTINGS, exclude: ['private/**'] };
      await drive(clock, engine.complete(at('const a = |', { path: '/repo/private/a.ts', displayPath: 'private/a.ts', settings: privateOnly })));
      await drive(clock, engine.complete(at('const na|me = 1;')));
      await drive(clock, engine.complete(at(`const x = ${'1,'.repeat(1500)}|`)));
      assert.equal(backend.requests.length, 0);
    });

    it('an empty answer is remembered: no second request at the same place', async () => {
      const { clock, backend, engine } = setup();
      backend.answer({ chunks: ['   \n'] });
      assert.equal(await drive(clock, engine.complete(at('const a = |'))), undefined);
      assert.equal(await drive(clock, engine.complete(at('const a = |'))), undefined);
      assert.equal(backend.requests.length, 1);
    });

    it('an explicit request skips the debounce', async () => {
      const { clock, backend, engine } = setup();
      backend.answer({ chunks: ['1;'] });
      const pending = engine.complete(at('const one = |', { explicit: true }));
      await settle();
      await clock.advance(0);
      assert.equal(backend.requests.length, 1);
      await drive(clock, pending);
    });
  });

  it('puts snippets from other open files into a repo-level prompt', async () => {
    const context: EditorContextSource = {
      openDocuments: () => [
        {
          path: '/repo/src/vector.ts',
          languageId: 'typescript',
          version: 1,
          getText: () => 'export function dot(a: Vector, b: Vector): number {\n  return a.x * b.x + a.y * b.y;\n}\n',
        },
      ],
      recentEdits: () => [],
      readFile: () => Promise.resolve(undefined),
      displayPath: (p) => p.replace('/repo/', ''),
    };
    const { clock, backend, engine } = setup({ context });
    backend.answer({ chunks: ['Math.sqrt(dot(v, v));'] });
    await drive(clock, engine.complete(at('export function length(v: Vector): number {\n  // uses dot(a: Vector, b: Vector)\n  return |\n}\n')));
    const prompt = backend.requests[0]!.request.prompt;
    assert.ok(prompt.startsWith('<|repo_name|>repo\n<|file_sep|>src/vector.ts\nexport function dot'), prompt.slice(0, 80));
    assert.ok(prompt.includes('<|file_sep|>src/math.ts\n<|fim_prefix|>export function length'));
  });

  it('gives a raw-FIM-only family (Qwen3-Coder) no other files, and no room taken for them', async () => {
    let listed = 0;
    const context: EditorContextSource = {
      openDocuments: () => {
        listed++;
        return [{ path: '/repo/src/vector.ts', languageId: 'typescript', version: 1, getText: () => 'export function dot() {}' }];
      },
      recentEdits: () => [],
      readFile: () => Promise.resolve(undefined),
      displayPath: (p) => p,
    };
    const { clock, backend, engine } = setup({ context });
    backend.answer({ chunks: ['dot();'] });
    await drive(clock, engine.complete(at('const d = |', { model: 'qwen3-coder:30b' })));
    assert.equal(backend.requests[0]!.request.prompt, '<|fim_prefix|>const d = <|fim_suffix|><|fim_middle|>');
    assert.equal(listed, 0);
  });

  it('counts shown once per suggestion and acceptances', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['compute();'] });
    const item = await drive(clock, engine.complete(at('const v = |')));
    await engine.complete(at('const v = comp|'));
    engine.accepted(item!.id);
    const stats = engine.stats.snapshot();
    assert.equal(stats.shown, 1);
    assert.equal(stats.accepted, 1);
    assert.equal(stats.acceptanceRate, 1);
  });
});
