// Typing into an answer in flight: the policy (src/completion/inflight.ts) and the engine with a
// backend that streams a piece at a time, as the test says.

import * as assert from 'node:assert/strict';
import type { GenerateRequest, StreamChunk } from '../../../src/backend/backend';
import { CompletionEngine } from '../../../src/completion/engine';
import { canStillMatch, keepable, type Flight } from '../../../src/completion/inflight';
import { abortError, FakeBackend } from '../support/fakeBackend';
import { FakeClock, settle } from './fakeClock';
import { completionSettings, requestAt } from './requests';

const MODEL = 'qwen2.5-coder:7b-base';
const SETTINGS = completionSettings();
const at = (code: string) => requestAt(code, { path: '/repo/src/cart.ts', model: MODEL, settings: SETTINGS });

/** One generation whose pieces the test sends. */
class Stream {
  readonly pieces: string[] = [];
  ended = false;
  wake: () => void = () => {};
  push(...pieces: string[]): void {
    this.pieces.push(...pieces);
    this.wake();
  }
  end(): void {
    this.ended = true;
    this.wake();
  }
}

class SteppedBackend extends FakeBackend {
  readonly streams: { request: GenerateRequest; stream: Stream }[] = [];

  override generate(request: GenerateRequest): AsyncIterable<StreamChunk> {
    const stream = new Stream();
    this.streams.push({ request, stream });
    return (async function* () {
      for (;;) {
        if (request.signal?.aborted) throw abortError();
        const piece = stream.pieces.shift();
        if (piece !== undefined) yield { text: piece, done: false };
        else if (stream.ended) return yield { text: '', done: true, stats: { doneReason: 'stop' } };
        else
          await new Promise<void>((resolve, reject) => {
            stream.wake = resolve;
            request.signal?.addEventListener('abort', () => reject(abortError()), { once: true });
          });
      }
    })();
  }
}

function setup() {
  const clock = new FakeClock();
  const backend = new SteppedBackend();
  const engine = new CompletionEngine({ backend: () => backend, clock });
  return { clock, backend, engine };
}

async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.then(() => (done = true));
  for (let t = 0; !done && t < 5000; t += 10) await clock.advance(10);
  assert.ok(done, 'the completion settled');
  return promise;
}

const LINE = 'const total = |\nexport {};\n';
const typed = (chars: string) => at(LINE.replace('|', chars + '|'));

describe('typing into an answer in flight', () => {
  describe('policy', () => {
    const flight = (streamed: string, line = true): Flight => ({
      ticket: { signal: new AbortController().signal, abortReason: undefined, finish: () => {} },
      model: 'm',
      path: '/a.ts',
      prefix: 'const x = ',
      suffix: '\n',
      line,
      streamed,
      typed: '',
      done: Promise.resolve(),
    });
    const pos = (prefix: string, suffix = '\n') => ({ model: 'm', path: '/a.ts', prefix, suffix });

    it('keeps while the typed characters can be the start of the answer', () => {
      assert.equal(keepable(flight('items.len'), pos('const x = it'))?.typed, 'it');
      assert.equal(keepable(flight(''), pos('const x = anything'))?.typed, 'anything', 'nothing streamed yet: still possible');
      assert.equal(keepable(flight('it'), pos('const x = items'))?.typed, 'items', 'typed past what streamed so far');
      assert.equal(keepable(flight('f('), pos('const x = f(', ')\n'))?.typed, 'f(', 'an auto-inserted closer after the cursor');
    });

    it('supersedes on divergence, another position, or a newline in line mode', () => {
      assert.equal(keepable(flight('items'), pos('const x = ix')), undefined);
      assert.equal(keepable(flight('items'), pos('const x =')), undefined, 'a backspace');
      assert.equal(keepable(flight('items'), { ...pos('const x = i'), path: '/b.ts' }), undefined);
      assert.equal(keepable(flight('items'), pos('const x = i', 'y\n')), undefined, 'text after the cursor changed');
      assert.equal(keepable(flight('a'), pos('const x = a\n')), undefined, 'the server stops at the newline');
      assert.equal(keepable(flight('a', false), pos('const x = a\n'))?.typed, 'a\n', 'a block goes on');
    });

    it('a finished answer must contain all that was typed', () => {
      assert.equal(canStillMatch('ab', 'abc', false), true);
      assert.equal(canStillMatch('ab', 'abc', true), false);
      assert.equal(canStillMatch('abc', 'ab', true), true);
    });
  });

  describe('engine', () => {
    it('a matching keystroke keeps the request; the remainder is shown after what was typed', async () => {
      const { clock, backend, engine } = setup();
      const first = engine.complete(at(LINE));
      await clock.advance(100);
      assert.equal(backend.streams.length, 1);
      backend.streams[0]!.stream.push('items');
      await settle();
      const second = engine.complete(typed('it'));
      await clock.advance(300);
      assert.equal(backend.streams[0]!.request.signal?.aborted, false, 'kept');
      backend.streams[0]!.stream.push('.length;');
      backend.streams[0]!.stream.end();
      const item = await drive(clock, second);
      assert.equal(item?.insertText, 'ems.length;');
      assert.equal(item?.offset, typed('it').offset);
      assert.equal(backend.streams.length, 1, 'no second request');
      assert.equal((await first)?.insertText, 'items.length;');
    });

    it('the first divergent keystroke aborts it, and the new position asks anew', async () => {
      const { clock, backend, engine } = setup();
      void engine.complete(at(LINE));
      await clock.advance(100);
      backend.streams[0]!.stream.push('items');
      await settle();
      void engine.complete(typed('i'));
      await settle();
      assert.equal(backend.streams[0]!.request.signal?.aborted, false);
      const diverged = engine.complete(typed('ix'));
      await settle();
      assert.equal(backend.streams[0]!.request.signal?.aborted, true, 'aborted at the keystroke');
      await clock.advance(100);
      assert.equal(backend.streams.length, 2);
      backend.streams[1]!.stream.push(' + 1;');
      backend.streams[1]!.stream.end();
      assert.equal((await drive(clock, diverged))?.insertText, ' + 1;');
    });

    it('a streamed piece that contradicts what was typed aborts it', async () => {
      const { clock, backend, engine } = setup();
      void engine.complete(at(LINE));
      await clock.advance(100);
      void engine.complete(typed('co'));
      await settle();
      assert.equal(backend.streams[0]!.request.signal?.aborted, false, 'nothing streamed yet: kept');
      backend.streams[0]!.stream.push('items');
      await settle();
      assert.equal(backend.streams[0]!.request.signal?.aborted, true);
    });
  });
});
