// A prompt longer than the model's context on an OpenAI-compatible server: the backend shortens it
// and retries once (completions lose other files and far code first, chat the oldest turns), then
// says what to do. Against the simulator (vLLM and llama-server texts) through the real client.

import assert from 'node:assert/strict';
import type { ChatMessage } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';
import { OpenAICompatibleBackend } from '../../../src/backend/openai';
import { contextTooLong, parseContextOverflow, STILL_TOO_LONG, toOpenAIBackendError } from '../../../src/backend/openaiErrors';
import { parseQwenFim } from '../../../src/backend/openaiRequests';
import { shrinkMessages, shrinkPlan, shrinkPrompt } from '../../../src/backend/openaiShrink';
import { readAnswer } from '../../../src/backend/stream';
import { OpenAISimulator } from '../../sim/openai/server';

const BASE = 'Qwen/Qwen2.5-Coder-7B';
const CHAT = 'Qwen/Qwen2.5-Coder-7B-Instruct';

function longFim(lines: number): string {
  const prefix = Array.from({ length: lines }, (_, i) => `const value${i} = compute(${i});\n`).join('') + 'function add(a, b) {\n  ';
  const suffix = '\n}\n' + Array.from({ length: lines / 4 }, (_, i) => `export const tail${i} = ${i};\n`).join('');
  const extra = Array.from({ length: 3 }, (_, i) => `<|file_sep|>lib/other${i}.ts\n${'export const x = 1;\n'.repeat(40)}`).join('');
  return `<|repo_name|>demo\n${extra}<|file_sep|>src/main.ts\n<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
}

describe('backend/openai: context too long', function () {
  this.timeout(15_000);

  describe('the server texts (vLLM and llama-server)', () => {
    it('reads the limit and the prompt size from every known wording', () => {
      assert.deepEqual(parseContextOverflow("This model's maximum context length is 8192 tokens. However, your request has 9000 input tokens. Please reduce the length of the input messages."), { limit: 8192, promptTokens: 9000 });
      assert.deepEqual(
        parseContextOverflow("'max_tokens' or 'max_completion_tokens' is too large: 4096. This model's maximum context length is 8192 tokens and your request has 6000 input tokens (4096 > 8192 - 6000)."),
        { limit: 8192, promptTokens: 6000 },
      );
      assert.deepEqual(parseContextOverflow("This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion)."), { limit: 4096, promptTokens: 4000 });
      assert.deepEqual(parseContextOverflow('request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it', 'exceed_context_size_error'), { limit: 4096, promptTokens: 5000 });
      assert.deepEqual(parseContextOverflow('the request exceeds the available context size, try increasing it'), {});
      assert.equal(parseContextOverflow('temperature must be positive'), undefined);
      const e = toOpenAIBackendError({ status: 400, message: 'request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it' }, { host: 'http://gpu:8080', model: 'm' });
      assert.deepEqual(contextTooLong(e), { limit: 4096, promptTokens: 5000 });
    });
  });

  describe('the shortening (pure)', () => {
    it('lowers max_tokens alone when the prompt fits', () => {
      assert.deepEqual(shrinkPlan({ limit: 8192, promptTokens: 6000 }, 6100, 4096), { keep: 1, maxTokens: 2184 });
    });

    it('keeps room to answer and never cuts to nothing', () => {
      const plan = shrinkPlan({ limit: 1000, promptTokens: 2000 }, 1800, 100);
      assert.ok(plan.keep > 0.4 && plan.keep < 0.5, String(plan.keep));
      assert.equal(shrinkPlan({ limit: 10, promptTokens: 100000 }, 1, 16).keep, 0.05);
      assert.equal(shrinkPlan({}, 100, 16).keep, 0.5);
    });

    it('a FIM prompt drops other files first, then far code, and keeps its shape and the cursor', () => {
      const prompt = longFim(200);
      const fim = parseQwenFim(prompt)!;
      const noFiles = shrinkPrompt(prompt, 0.9);
      assert.ok(noFiles.length <= prompt.length * 0.9);
      const mid = parseQwenFim(noFiles);
      assert.ok(mid, 'still a Qwen FIM prompt');
      assert.ok(mid.extra.length < fim.extra.length, 'other files went first');
      const small = parseQwenFim(shrinkPrompt(prompt, 0.3));
      assert.ok(small);
      assert.equal(small.extra.length, 0);
      assert.equal(small.path, 'src/main.ts');
      assert.ok(small.prefix.endsWith('function add(a, b) {\n  '), 'the code at the cursor stays');
      assert.ok(small.suffix.startsWith('\n}\n'));
      assert.ok(small.prefix.startsWith('const value'), 'cut at a line start');
      assert.ok(small.prefix.length < fim.prefix.length && small.suffix.length < fim.suffix.length);
    });

    it('chat drops the oldest turns whole, keeps the system message and the question', () => {
      const turns: ChatMessage[] = [{ role: 'system', content: 'You are a helpful assistant.' }];
      for (let i = 0; i < 10; i++) {
        turns.push({ role: 'user', content: `question ${i} ${'x'.repeat(200)}` });
        turns.push({ role: 'assistant', content: `answer ${i} ${'y'.repeat(200)}`, toolCalls: [{ name: 'read', arguments: {} }] });
        turns.push({ role: 'tool', content: `result ${i}`, toolName: 'read' });
      }
      turns.push({ role: 'user', content: 'the question now' });
      const kept = shrinkMessages(turns, 0.5);
      assert.equal(kept[0]?.role, 'system');
      assert.equal(kept.at(-1)?.content, 'the question now');
      assert.equal(kept[1]?.role, 'user', 'history starts at a user message');
      assert.match(kept[1]?.content ?? '', /^question [5-9]/);
      assert.ok(kept.length < turns.length);
    });

    it('one huge message loses its middle, not its start or end', () => {
      const big = `START ${'z'.repeat(10_000)} END`;
      const kept = shrinkMessages([{ role: 'user', content: big }], 0.2);
      assert.equal(kept.length, 1);
      assert.ok(kept[0]!.content.length <= big.length * 0.2 + 80);
      assert.match(kept[0]!.content, /^START /);
      assert.match(kept[0]!.content, / END$/);
      assert.match(kept[0]!.content, /characters left out to fit the model's context/);
    });
  });

  for (const flavour of ['vllm', 'llamacpp'] as const) {
    describe(`against the simulator (${flavour})`, () => {
      const sim = new OpenAISimulator({ flavour, timing: { tokenMs: 1 } });
      let backend: OpenAICompatibleBackend;
      const base = flavour === 'vllm' ? BASE : 'qwen2.5-coder-7b-q8_0.gguf';
      const chat = flavour === 'vllm' ? CHAT : base;

      before(() => sim.start());
      after(() => sim.stop());
      beforeEach(() => {
        sim.reset();
        backend = new OpenAICompatibleBackend({ host: sim.url, timeouts: { requestMs: 2000 } });
      });

      it('a completion too long for the context is shortened once and answered', async () => {
        sim.configure({ models: [{ id: base, maxModelLen: 1500 }] });
        sim.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
        const prompt = longFim(200);
        const answer = await readAnswer(backend.generate({ model: base, prompt, raw: true, options: { num_predict: 64 } }), { host: backend.host });
        assert.equal(answer.end, 'done', answer.error?.message);
        assert.equal(answer.text, 'return a + b;');
        const tried = sim.requests.filter((r) => r.endpoint !== 'models');
        assert.equal(tried.length, 2, 'one retry');
        assert.equal(tried[0]?.status, 400);
        assert.ok((tried[1]?.promptTokens ?? Infinity) < 1500 - 64);
        assert.ok(tried[1]?.fim?.prefix.endsWith('function add(a, b) {\n  '));
      });

      it('a chat too long drops the oldest turns and keeps the question', async () => {
        sim.configure({ models: [{ id: chat, maxModelLen: 600 }] });
        sim.setChat('Short answer.');
        const messages: ChatMessage[] = [{ role: 'system', content: 'Be brief.' }];
        for (let i = 0; i < 12; i++) messages.push({ role: 'user', content: `old question ${i} ${'lorem ipsum '.repeat(20)}` }, { role: 'assistant', content: `old answer ${i} ${'dolor sit '.repeat(20)}` });
        messages.push({ role: 'user', content: 'What now?' });
        const answer = await readAnswer(backend.chat({ model: chat, messages, options: { num_predict: 100 } }), { host: backend.host });
        assert.equal(answer.end, 'done', answer.error?.message);
        assert.equal(answer.text, 'Short answer.');
        const chats = sim.find({ endpoint: 'chat' });
        assert.equal(chats.length, 2);
        const sent = chats[1]?.body?.messages as { role: string; content: string }[];
        assert.equal(sent[0]?.content, 'Be brief.');
        assert.equal(sent.at(-1)?.content, 'What now?');
        assert.ok(sent.length < messages.length);
        assert.match(sent[1]?.content ?? '', /^old question/);
      });

      it('still too long after one retry: a clear message, and no third request', async () => {
        sim.configure({ models: [{ id: chat, maxModelLen: 8 }] });
        const answer = await readAnswer(backend.chat({ model: chat, messages: [{ role: 'user', content: 'word '.repeat(2000) }], options: { num_predict: 4 } }), { host: backend.host, model: chat });
        assert.equal(answer.end, 'error');
        assert.ok(answer.error instanceof BackendError);
        assert.equal(answer.error.detail, STILL_TOO_LONG);
        assert.match(answer.error.message, /too long for ".*" on http:\/\/127\.0\.0\.1:\d+ \(8 tokens\), even after Qwen Local shortened it once\. Select less code, start a new chat/);
        assert.equal(sim.find({ endpoint: 'chat' }).length, 2);
      });
    });
  }

  it('vLLM: only max_tokens too large → the same prompt with a smaller max_tokens', async () => {
    const sim = new OpenAISimulator({ timing: { tokenMs: 1 }, models: [{ id: CHAT, maxModelLen: 2000 }] });
    await sim.start();
    try {
      sim.setChat('ok');
      const backend = new OpenAICompatibleBackend({ host: sim.url });
      const answer = await readAnswer(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'hello '.repeat(100) }], options: { num_predict: 4000 } }), { host: backend.host });
      assert.equal(answer.end, 'done', answer.error?.message);
      const [first, second] = sim.find({ endpoint: 'chat' });
      assert.match(first?.error ?? '', /'max_tokens' or 'max_completion_tokens' is too large: 4000/);
      assert.deepEqual(second?.body?.messages, first?.body?.messages);
      assert.ok(Number(second?.body?.max_tokens ?? second?.body?.max_completion_tokens) < 2000 - (second?.promptTokens ?? 0));
    } finally {
      await sim.stop();
    }
  });
});
