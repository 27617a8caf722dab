import assert from 'node:assert/strict';
import type { StreamChunk } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';
import { failureOf, readAnswer } from '../../../src/backend/stream';

const ctx = { host: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:7b' };

/** A stream of the given chunks, then (optionally) a failure; records whether it was closed early. */
function source(chunks: StreamChunk[], fail?: unknown) {
  const state = { closed: false, read: 0 };
  async function* gen(): AsyncGenerator<StreamChunk> {
    try {
      for (const c of chunks) {
        state.read++;
        yield c;
      }
      if (fail) throw fail;
    } finally {
      state.closed = true;
    }
  }
  return { stream: gen(), state };
}

describe('readAnswer: one way for every stream to end', () => {
  it('a final chunk ends it done, with its stats', async () => {
    const { stream } = source([{ text: 'a', done: false }, { text: 'b', done: true, stats: { doneReason: 'stop', evalCount: 2 } }]);
    const answer = await readAnswer(stream, ctx);
    assert.equal(answer.end, 'done');
    assert.equal(answer.text, 'ab');
    assert.equal(answer.stats?.evalCount, 2);
    assert.equal(failureOf(answer, ctx), undefined);
  });

  it('done_reason "length" ends it length (a whole but cut answer)', async () => {
    const { stream } = source([{ text: 'x', done: true, stats: { doneReason: 'length' } }]);
    const answer = await readAnswer(stream, ctx);
    assert.equal(answer.end, 'length');
    assert.equal(failureOf(answer, ctx), undefined);
  });

  it('a stream that closes without its final chunk is incomplete, never a success', async () => {
    const { stream } = source([{ text: 'half an ans', done: false }]);
    const answer = await readAnswer(stream, ctx);
    assert.equal(answer.end, 'incomplete');
    assert.equal(answer.text, 'half an ans');
    assert.match(answer.error?.message ?? '', /ended before it was complete/);
    assert.ok(failureOf(answer, ctx) instanceof BackendError);
  });

  it('a failure mid-stream is an error with the typed kind, keeping the text so far', async () => {
    const { stream } = source([{ text: 'par', done: false }], new BackendError('server', 'boom', ctx));
    const answer = await readAnswer(stream, ctx);
    assert.equal(answer.end, 'error');
    assert.equal(answer.error?.kind, 'server');
    assert.equal(answer.text, 'par');
  });

  it('our own abort ends it aborted, even when the server had finished', async () => {
    const controller = new AbortController();
    const { stream } = source([{ text: 'a', done: false }, { text: 'b', done: true }]);
    const answer = await readAnswer(stream, ctx, { signal: controller.signal, onText: () => controller.abort() });
    assert.equal(answer.end, 'aborted');
    assert.equal(failureOf(answer, ctx)?.kind, 'aborted');
  });

  it('an abort error thrown by the client is aborted, not an error', async () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    const { stream } = source([{ text: 'a', done: false }], abort);
    assert.equal((await readAnswer(stream, ctx)).end, 'aborted');
  });

  it('stopWhen ends it done early and closes the request after the caller has the text', async () => {
    const { stream, state } = source([
      { text: 'one line', done: false },
      { text: '\nmore', done: false },
      { text: ' never read', done: false },
      { text: '', done: true },
    ]);
    const answer = await readAnswer(stream, ctx, { stopWhen: (t) => t.includes('\n') });
    assert.equal(answer.end, 'done');
    assert.equal(answer.stoppedEarly, true);
    assert.equal(answer.text, 'one line\nmore');
    assert.equal(state.closed, false, 'closed only on the next turn of the event loop');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(state.closed, true);
    assert.equal(state.read, 2);
  });

  it('reports each piece and the time to the first text', async () => {
    let t = 0;
    const pieces: string[] = [];
    const { stream } = source([{ text: '', done: false }, { text: 'a', done: false }, { text: 'b', done: true }]);
    const answer = await readAnswer(stream, ctx, { now: () => (t += 5), onText: (p) => pieces.push(p) });
    assert.deepEqual(pieces, ['a', 'b']);
    assert.equal(answer.firstTextMs, 5);
  });
});
