// Asking ahead: after an accept and after Enter at a line end, the next request skips the
// debounce, but only when the server is idle, and never beside another request.

import * as assert from 'node:assert/strict';
import { ServerLanes } from '../../../src/backend/lanes';
import { AskAhead, enteredAtLineEnd } from '../../../src/completion/askahead';
import { CompletionEngine } from '../../../src/completion/engine';
import { FakeBackend } from '../support/fakeBackend';
import { FakeClock, settle } from './fakeClock';
import { completionSettings, requestAt } from './requests';

const SETTINGS = completionSettings({ debounceMs: 150 });
const at = (code: string) => requestAt(code, { path: '/repo/src/a.ts', model: 'qwen2.5-coder:7b-base', settings: SETTINGS });

function setup(lanes = new ServerLanes()) {
  const clock = new FakeClock();
  const backend = new FakeBackend();
  const engine = new CompletionEngine({ backend: () => backend, clock, lanes });
  return { clock, backend, engine, lanes };
}

async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.then(() => (done = true));
  for (let t = 0; !done && t < 5000; t += 10) await clock.advance(10);
  assert.ok(done, 'the completion settled');
  return promise;
}

describe('asking ahead', () => {
  it('recognises Enter at the end of a line, and an accept just before', () => {
    assert.equal(enteredAtLineEnd('  foo();', '  foo();\n  ', ''), true);
    assert.equal(enteredAtLineEnd('if (a) {', 'if (a) {\n    ', '\n}'), true);
    assert.equal(enteredAtLineEnd('  foo(', '  foo(\n', 'x)'), false, 'text after the cursor: not a line end');
    assert.equal(enteredAtLineEnd('  foo();', '  foo();x', ''), false);
    const ahead = new AskAhead();
    assert.equal(ahead.next('/a', 'x', '', 0), false);
    ahead.accepted(10);
    assert.equal(ahead.next('/a', 'x = 1;', '', 20), true);
    assert.equal(ahead.next('/a', 'x = 1;;', '', 30), false, 'only the first position after it');
    ahead.accepted(100);
    assert.equal(ahead.next('/a', 'y', '', 5000), false, 'too late to be its position');
  });

  it('after an accept, the next position is asked at once when the server is idle', async () => {
    const { clock, backend, engine } = setup();
    // Cut by the token limit: the model had more to say after it.
    backend.answer({ chunks: ['1;'], stats: { doneReason: 'length' } }, { chunks: ['\nconst b = 2;'] });
    const item = await drive(clock, engine.complete(at('const a = |')));
    engine.accepted(item!.id);
    void engine.complete(at('const a = 1;|'));
    await settle();
    assert.equal(backend.requests.length, 2, 'sent without the debounce');
  });

  it('after Enter at the end of a line, the new line is asked at once', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: [''] }, { chunks: ['return 1;'] });
    await drive(clock, engine.complete(at('function f() {|\n}')));
    void engine.complete(at('function f() {\n  |\n}'));
    await settle();
    assert.equal(backend.requests.length, 2);
  });

  it('not while chat holds the server: the debounce and the lane rule apply', async () => {
    const { clock, backend, engine, lanes } = setup();
    backend.answer({ chunks: ['1;'], stats: { doneReason: 'length' } });
    const item = await drive(clock, engine.complete(at('const a = |')));
    const release = lanes.for(backend.host).acquireForeground();
    engine.accepted(item!.id);
    const pending = engine.complete(at('const a = 1;|'));
    await clock.advance(1000);
    assert.equal(backend.requests.length, 1, 'waits for chat');
    release();
    await drive(clock, pending);
    assert.equal(backend.requests.length, 2);
  });

  it('not after an answer the model ended itself: its end is known to have nothing more', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['1;'], stats: { doneReason: 'stop' } }, { chunks: ['2;'] });
    const item = await drive(clock, engine.complete(at('const a = |')));
    engine.accepted(item!.id);
    assert.equal(await drive(clock, engine.complete(at('const a = 1;|'))), undefined, 'nothing more on this line');
    assert.equal(backend.requests.length, 1, 'no request at the end of the accepted line');
    // Enter asks ahead as usual.
    void engine.complete(at('const a = 1;\n|'));
    await settle();
    assert.equal(backend.requests.length, 2);
  });

  it('not beside a request in flight: never two at once', async () => {
    const { clock, backend, engine } = setup();
    backend.answer({ chunks: ['x'], held: true }, { chunks: ['y'] });
    void engine.complete(at('let a = |'));
    await clock.advance(150);
    assert.equal(backend.requests.length, 1);
    engine.accepted('1');
    const pending = engine.complete(at('let b = |'));
    await settle();
    assert.equal(backend.requests.length, 1, 'the server was busy: no request ahead');
    await drive(clock, pending);
    assert.equal(backend.requests.length, 2);
    assert.equal(backend.maxActive, 1);
  });
});
