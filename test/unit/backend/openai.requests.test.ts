// Exact request bodies of the OpenAI-compatible backend, and reading a Qwen FIM prompt back.

import assert from 'node:assert/strict';
import { chatBody, completionBody, infillBody, parseQwenFim, QWEN_STOPS } from '../../../src/backend/openaiRequests';

const FILE_FIM = '<|fim_prefix|>def f():\n    <|fim_suffix|>\n<|fim_middle|>';
const REPO_FIM = '<|repo_name|>demo\n<|file_sep|>a.py\nA = 1\n<|file_sep|>lib/b.py\ndef b():\n    pass\n<|file_sep|>main.py\n<|fim_prefix|>import a\n<|fim_suffix|>\nprint(1)<|fim_middle|>';

describe('backend/openaiRequests', function () {
  describe('/v1/completions body', function () {
    it('is exactly this JSON for a raw FIM prompt (all Qwen stops after the caller\'s own)', function () {
      const body = completionBody({ model: 'Qwen/Qwen2.5-Coder-7B', prompt: FILE_FIM, raw: true, options: { num_predict: 128, temperature: 0.1, stop: ['\n\n', '<|endoftext|>'] } });
      assert.equal(
        JSON.stringify(body),
        JSON.stringify({
          model: 'Qwen/Qwen2.5-Coder-7B',
          prompt: FILE_FIM,
          max_tokens: 128,
          temperature: 0.1,
          stop: ['\n\n', '<|endoftext|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>'],
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
    });

    it('sends the prompt untouched (special tokens and all) and omits unset options', function () {
      const body = completionBody({ model: 'm', prompt: REPO_FIM, raw: true });
      assert.equal(body.prompt, REPO_FIM);
      assert.deepEqual(Object.keys(body), ['model', 'prompt', 'stop', 'stream', 'stream_options']);
      assert.deepEqual(body.stop, [...QWEN_STOPS]);
    });

    it('a non-FIM raw prompt gets no Qwen stops; num_predict ≤ 0 means no max_tokens', function () {
      const body = completionBody({ model: 'm', prompt: 'hello', raw: true, options: { num_predict: -1, top_p: 0.9, seed: 7 } });
      assert.equal(JSON.stringify(body), JSON.stringify({ model: 'm', prompt: 'hello', top_p: 0.9, seed: 7, stream: true, stream_options: { include_usage: true } }));
    });

    it('a non-raw prompt with a suffix is wrapped in Qwen FIM', function () {
      assert.equal(completionBody({ model: 'm', prompt: 'a', suffix: 'b' }).prompt, '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>');
    });
  });

  describe('/infill body', function () {
    it('is exactly this JSON for a repo-level prompt', function () {
      const fim = parseQwenFim(REPO_FIM);
      assert.ok(fim);
      const body = infillBody({ model: 'x.gguf', prompt: REPO_FIM, raw: true, options: { num_predict: 64, temperature: 0, stop: ['\n\n'] } }, fim);
      assert.equal(
        JSON.stringify(body),
        JSON.stringify({
          input_prefix: 'import a\n',
          input_suffix: '\nprint(1)',
          input_extra: [
            { filename: 'a.py', text: 'A = 1' },
            { filename: 'lib/b.py', text: 'def b():\n    pass' },
          ],
          n_predict: 64,
          temperature: 0,
          stop: ['\n\n'],
          stream: true,
          cache_prompt: true,
        }),
      );
    });

    it('a file-level prompt has no extra files', function () {
      const fim = parseQwenFim(FILE_FIM);
      assert.deepEqual(fim, { prefix: 'def f():\n    ', suffix: '\n', extra: [] });
      assert.ok(fim);
      assert.equal(JSON.stringify(infillBody({ model: 'x', prompt: FILE_FIM, raw: true }, fim)), JSON.stringify({ input_prefix: 'def f():\n    ', input_suffix: '\n', input_extra: [], stream: true, cache_prompt: true }));
    });
  });

  describe('parseQwenFim', function () {
    it('names the current file', function () {
      assert.equal(parseQwenFim(REPO_FIM)?.path, 'main.py');
    });

    it('refuses prompts that are not exactly a Qwen FIM prompt', function () {
      for (const bad of [
        'plain text',
        '<|fim_prefix|>a<|fim_suffix|>b', // no middle
        '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>already started', // text after middle
        'stray<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>', // context without file separators
        '<|fim_suffix|>b<|fim_prefix|>a<|fim_middle|>', // wrong order
        '<|file_sep|>main.py<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>', // current path without newline
        '<|fim_prefix|>a<|fim_prefix|>x<|fim_suffix|>b<|fim_middle|>', // a token inside the prefix
      ]) {
        assert.equal(parseQwenFim(bad), undefined, bad);
      }
    });
  });

  describe('/v1/chat/completions body', function () {
    it('is exactly this JSON', function () {
      const body = chatBody({ model: 'Qwen/Qwen2.5-Coder-7B-Instruct', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], options: { temperature: 0.2, num_predict: 512, num_ctx: 8192 } });
      assert.equal(
        JSON.stringify(body),
        JSON.stringify({
          model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
          messages: [
            { role: 'system', content: 's' },
            { role: 'user', content: 'u' },
          ],
          max_tokens: 512,
          temperature: 0.2,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
    });
  });
});
