// Native tool calls from an OpenAI-compatible server: the simulator streams them as vLLM's hermes
// parser does (index, id and name first, then argument fragments, finish_reason "tool_calls"); the
// backend gives them to src/lm/ as the same tool-call events the Ollama backend yields.

import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { OpenAICompatibleBackend } from '../../../src/backend/openai';
import { ToolCallAssembler } from '../../../src/backend/openaiToolCalls';
import { readAnswer } from '../../../src/backend/stream';
import type { StreamChunk } from '../../../src/backend/backend';
import { chatThroughBackend } from '../../../src/lm/serverChat';
import { HermesStream } from '../../sim/openai/hermes';
import { OpenAISimulator } from '../../sim/openai/server';

const CHAT = 'Qwen/Qwen2.5-Coder-7B-Instruct';
const TOOLS = [{ name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
const CALLS =
  'Let me look.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "src/a.ts", "lines": [1, 20]}}\n</tool_call>\n<tool_call>\n{"name": "read_file", "arguments": {"path": "b.ts"}}\n</tool_call>';

describe('backend/openai: native tool calls', function () {
  this.timeout(10_000);
  const sim = new OpenAISimulator({ timing: { tokenMs: 1 } });
  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  it('the simulator streams them as vLLM does: id and name first, then argument fragments', async () => {
    sim.setChat(CALLS);
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'none', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: CHAT,
      messages: [{ role: 'user', content: 'read a' }],
      tools: TOOLS.map((t) => ({ type: 'function' as const, function: t })),
      stream: true,
    });
    let content = '';
    let finish: string | null = null;
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(content.trim(), 'Let me look.');
    assert.equal(finish, 'tool_calls');
    const heads = deltas.filter((d) => d.id);
    assert.deepEqual(
      heads.map((d) => [d.index, d.type, d.function?.name, d.function?.arguments]),
      [
        [0, 'function', 'read_file', undefined],
        [1, 'function', 'read_file', undefined],
      ],
    );
    assert.ok(heads.every((d) => /^chatcmpl-tool-[0-9a-f]{32}$/.test(d.id ?? '')));
    const fragments = deltas.filter((d) => !d.id);
    assert.ok(fragments.filter((d) => d.index === 0).length > 3, 'arguments arrive in pieces');
    assert.ok(fragments.every((d) => d.function?.name === undefined && d.type === undefined));
    const args = (i: number) => fragments.filter((d) => d.index === i).map((d) => d.function?.arguments ?? '').join('');
    assert.deepEqual(JSON.parse(args(0)), { path: 'src/a.ts', lines: [1, 20] });
    assert.deepEqual(JSON.parse(args(1)), { path: 'b.ts' });
  });

  it('the hermes stream holds back a tag split across pieces', () => {
    const h = new HermesStream();
    const out = [...h.add('ok <tool'), ...h.add('_call>{"name": "f", "arg'), ...h.add('uments": {"a": 1}}</tool_'), ...h.add('call>'), ...h.flush()];
    assert.deepEqual(out, [{ content: 'ok ' }, { tool_calls: [{ index: 0, id: (out[1] as { tool_calls: { id: string }[] }).tool_calls[0]!.id, type: 'function', function: { name: 'f' } }] }, { tool_calls: [{ index: 0, function: { arguments: '{"a": 1}' } }] }]);
  });

  it('the backend yields them as tool-call events with the final chunk, as the Ollama backend does', async () => {
    sim.setChat(CALLS);
    const backend = new OpenAICompatibleBackend({ host: sim.url });
    const chunks: StreamChunk[] = [];
    for await (const c of backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'read a' }], tools: TOOLS })) chunks.push(c);
    const last = chunks.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.stats?.doneReason, 'tool_calls');
    assert.deepEqual(
      last.toolCalls?.map((c) => [c.name, c.arguments]),
      [
        ['read_file', { path: 'src/a.ts', lines: [1, 20] }],
        ['read_file', { path: 'b.ts' }],
      ],
    );
    assert.ok(last.toolCalls?.every((c) => c.id?.startsWith('chatcmpl-tool-')));
    assert.equal(chunks.map((c) => c.text).join('').trim(), 'Let me look.');
    const body = sim.find({ endpoint: 'chat' })[0]?.body as { tools?: { type: string; function: { name: string } }[] };
    assert.deepEqual(body.tools?.map((t) => [t.type, t.function.name]), [['function', 'read_file']]);
    assert.deepEqual((await backend.show(CHAT)).capabilities, ['completion', 'tools']);
  });

  it('src/lm reads them through the same path as Ollama\'s', async () => {
    sim.setChat(CALLS);
    const backend = new OpenAICompatibleBackend({ host: sim.url });
    const texts: string[] = [];
    const attempt = chatThroughBackend(() => backend, { model: CHAT, nativeTools: true });
    const result = await attempt({
      messages: [{ role: 'user', content: 'read a' }],
      tools: [{ name: 'read_file', description: 'Reads a file', inputSchema: TOOLS[0]!.parameters }],
      signal: new AbortController().signal,
      onText: (t) => texts.push(t),
    } as Parameters<typeof attempt>[0]);
    assert.equal(result.end, 'done');
    assert.deepEqual(
      result.nativeCalls?.map((c) => [c.name, c.input]),
      [
        ['read_file', { path: 'src/a.ts', lines: [1, 20] }],
        ['read_file', { path: 'b.ts' }],
      ],
    );
  });

  it('arguments that are not JSON come back as a <tool_call> text for the repair', () => {
    const a = new ToolCallAssembler();
    a.add([{ index: 0, id: 'x', function: { name: 'read_file' } }]);
    a.add([{ index: 0, function: { arguments: "{'path': 'a.ts'," } }]);
    const done = a.finish();
    assert.deepEqual(done.calls, []);
    assert.equal(done.text, `<tool_call>\n{"name": "read_file", "arguments": {'path': 'a.ts',}\n</tool_call>`);
  });

  it('a vLLM started without the tool flags: a message that names them', async () => {
    sim.configure({ toolParser: false });
    const backend = new OpenAICompatibleBackend({ host: sim.url });
    const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'x' }], tools: TOOLS }), { host: sim.url });
    assert.equal(answer.error?.kind, 'capability');
    assert.match(answer.error?.message ?? '', /started without tool calling.*--enable-auto-tool-choice --tool-call-parser hermes/);
  });
});
