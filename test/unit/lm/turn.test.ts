import assert from 'node:assert/strict';
import { estimateTokens } from '../../../src/completion/budget';
import { inputMessage, partsOf } from '../../../src/lm/parts';
import { fitToContext, toServerMessages, toolsSystemPrompt, type LmMessage } from '../../../src/lm/messages';
import type { ToolSpec } from '../../../src/lm/toolCalls';
import { runToolTurn, type AttemptResult, type ChatAttempt } from '../../../src/lm/turn';

const TOOLS: ToolSpec[] = [{ name: 'read_file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];

/** A model that answers each attempt with the next scripted text, streamed in small pieces. */
function scripted(answers: string[], end: AttemptResult['end'] = 'done') {
  const seen: LmMessage[][] = [];
  const chat = async (attempt: ChatAttempt): Promise<AttemptResult> => {
    seen.push([...attempt.messages]);
    const text = answers[seen.length - 1] ?? '';
    for (let i = 0; i < text.length; i += 5) attempt.onText(text.slice(i, i + 5));
    return { end };
  };
  return { chat, seen };
}

function collector() {
  const out = { text: '', calls: [] as { name: string; input: unknown }[] };
  return { out, output: { text: (v: string) => (out.text += v), toolCall: (c: { name: string; input: unknown }) => out.calls.push(c) } };
}

describe('runToolTurn: a request from VS Code Chat with tool calls repaired', () => {
  let n = 0;
  const newId = () => `c${++n}`;

  it('streams a plain answer as text', async () => {
    const { chat } = scripted(['Hello there.']);
    const { out, output } = collector();
    const result = await runToolTurn([{ role: 'user', content: 'hi' }], TOOLS, chat, output, { newId });
    assert.equal(result.kind, 'answered');
    assert.equal(out.text, 'Hello there.');
  });

  it('turns a bare-JSON answer into a tool call part', async () => {
    const { chat } = scripted(['{"name": "read_file", "arguments": {"path": "a.ts"}}']);
    const { out, output } = collector();
    const result = await runToolTurn([{ role: 'user', content: 'read a.ts' }], TOOLS, chat, output, { newId });
    assert.equal(result.kind, 'toolCalls');
    assert.deepEqual(out.calls.map((c) => [c.name, c.input]), [['read_file', { path: 'a.ts' }]]);
    assert.equal(out.text, '');
  });

  it('tells the model what was wrong and takes its corrected call', async () => {
    const { chat, seen } = scripted(['<tool_call>{"name": "open_file", "arguments": {"path": "a.ts"}}</tool_call>', '<tool_call>{"name": "read_file", "arguments": {"path": "a.ts"}}</tool_call>']);
    const { out, output } = collector();
    const result = await runToolTurn([{ role: 'user', content: 'read a.ts' }], TOOLS, chat, output, { newId });
    assert.deepEqual(result.kind === 'toolCalls' && result.repairs, 1);
    assert.equal(out.calls.length, 1);
    const correction = seen[1].at(-1);
    assert.equal(correction?.role, 'user');
    assert.match(correction?.content ?? '', /no tool named "open_file".*Available tools: read_file/s);
    assert.equal(seen[1].at(-2)?.role, 'assistant');
  });

  it('stops after a bounded number of repairs with a clear message, running nothing', async () => {
    const bad = '<tool_call>{"name": "read_file", "arguments": {"file": 1}}</tool_call>';
    const { chat, seen } = scripted([bad, bad, bad, bad]);
    const { out, output } = collector();
    const result = await runToolTurn([{ role: 'user', content: 'x' }], TOOLS, chat, output, { newId, maxRepairs: 2 });
    assert.equal(result.kind, 'unrepairable');
    assert.equal(seen.length, 3);
    assert.equal(out.calls.length, 0);
    assert.match(result.kind === 'unrepairable' ? result.message : '', /after 3 tries.*input schema/);
  });

  it('reports a cancelled and a failed answer as such', async () => {
    assert.equal((await runToolTurn([], TOOLS, scripted(['a'], 'aborted').chat, collector().output, { newId })).kind, 'cancelled');
    const failed = await runToolTurn([], TOOLS, async () => ({ end: 'incomplete', errorMessage: 'cut' }), collector().output, { newId });
    assert.deepEqual(failed, { kind: 'failed', message: 'cut' });
  });

  it('uses calls the server parsed itself', async () => {
    const { out, output } = collector();
    const result = await runToolTurn([], TOOLS, async () => ({ end: 'done', nativeCalls: [{ name: 'read_file', input: { path: 'n' }, raw: '', tagged: true }] }), output, { newId });
    assert.equal(result.kind, 'toolCalls');
    assert.deepEqual(out.calls[0].input, { path: 'n' });
  });
});

describe('VS Code messages → the server chat API', () => {
  it('maps text, tool calls and tool results, results right after their call', () => {
    const messages = toServerMessages([
      { role: 'user', parts: [{ kind: 'text', value: 'read a' }] },
      { role: 'assistant', parts: [{ kind: 'text', value: 'ok' }, { kind: 'toolCall', callId: 'x1', name: 'read_file', input: { path: 'a' } }] },
      { role: 'user', parts: [{ kind: 'toolResult', callId: 'x1', content: 'A' }] },
      { role: 'user', parts: [{ kind: 'toolResult', callId: 'x1', content: 'again' }, { kind: 'text', value: 'and now?' }] },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', content: 'read a' },
      { role: 'assistant', content: 'ok', toolCalls: [{ id: 'x1', name: 'read_file', arguments: { path: 'a' } }] },
      { role: 'tool', content: 'A', toolCallId: 'x1', toolName: 'read_file' },
      { role: 'tool', content: 'again', toolCallId: 'x1', toolName: 'read_file' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('drops the oldest turns to fit, keeps the system prompt, never a result without its call', () => {
    const long = 'x'.repeat(4000);
    const messages: LmMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: long },
      { role: 'assistant', content: '', toolCalls: [{ id: '1', name: 'read_file', arguments: { path: 'a' } }] },
      { role: 'tool', content: long, toolCallId: '1' },
      { role: 'user', content: 'last question' },
    ];
    const fitted = fitToContext(messages, 200, estimateTokens);
    assert.deepEqual(fitted.messages.map((m) => m.role), ['system', 'user']);
    assert.equal(fitted.dropped, 3);
    assert.equal(fitted.overflow, false);
    assert.ok(!fitted.messages.some((m) => m.role === 'tool'));
  });

  it('says so when even the newest message does not fit', () => {
    const fitted = fitToContext([{ role: 'user', content: 'y'.repeat(10_000) }], 100, estimateTokens);
    assert.equal(fitted.overflow, true);
  });

  it('describes tools in the format Qwen is trained on', () => {
    const prompt = toolsSystemPrompt(TOOLS);
    assert.match(prompt, /<tools>\n\{"type":"function","function":\{"name":"read_file"/);
    assert.match(prompt, /<tool_call>\n\{"name": <function-name>, "arguments": <args-json-object>\}\n<\/tool_call>/);
  });
});

describe('reading VS Code messages of any API version', () => {
  it('reads the string content of VS Code before 1.95', () => {
    assert.deepEqual(inputMessage({ role: 1, content: 'hi' }), { role: 'user', parts: [{ kind: 'text', value: 'hi' }] });
  });

  it('reads text, tool call and tool result parts by their fields', () => {
    const parts = partsOf([
      { value: 'look' },
      { callId: 'a', name: 'read_file', input: { path: 'x' } },
      { callId: 'a', content: [{ value: 'file text' }, { value: '!' }] },
      42,
    ]);
    assert.deepEqual(parts, [
      { kind: 'text', value: 'look' },
      { kind: 'toolCall', callId: 'a', name: 'read_file', input: { path: 'x' } },
      { kind: 'toolResult', callId: 'a', content: 'file text!' },
    ]);
    assert.equal(inputMessage({ role: 2, content: [] }).role, 'assistant');
  });
});
