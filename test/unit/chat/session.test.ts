import * as assert from 'node:assert/strict';
import { HistoryStore } from '../../../src/chat/history';
import { BASE_SYSTEM_PROMPT, CONTINUE_INSTRUCTION } from '../../../src/chat/session';
import { answer, dropsAfter, failsWith, harness, modelNotFound, untilAborted, type Harness } from './helpers';

describe('chat session (streaming flow with a fake Backend)', () => {
  let h: Harness;
  afterEach(() => h?.cleanup());

  it('streams an answer, in order, and stores the exchange', async () => {
    h = await harness({ script: answer('Hello **world**, this is Qwen.') });
    const result = await h.session.send('Hi there');
    assert.equal(result?.status, 'done');
    assert.equal(result?.content, 'Hello **world**, this is Qwen.');
    const types = h.events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 2), ['added', 'added']);
    assert.ok(types.filter((t) => t === 'chunk').length >= 5);
    assert.deepEqual(types.slice(-3), ['end', 'busy', 'list']);
    assert.ok(types.indexOf('busy') < types.indexOf('chunk'));
    const chunks = h.events.flatMap((e) => (e.type === 'chunk' ? [e.delta.content] : []));
    assert.equal(chunks.join(''), 'Hello **world**, this is Qwen.');

    const request = h.backend.requests[0];
    assert.equal(request.model, 'qwen2.5-coder:7b');
    assert.equal(request.messages[0].role, 'system');
    assert.equal(request.messages[0].content, BASE_SYSTEM_PROMPT);
    assert.deepEqual(request.messages[1], { role: 'user', content: 'Hi there' });
    assert.equal(request.options?.num_ctx, 8192);
    assert.equal(request.options?.num_predict, 2048);
    assert.equal(request.options?.temperature, 0.2);
    assert.equal(request.keepAlive, '30m');
    assert.ok(request.signal);

    // On disk, from a fresh store.
    const reloaded = await HistoryStore.open({ dir: h.dir, warn: () => undefined });
    const stored = reloaded.get(h.session.conversation.id)!;
    assert.equal(stored.title, 'Hi there');
    assert.deepEqual(
      stored.messages.map((m) => [m.role, m.content, m.status]),
      [
        ['user', 'Hi there', undefined],
        ['assistant', 'Hello **world**, this is Qwen.', 'done'],
      ],
    );
    assert.equal(stored.messages[1].stats?.evalCount, 12);
  });

  it('ignores an empty message', async () => {
    h = await harness();
    assert.equal(await h.session.send('   \n '), undefined);
    assert.deepEqual(h.events, []);
    assert.equal(h.backend.requests.length, 0);
  });

  it('stop aborts the request at the server and keeps the partial answer', async () => {
    h = await harness({ script: untilAborted(['Partial ', 'answer']) });
    const pending = h.session.send('Write a long essay');
    while (!h.events.some((e) => e.type === 'chunk' && e.delta.content === 'answer')) await new Promise((r) => setImmediate(r));
    assert.equal(h.session.busy, true);
    await h.session.stop();
    const result = await pending;
    assert.equal(result?.status, 'stopped');
    assert.equal(result?.content, 'Partial answer');
    assert.equal(h.backend.aborted[0], true, 'the request signal was aborted');
    assert.equal(h.session.busy, false);
    const reloaded = await HistoryStore.open({ dir: h.dir, warn: () => undefined });
    assert.equal(reloaded.get(h.session.conversation.id)?.messages[1].status, 'stopped');
    assert.equal(reloaded.get(h.session.conversation.id)?.messages[1].content, 'Partial answer');
  });

  it('server down mid-answer: keeps the partial answer with an error, and Retry replaces it', async () => {
    h = await harness({ script: dropsAfter(['The first ', 'half']) });
    const failed = await h.session.send('Explain');
    assert.equal(failed?.status, 'error');
    assert.equal(failed?.content, 'The first half');
    assert.equal(failed?.error?.kind, 'unreachable');
    assert.match(failed?.error?.message ?? '', /not running at http:\/\/127\.0\.0\.1:11434/);
    const partial = h.session.conversation.messages[1];
    assert.equal(partial.content, 'The first half');

    h.backend.script = answer('The whole answer.');
    const retried = await h.session.retry();
    assert.equal(retried?.status, 'done');
    assert.deepEqual(
      h.session.conversation.messages.map((m) => m.content),
      ['Explain', 'The whole answer.'],
    );
    assert.ok(h.events.some((e) => e.type === 'removed' && e.ids.includes(partial.id)));
    // The retry asked the same question again, without the failed partial answer.
    assert.deepEqual(
      h.backend.requests[1].messages.map((m) => m.role),
      ['system', 'user'],
    );
  });

  it('a missing model is reported as modelNotFound with the model name', async () => {
    h = await harness({ script: failsWith(modelNotFound('qwen2.5-coder:7b')) });
    const result = await h.session.send('Hi');
    assert.equal(result?.status, 'error');
    assert.equal(result?.error?.kind, 'modelNotFound');
    assert.equal(result?.error?.model, 'qwen2.5-coder:7b');
  });

  it('an answer cut at num_predict offers Continue, which appends to the same message', async () => {
    h = await harness({ script: answer('```ts\nconst a = 1;\n', { doneReason: 'length' }) });
    const cut = await h.session.send('Write code');
    assert.equal(cut?.status, 'length');
    h.backend.script = answer('const b = 2;\n```\nDone.');
    const continued = await h.session.continueAnswer();
    assert.equal(continued?.status, 'done');
    assert.equal(continued?.messageId, cut?.messageId);
    assert.equal(h.session.conversation.messages.length, 2);
    assert.equal(h.session.conversation.messages[1].content, '```ts\nconst a = 1;\nconst b = 2;\n```\nDone.');
    const request = h.backend.requests[1];
    assert.deepEqual(
      request.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user'],
    );
    assert.equal(request.messages[2].content, '```ts\nconst a = 1;\n');
    assert.equal(request.messages[3].content, CONTINUE_INSTRUCTION);
  });

  it('splits <think> from the answer and never sends the thinking back', async () => {
    h = await harness({ script: answer('<think>\nThe user wants a greeting.\n</think>\n\nHello!') });
    const first = await h.session.send('Greet me');
    assert.equal(first?.content, 'Hello!');
    assert.equal(h.session.conversation.messages[1].thinking, 'The user wants a greeting.');
    const thinkingDeltas = h.events.flatMap((e) => (e.type === 'chunk' ? [e.delta.thinking] : [])).join('');
    assert.equal(thinkingDeltas, 'The user wants a greeting.');
    h.backend.script = answer('Again.');
    await h.session.send('Once more');
    const sent = h.backend.requests[1].messages.map((m) => m.content).join('\n');
    assert.ok(sent.includes('Hello!'));
    assert.ok(!sent.includes('greeting'), 'the thinking is not sent back');
    assert.ok(!sent.includes('<think>'));
  });

  it('regenerate replaces the last answer', async () => {
    h = await harness({ script: answer('First.') });
    await h.session.send('Q');
    h.backend.script = answer('Second.');
    await h.session.regenerate();
    assert.deepEqual(
      h.session.conversation.messages.map((m) => m.content),
      ['Q', 'Second.'],
    );
    assert.deepEqual(h.backend.requests[1].messages, h.backend.requests[0].messages);
  });

  it('editing the last question drops it and its answer and asks again', async () => {
    h = await harness({ script: answer('A1') });
    await h.session.send('Q1');
    await h.session.send('Q2 with a typo');
    const edited = h.session.conversation.messages[2];
    h.backend.script = answer('A2');
    await h.session.send('Q2 fixed', [], { editOf: edited.id });
    assert.deepEqual(
      h.session.conversation.messages.map((m) => m.content),
      ['Q1', 'A1', 'Q2 fixed', 'A2'],
    );
    assert.ok(h.events.some((e) => e.type === 'removed' && e.ids.length === 2 && e.ids[0] === edited.id));
  });

  it('a stream that ends without its final chunk is an error, not a silent success', async () => {
    h = await harness({
      script: async function* () {
        yield { text: 'half', done: false };
      },
    });
    const result = await h.session.send('Q');
    assert.equal(result?.status, 'error');
    assert.equal(result?.error?.kind, 'incomplete');
    assert.equal(result?.content, 'half');
  });

  it('cuts the oldest turns when the conversation outgrows the context and says so', async () => {
    h = await harness({ script: answer('x'.repeat(2_000)), numCtx: 2048 });
    for (let i = 0; i < 4; i++) await h.session.send(`Question ${i}: ${'words '.repeat(100)}`);
    const last = h.session.conversation.messages[h.session.conversation.messages.length - 1];
    assert.match(last.notice ?? '', /left out the \d+ oldest messages/);
    const request = h.backend.requests[3];
    assert.ok(request.messages.length < 8, `${request.messages.length} messages sent`);
    assert.match(request.messages[request.messages.length - 1].content, /^Question 3/);
    assert.equal(request.options?.num_ctx, 2048);
    assert.equal(request.options?.num_predict, 512);
  });

  it('asks for a smaller context when the model cannot take the configured one', async () => {
    h = await harness();
    h.backend.contextLength = 4096;
    await h.session.send('Q');
    assert.equal(h.backend.requests[0].options?.num_ctx, 4096);
    assert.equal(h.backend.requests[0].options?.num_predict, 1024);
  });

  it('adds the user system prompt and uses the conversation model', async () => {
    h = await harness();
    h.settings.systemPrompt = 'Answer in French.';
    h.session.setModel('qwen2.5-coder:14b');
    await h.session.send('Q');
    assert.equal(h.backend.requests[0].messages[0].content, `${BASE_SYSTEM_PROMPT}\n\nAnswer in French.`);
    assert.equal(h.backend.requests[0].model, 'qwen2.5-coder:14b');
    assert.equal(h.session.conversation.messages[1].model, 'qwen2.5-coder:14b');
  });

  it('sends attachments before the question', async () => {
    h = await harness();
    await h.session.send('What does it do?', [
      { id: 'a', kind: 'selection', label: 'app.ts:3-4', path: 'src/app.ts', uri: 'file:///w/src/app.ts', languageId: 'typescript', range: { startLine: 3, endLine: 4 }, content: 'const a = 1;\nconst b = 2;' },
    ]);
    assert.equal(
      h.backend.requests[0].messages[1].content,
      'Selected code from `src/app.ts` (lines 3-4):\n```typescript\nconst a = 1;\nconst b = 2;\n```\n\nWhat does it do?',
    );
    assert.equal(h.session.conversation.messages[0].attachments?.[0].label, 'app.ts:3-4');
  });

  it('sending while an answer streams stops it first', async () => {
    h = await harness({ script: untilAborted(['Long ']) });
    const first = h.session.send('First');
    while (!h.events.some((e) => e.type === 'chunk')) await new Promise((r) => setImmediate(r));
    h.backend.script = answer('Second answer');
    const second = await h.session.send('Second');
    assert.equal((await first)?.status, 'stopped');
    assert.equal(second?.status, 'done');
    assert.deepEqual(
      h.session.conversation.messages.map((m) => [m.content, m.status]),
      [
        ['First', undefined],
        ['Long ', 'stopped'],
        ['Second', undefined],
        ['Second answer', 'done'],
      ],
    );
  });

  it('new, switch, rename and delete conversations', async () => {
    h = await harness();
    await h.session.send('About A');
    const a = h.session.conversation.id;
    await h.session.newConversation();
    assert.notEqual(h.session.conversation.id, a);
    assert.equal(h.session.conversation.messages.length, 0);
    await h.session.send('About B');
    const b = h.session.conversation.id;
    assert.deepEqual(
      h.session.list().map((c) => c.id),
      [b, a],
    );
    assert.equal(await h.session.switchTo(a), true);
    assert.equal(h.session.conversation.messages[0].content, 'About A');
    await h.session.rename(a, '  Renamed A ');
    assert.equal(h.session.list().find((c) => c.id === a)?.title, 'Renamed A');
    await h.session.delete(a);
    assert.equal(h.session.conversation.id, b, 'deleting the open conversation opens the next');
    assert.deepEqual(
      (await HistoryStore.open({ dir: h.dir, warn: () => undefined })).list().map((c) => c.id),
      [b],
    );
  });

  it('opens the most recent conversation when it starts', async () => {
    h = await harness();
    await h.session.send('Remember me');
    const id = h.session.conversation.id;
    await h.session.dispose();
    const again = await harness({ dir: h.dir });
    try {
      assert.equal(again.session.conversation.id, id);
      assert.equal(again.session.conversation.messages[0].content, 'Remember me');
    } finally {
      await again.session.dispose();
      await again.store.dispose();
    }
  });
});
