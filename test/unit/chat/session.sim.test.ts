// The chat session through the real Ollama client (src/backend/ollama.ts) against the Ollama
// simulator (test/sim): what the server sees, how it ends, and what the user keeps.

import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/backend/ollama';
import { HistoryStore } from '../../../src/chat/history';
import { ChatSession, type SessionEvent } from '../../../src/chat/session';
import { estimateTokens } from '../../../src/completion/budget';
import { createLogger, silentLogger } from '../../../src/log';
import { OllamaSimulator } from '../../sim/simulator';
import { tempDir } from './helpers';

const MODEL = 'qwen2.5-coder:7b-instruct';
const LONG = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');

describe('chat session against the Ollama simulator', function () {
  this.timeout(20_000);
  let sim: OllamaSimulator;
  let temp: ReturnType<typeof tempDir>;
  let store: HistoryStore;
  let session: ChatSession;
  let events: SessionEvent[];

  beforeEach(async () => {
    sim = new OllamaSimulator({ models: [{ name: MODEL, contextLength: 32768 }], timing: { tokenMs: 1, loadMs: 5 } });
    await sim.start();
    temp = tempDir();
    store = await HistoryStore.open({ dir: temp.dir, warn: () => undefined });
    const backend = new OllamaBackend({ host: sim.url });
    session = new ChatSession({
      backend: () => backend,
      store,
      settings: () => ({ systemPrompt: '', temperature: 0.2, keepAlive: '30m' }),
      defaultModel: () => MODEL,
      estimate: estimateTokens,
      numCtx: 8192,
      log: silentLogger,
    });
    events = [];
    session.onEvent((e) => events.push(e));
  });

  afterEach(async () => {
    await session.dispose();
    await store.dispose();
    await sim.stop();
    temp.cleanup();
  });

  it('streams an answer and sends the context options the panel chose', async () => {
    sim.setChat(({ lastUser }) => `You asked: ${lastUser.split('\n').pop()}`);
    const result = await session.send('How do I reverse a list?', [
      { id: 'f', kind: 'file', label: 'a.py', path: 'a.py', languageId: 'python', content: 'xs = [1, 2, 3]\n' },
    ]);
    assert.equal(result?.status, 'done');
    assert.equal(result?.content, 'You asked: How do I reverse a list?');
    assert.ok(events.filter((e) => e.type === 'chunk').length > 3, 'streamed in pieces');
    const request = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(request.outcome, 'ok');
    const options = request.body?.options as Record<string, unknown>;
    assert.equal(options.num_ctx, 8192);
    assert.equal(options.num_predict, 2048);
    assert.equal(request.body?.keep_alive, '30m');
    const messages = request.body?.messages as { role: string; content: string }[];
    assert.deepEqual(
      messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.ok(messages[1].content.startsWith('File `a.py`:\n```python\nxs = [1, 2, 3]\n```'));
  });

  it('stop mid-stream aborts the request at the server (aborted in its request log)', async () => {
    sim.setChat({ text: LONG, tokenMs: 15 });
    const pending = session.send('Tell me a long story');
    while (!events.some((e) => e.type === 'chunk')) await new Promise((r) => setTimeout(r, 5));
    await session.stop();
    const result = await pending;
    assert.equal(result?.status, 'stopped');
    assert.ok(result?.content.startsWith('word'), 'the partial answer is kept');
    assert.ok(result!.content.length < LONG.length);
    const request = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(request.aborted, true);
    assert.equal(request.outcome, 'aborted');
    assert.ok(request.text.length < LONG.length / 2, `${request.text.length} of ${LONG.length} characters sent before the abort`);
    assert.equal(sim.inFlight, 0);
  });

  it('stops an answer at the size and line limits, keeps what came and says why (security finding 7)', async () => {
    sim.setChat({ chunks: ['Start\n', 'x'.repeat(40_000), 'x'.repeat(40_000), ...Array<string>(50).fill(' never shown')], tokenMs: 20 });
    const longLine = await session.send('One endless line');
    assert.equal(longLine?.status, 'error');
    assert.equal(longLine?.error?.kind, 'tooLong');
    assert.match(longLine?.error?.message ?? '', /one line passed 64 KB/);
    assert.ok(longLine?.content.startsWith('Start\nxxx'), 'what came is kept');
    assert.ok(!longLine?.content.includes('never'));
    assert.equal((await sim.waitForRequest({ endpoint: 'chat', finished: true })).aborted, true);

    sim.setChat({ chunks: Array.from({ length: 40 }, () => `${'y'.repeat(30_000)}\n`) });
    const huge = await session.send('Without end');
    assert.equal(huge?.status, 'error');
    assert.match(huge?.error?.message ?? '', /stopped after 1 MB/);
    assert.ok(huge!.content.length > 900_000 && huge!.content.length < 1_100_000);
    assert.equal(session.conversation.messages.at(-1)?.error?.kind, 'tooLong');
  });

  it('holds the server lane while an answer streams, as actions do, and releases it however it ends', async () => {
    let holds = 0;
    let maxHolds = 0;
    const held = new ChatSession({
      backend: () => new OllamaBackend({ host: sim.url }),
      store,
      settings: () => ({ systemPrompt: '', temperature: 0.2, keepAlive: '30m' }),
      defaultModel: () => MODEL,
      estimate: estimateTokens,
      numCtx: 8192,
      log: silentLogger,
      holdServer: () => {
        holds++;
        maxHolds = Math.max(maxHolds, holds);
        let released = false;
        return () => {
          if (!released) holds--;
          released = true;
        };
      },
    });
    const seen: number[] = [];
    held.onEvent((e) => e.type === 'chunk' && seen.push(holds));
    sim.setChat('Held while it streams.');
    assert.equal((await held.send('Hi'))?.status, 'done');
    assert.ok(seen.length > 0 && seen.every((n) => n === 1), `holds while streaming: ${seen.join(',')}`);
    assert.equal(holds, 0);
    sim.addFault({ kind: 'drop', after: 2, times: 1 });
    assert.equal((await held.send('Again'))?.status, 'error');
    assert.equal(holds, 0, 'released after a failure too');
    assert.equal(maxHolds, 1);
    await held.dispose();
  });

  it('an offline server: one plain-words error, one log line at warn, the stack only at debug (issue 17)', async () => {
    const lines: { level: string; text: string }[] = [];
    const log = createLogger(
      { error: (t) => lines.push({ level: 'error', text: t }), warn: (t) => lines.push({ level: 'warn', text: t }), info: (t) => lines.push({ level: 'info', text: t }), debug: (t) => lines.push({ level: 'debug', text: t }) },
      () => 'debug',
    );
    const url = sim.url;
    await sim.stop();
    const offline = new ChatSession({
      backend: () => new OllamaBackend({ host: url }),
      store,
      settings: () => ({ systemPrompt: '', temperature: 0.2, keepAlive: '30m' }),
      defaultModel: () => MODEL,
      estimate: estimateTokens,
      numCtx: 8192,
      log,
    });
    const result = await offline.send('Anyone there?');
    assert.equal(result?.status, 'error');
    assert.equal(result?.error?.kind, 'unreachable');
    assert.ok(!result?.error?.message.includes('`'), `plain words: ${result?.error?.message}`);
    const loud = lines.filter((l) => l.level !== 'debug');
    assert.equal(loud.length, 1, JSON.stringify(loud));
    assert.equal(loud[0].level, 'warn');
    assert.ok(!loud[0].text.includes('\n'), `one line: ${loud[0].text}`);
    assert.ok(lines.some((l) => l.level === 'debug' && /\n\s+at /.test(l.text)), 'the stack is there at debug');
    await offline.dispose();
    await sim.start();
  });

  it('keeps the partial answer when the server drops the connection mid-answer, and retries', async () => {
    sim.setChat(LONG);
    sim.addFault({ kind: 'drop', after: 20, times: 1 });
    const failed = await session.send('Go');
    assert.equal(failed?.status, 'error');
    assert.equal(failed?.error?.kind, 'unreachable');
    assert.ok(failed?.content.startsWith('word0'));
    assert.equal(session.conversation.messages[1].content, failed?.content);
    const retried = await session.retry();
    assert.equal(retried?.status, 'done');
    assert.equal(retried?.content, LONG);
  });

  it('reports a missing model as modelNotFound', async () => {
    session.setModel('qwen2.5-coder:32b-instruct');
    const result = await session.send('Hi');
    assert.equal(result?.status, 'error');
    assert.equal(result?.error?.kind, 'modelNotFound');
    assert.equal(result?.error?.model, 'qwen2.5-coder:32b-instruct');
  });

  it('an answer cut at num_predict is marked "length", and Continue carries on', async () => {
    const small = new ChatSession({
      backend: () => new OllamaBackend({ host: sim.url }),
      store,
      settings: () => ({ systemPrompt: '', temperature: 0.2, keepAlive: '30m' }),
      defaultModel: () => MODEL,
      estimate: estimateTokens,
      numCtx: 1024, // answer share: 256 tokens
      log: silentLogger,
    });
    try {
      sim.setChat(LONG + ' ' + LONG);
      const cut = await small.send('Count');
      assert.equal(cut?.status, 'length');
      const request = await sim.waitForRequest({ endpoint: 'chat', finished: true });
      assert.equal(request.doneReason, 'length');
      sim.setChat('and the end.');
      const continued = await small.continueAnswer();
      assert.equal(continued?.status, 'done');
      assert.ok(continued?.content.startsWith(cut!.content));
      assert.ok(continued?.content.endsWith('and the end.'));
    } finally {
      await small.dispose();
    }
  });

  it('a reasoning model: thinking is kept apart and never sent back', async () => {
    sim.setChat('<think>\nThe user greets me.\n</think>\n\nHello back!');
    const first = await session.send('Hello');
    assert.equal(first?.content, 'Hello back!');
    assert.equal(session.conversation.messages[1].thinking, 'The user greets me.');
    sim.setChat('Fine.');
    await session.send('How are you?');
    const second = (await sim.waitForRequest({ endpoint: 'chat', finished: true, afterId: sim.lastId - 1 })).body?.messages as { content: string }[];
    const sent = second.map((m) => m.content).join('\n');
    assert.ok(sent.includes('Hello back!'));
    assert.ok(!sent.includes('greets me'));
  });
});
