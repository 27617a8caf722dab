import assert from 'node:assert/strict';
import { BackendError } from '../../../src/backend/errors';
import { Proposal } from '../../../src/actions/proposal';
import { codeRenderer } from '../../../src/actions/render';
import { failureMessage, streamChat, streamIntoProposal } from '../../../src/actions/stream';
import { chunked, FakeBackend } from '../support/fakeBackend';

const ORIGINAL = 'def f(x):\r\n    return x\r\n\r\nprint(f(1))\r\n';
const START = 0;
const END = ORIGINAL.indexOf('\r\n\r\n');

function proposal(): Proposal {
  return new Proposal({ id: 'p', action: 'Edit', targetUri: 'file:///f.py', originalText: ORIGINAL, version: 1, start: START, end: END, isNewFile: false, eol: '\r\n' });
}

const render = codeRenderer({ indent: '', style: { insertSpaces: true, tabSize: 4 }, firstLineIndented: true, eol: '\r\n' });
const request = (signal?: AbortSignal) => ({ model: 'qwen2.5-coder:7b', messages: [{ role: 'user' as const, content: 'x' }], signal });

describe('actions/stream', () => {
  it('streamChat accumulates the text and reports each step', async () => {
    const backend = new FakeBackend({ chunks: ['Hel', 'lo', ''] });
    const seen: string[] = [];
    const out = await streamChat(backend, request(), (t) => seen.push(t));
    assert.equal(out.text, 'Hello');
    assert.deepEqual(seen, ['Hel', 'Hello']);
    assert.equal(out.stats?.doneReason, 'stop');
  });

  it('streams an answer into the proposal, re-indented and in the file line endings, without touching the original', async () => {
    const answer = 'Here you go:\n```python\ndef f(x):\n  if x is None:\n    raise ValueError("x")\n  return x\n```\nDone.';
    const backend = new FakeBackend({ chunks: chunked(answer, 4) });
    const p = proposal();
    const snapshots: string[] = [];
    p.onDidChange(() => snapshots.push(p.replacement));
    const outcome = await streamIntoProposal(backend, request(), p, render);
    assert.equal(outcome.kind, 'ready');
    assert.equal(p.state, 'ready');
    assert.equal(p.replacement, 'def f(x):\r\n    if x is None:\r\n        raise ValueError("x")\r\n    return x');
    assert.ok(p.proposedText.endsWith('\r\n\r\nprint(f(1))\r\n'));
    assert.equal(p.init.originalText, ORIGINAL);
    assert.ok(snapshots.length > 2, 'the proposal grew while streaming');
    assert.ok(!snapshots.some((s) => s.includes('```') || s.includes('Here you go')), 'no fence or prose ever shown');
  });

  it('an answer without code fails the proposal as empty', async () => {
    const p = proposal();
    const outcome = await streamIntoProposal(new FakeBackend({ chunks: ['Here is the code:'] }), request(), p, render);
    assert.equal(outcome.kind, 'empty');
    assert.equal(p.state, 'failed');
    assert.equal(p.proposedText, ORIGINAL);
  });

  it('an answer equal to the original is reported unchanged', async () => {
    const p = proposal();
    const outcome = await streamIntoProposal(new FakeBackend({ chunks: ['```py\ndef f(x):\n    return x\n```'] }), request(), p, render);
    assert.equal(outcome.kind, 'unchanged');
  });

  it('cancel aborts the request mid-stream: an aborted error, the proposal back to the original', async () => {
    const backend = new FakeBackend({ chunks: chunked('```py\ndef f(x):\n    return x * 2\n```', 2), delayMs: 5 });
    const controller = new AbortController();
    const p = proposal();
    p.onDidChange(() => {
      if (p.replacement.includes('def f')) controller.abort();
    });
    await assert.rejects(streamIntoProposal(backend, request(controller.signal), p, render), (e: unknown) => e instanceof BackendError && e.kind === 'aborted');
    assert.ok(backend.abortedMidStream, 'the signal reached the backend');
    assert.equal(p.state, 'failed');
    assert.equal(p.proposedText, ORIGINAL);
  });

  it('a client 404 becomes modelNotFound with the model named', async () => {
    const notFound = Object.assign(new Error('model "qwen2.5-coder:7b" not found, try pulling it first'), { name: 'ResponseError', status_code: 404 });
    const p = proposal();
    await assert.rejects(
      streamIntoProposal(new FakeBackend({ chunks: [], error: notFound }), request(), p, render),
      (e: unknown) => e instanceof BackendError && e.kind === 'modelNotFound' && e.context.model === 'qwen2.5-coder:7b',
    );
    assert.equal(p.proposedText, ORIGINAL);
  });

  it('a dropped connection mid-answer is an error, not a half proposal', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const p = proposal();
    await assert.rejects(streamIntoProposal(new FakeBackend({ chunks: ['```py\ndef f(x):\n'], error: reset }), request(), p, render), (e: unknown) => e instanceof BackendError && e.kind === 'unreachable');
    assert.equal(p.state, 'failed');
  });

  describe('failureMessage', () => {
    const ctx = { host: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:14b' };
    it('modelNotFound offers to pull that model', () => {
      const m = failureMessage(new BackendError('modelNotFound', 'Model "qwen2.5-coder:14b" is not installed.', ctx), 'Edit Selection');
      assert.equal(m.severity, 'warning');
      assert.match(m.message, /^Edit Selection: Model .* Nothing was changed\.$/);
      assert.deepEqual(m.actions[0], { title: 'Pull qwen2.5-coder:14b', command: 'qwenLocal.pullModel', args: ['qwen2.5-coder:14b'] });
    });
    it('cancel is quiet and says nothing changed', () => {
      const m = failureMessage(new BackendError('aborted', 'Cancelled.', ctx), 'Generate Tests');
      assert.deepEqual([m.severity, m.message, m.actions.length], ['info', 'Generate Tests cancelled. Nothing was changed.', 0]);
    });
    it('unreachable offers a retry, unauthorized the key, others the log', () => {
      assert.equal(failureMessage(new BackendError('unreachable', 'down', ctx), 'X').actions[0].command, 'qwenLocal.retryConnection');
      assert.equal(failureMessage(new BackendError('unauthorized', 'key', ctx), 'X').actions[0].command, 'qwenLocal.setApiKey');
      assert.equal(failureMessage(new BackendError('server', 'boom', ctx), 'X').actions[0].command, 'qwenLocal.showLog');
    });
  });
});
