// The language model provider's request path against the Ollama simulator, through the real
// `ollama` client: native tool calls, calls written as text and repaired, a tool round trip, and
// cancellation reaching the server.

import assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/backend/ollama';
import { chatThroughBackend } from '../../../src/lm/serverChat';
import type { ToolCall, ToolSpec } from '../../../src/lm/toolCalls';
import { runToolTurn } from '../../../src/lm/turn';
import type { LmMessage } from '../../../src/lm/messages';
import { OllamaSimulator } from '../../sim/simulator';

const CHAT = 'qwen2.5-coder:1.5b-instruct';
const TOOLS: ToolSpec[] = [
  { name: 'search_codebase', description: 'Search the code', inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
];

describe('lm provider requests against the simulator', function () {
  this.timeout(15_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 1 } });
  let n = 0;
  const newId = () => `call-${++n}`;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.setTiming({ loadMs: 5, tokenMs: 1 });
  });

  async function turn(messages: LmMessage[], nativeTools = true, signal?: AbortSignal) {
    const out = { text: '', calls: [] as ToolCall[] };
    const backend = new OllamaBackend({ host: sim.url });
    const chat = chatThroughBackend(() => backend, { model: CHAT, numCtx: 8192, nativeTools });
    const result = await runToolTurn(messages, TOOLS, chat, { text: (t) => (out.text += t), toolCall: (c) => out.calls.push(c) }, { newId, signal });
    return { result, out };
  }

  it('the server parses a tagged call (Ollama tools parser) and sends it as tool_calls', async () => {
    sim.addChatRule({ whenLastUserIncludes: 'retry', answer: '<tool_call>\n{"name": "search_codebase", "arguments": {"query": "retry policy"}}\n</tool_call>' });
    const { result, out } = await turn([{ role: 'user', content: 'where is the retry policy?' }]);
    assert.equal(result.kind, 'toolCalls');
    assert.deepEqual(out.calls.map((c) => [c.name, c.input]), [['search_codebase', { query: 'retry policy' }]]);
    const request = sim.requests.find((r) => r.endpoint === 'chat');
    assert.deepEqual((request?.body?.tools as { function: { name: string } }[]).map((t) => t.function.name), ['search_codebase']);
    assert.match(request?.text ?? '', /<tool_call>/, 'the model wrote the call; the server turned it into tool_calls');
  });

  it('a bare JSON call (left as text by Ollama) is repaired into a call part', async () => {
    sim.addChatRule({ whenLastUserIncludes: 'lanes', answer: '{"name": "search_codebase", "arguments": {"query": "ServerLanes"}}' });
    const { result, out } = await turn([{ role: 'user', content: 'what are lanes?' }]);
    assert.equal(result.kind, 'toolCalls');
    assert.deepEqual(out.calls[0].input, { query: 'ServerLanes' });
    assert.equal(out.text, '', 'the JSON is not shown as text');
  });

  it('a tool round trip: the result goes back as a tool message and the model answers', async () => {
    // The model calls the tool until it has seen a tool result, then answers from it.
    sim.setChat((ctx) =>
      ctx.messages.some((m) => m.role === 'tool') ? 'It is configured in src/backend/health.ts.' : '<tool_call>\n{"name": "search_codebase", "arguments": {"query": "retry"}}\n</tool_call>',
    );
    const first = await turn([{ role: 'user', content: 'where is retry?' }]);
    const call = first.out.calls[0];
    sim.clearLog();
    const second = await turn([
      { role: 'user', content: 'where is retry?' },
      { role: 'assistant', content: '', toolCalls: [{ id: call.callId, name: call.name, arguments: call.input }] },
      { role: 'tool', content: 'src/backend/health.ts:12 backoff 30 s → 5 min', toolName: call.name, toolCallId: call.callId },
    ]);
    assert.equal(second.result.kind, 'answered');
    assert.equal(second.out.text, 'It is configured in src/backend/health.ts.');
    const sent = sim.requests.find((r) => r.endpoint === 'chat')?.body?.messages as Record<string, unknown>[];
    assert.deepEqual(sent[1].tool_calls, [{ function: { name: 'search_codebase', arguments: { query: 'retry' } } }]);
    assert.equal(sent[2].role, 'tool');
    assert.equal(sent[2].tool_name, 'search_codebase');
  });

  it('a model without native tools gets them described in the system prompt, in Qwen format', async () => {
    sim.addChatRule({ whenSystemIncludes: '<tools>', answer: '<tool_call>\n{"name": "search_codebase", "arguments": {"query": "x"}}\n</tool_call>' });
    const { result } = await turn([{ role: 'user', content: 'find x' }], false);
    assert.equal(result.kind, 'toolCalls');
    const request = sim.requests.find((r) => r.endpoint === 'chat');
    assert.equal(request?.body?.tools, undefined);
  });

  it('cancelling mid-answer reaches the server', async () => {
    sim.setTiming({ loadMs: 5, tokenMs: 30 });
    sim.setChat('word '.repeat(200));
    const controller = new AbortController();
    const pending = turn([{ role: 'user', content: 'talk' }], true, controller.signal);
    await sim.waitForRequest({ endpoint: 'chat' });
    await new Promise<void>((resolve) => {
      const check = () => (sim.requests.some((r) => r.endpoint === 'chat' && r.tokensSent > 2) ? resolve() : setTimeout(check, 5));
      check();
    });
    controller.abort();
    const { result } = await pending;
    assert.equal(result.kind, 'cancelled');
    await new Promise<void>((resolve) => {
      const check = () => (sim.requests.find((r) => r.endpoint === 'chat')?.aborted ? resolve() : setTimeout(check, 5));
      check();
    });
    const request = sim.requests.find((r) => r.endpoint === 'chat');
    assert.ok(request && request.tokensSent < 200, `the server stopped early (${request?.tokensSent} tokens)`);
  });
});
