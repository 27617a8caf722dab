import * as assert from 'node:assert/strict';
import {
  NUM_PREDICT,
  TEMPLATES,
  orderContextFiles,
  renderPrompt,
  requestOptions,
  templateFor,
} from '../../../src/completion/templates';

const base = { path: 'src/main.py', repoName: 'library-system', contextFiles: [] };

describe('completion templates', () => {
  describe('templateFor', () => {
    const cases: [string, string][] = [
      ['qwen2.5-coder:7b-base', 'qwen2.5-coder'],
      ['qwen2.5-coder:1.5b-base-q8_0', 'qwen2.5-coder'],
      ['QWEN2.5-CODER:32B', 'qwen2.5-coder'],
      ['qwen3-coder:30b', 'qwen3-coder'],
      ['hf.co/unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF:Q4_K_M', 'qwen3-coder'],
      ['codellama:7b-code', 'codellama'],
      ['deepseek-coder:6.7b-base', 'deepseek-coder'],
      ['starcoder2:3b', 'starcoder2'],
      ['codestral', 'codestral'],
      ['codestral:22b-v0.1-q4_K_M', 'codestral'],
      ['some-unknown-model', 'qwen2.5-coder'],
    ];
    for (const [model, family] of cases) {
      it(`${model} → ${family}`, () => assert.equal(templateFor(model).family, family));
    }
  });

  describe('file-level prompts', () => {
    const input = { ...base, prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))\n' };
    it('Qwen2.5-Coder', () => {
      assert.equal(
        renderPrompt(TEMPLATES['qwen2.5-coder'], input),
        '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>',
      );
    });
    it('Qwen3-Coder', () => {
      assert.equal(
        renderPrompt(TEMPLATES['qwen3-coder'], input),
        '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>',
      );
    });
    it('CodeLlama: spaces around the prefix and before <SUF>/<MID>', () => {
      assert.equal(renderPrompt(TEMPLATES.codellama, input), '<PRE> def add(a, b):\n     <SUF>\n\nprint(add(1, 2))\n <MID>');
    });
    it('DeepSeek-Coder: full-width bars and ▁', () => {
      assert.equal(
        renderPrompt(TEMPLATES['deepseek-coder'], input),
        '<｜fim▁begin｜>def add(a, b):\n    <｜fim▁hole｜>\n\nprint(add(1, 2))\n<｜fim▁end｜>',
      );
    });
    it('StarCoder2', () => {
      assert.equal(
        renderPrompt(TEMPLATES.starcoder2, input),
        '<fim_prefix>def add(a, b):\n    <fim_suffix>\n\nprint(add(1, 2))\n<fim_middle>',
      );
    });
    it('Codestral: suffix first, the prefix ends the prompt', () => {
      assert.equal(renderPrompt(TEMPLATES.codestral, input), '[SUFFIX]\n\nprint(add(1, 2))\n[PREFIX]def add(a, b):\n    ');
    });
    it('code that contains a placeholder is never substituted again', () => {
      const prompt = renderPrompt(TEMPLATES['qwen2.5-coder'], { ...base, prefix: 'fmt("{suffix}', suffix: '{prefix}")' });
      assert.equal(prompt, '<|fim_prefix|>fmt("{suffix}<|fim_suffix|>{prefix}")<|fim_middle|>');
    });
  });

  describe('repo-level prompts', () => {
    const contextFiles = [
      { path: 'library.py', content: 'class Library:\n    pass' },
      { path: 'student.py', content: 'class Student:\n    pass' },
    ];
    const input = { ...base, path: 'main.py', contextFiles, prefix: 'from library import Library\n', suffix: '\nmain()' };

    it('Qwen2.5-Coder: repo name, files, then the current file with FIM', () => {
      assert.equal(
        renderPrompt(TEMPLATES['qwen2.5-coder'], input),
        '<|repo_name|>library-system\n' +
          '<|file_sep|>library.py\nclass Library:\n    pass\n' +
          '<|file_sep|>student.py\nclass Student:\n    pass\n' +
          '<|file_sep|>main.py\n<|fim_prefix|>from library import Library\n<|fim_suffix|>\nmain()<|fim_middle|>',
      );
    });
    it('StarCoder2: <repo_name>, <file_sep>, and the path inside <fim_prefix>', () => {
      assert.equal(
        renderPrompt(TEMPLATES.starcoder2, input),
        '<repo_name>library-system' +
          '<file_sep>library.py\nclass Library:\n    pass' +
          '<file_sep>student.py\nclass Student:\n    pass' +
          '<file_sep><fim_prefix>main.py\nfrom library import Library\n<fim_suffix>\nmain()<fim_middle>',
      );
    });
    it('Qwen3-Coder has no repo form: raw FIM only, context dropped', () => {
      assert.equal(
        renderPrompt(TEMPLATES['qwen3-coder'], input),
        '<|fim_prefix|>from library import Library\n<|fim_suffix|>\nmain()<|fim_middle|>',
      );
    });
    it('without context files the file-level form is used', () => {
      assert.equal(
        renderPrompt(TEMPLATES['qwen2.5-coder'], { ...input, contextFiles: [] }),
        '<|fim_prefix|>from library import Library\n<|fim_suffix|>\nmain()<|fim_middle|>',
      );
    });
    it('context files come in a deterministic order whatever the ranking order', () => {
      const ranked = [contextFiles[1]!, contextFiles[0]!];
      assert.deepEqual(
        orderContextFiles(ranked).map((f) => f.path),
        ['library.py', 'student.py'],
      );
      assert.equal(
        renderPrompt(TEMPLATES['qwen2.5-coder'], { ...input, contextFiles: orderContextFiles(ranked) }),
        renderPrompt(TEMPLATES['qwen2.5-coder'], input),
      );
    });
    it('a longer prefix keeps the prompt start identical (prompt-cache friendly)', () => {
      const before = renderPrompt(TEMPLATES['qwen2.5-coder'], input);
      const after = renderPrompt(TEMPLATES['qwen2.5-coder'], { ...input, prefix: input.prefix + 'lib' });
      const cut = before.indexOf('<|fim_suffix|>');
      assert.equal(after.slice(0, cut), before.slice(0, cut));
    });
  });

  describe('request options', () => {
    it('stops on every Qwen special token', () => {
      const stop = requestOptions(TEMPLATES['qwen2.5-coder'], 'line').stop;
      for (const token of [
        '<|endoftext|>',
        '<|fim_prefix|>',
        '<|fim_suffix|>',
        '<|fim_middle|>',
        '<|fim_pad|>',
        '<|repo_name|>',
        '<|file_sep|>',
        '<|im_start|>',
        '<|im_end|>',
        '<|cursor|>',
      ]) {
        assert.ok(stop?.includes(token), token);
      }
    });
    it('keeps num_ctx fixed per model and sizes num_predict by length', () => {
      const line = requestOptions(TEMPLATES['qwen2.5-coder'], 'line');
      const block = requestOptions(TEMPLATES['qwen2.5-coder'], 'block');
      assert.equal(line.num_ctx, 4096);
      assert.equal(block.num_ctx, line.num_ctx);
      assert.equal(line.num_predict, NUM_PREDICT.line);
      assert.equal(block.num_predict, NUM_PREDICT.block);
      assert.ok((line.temperature ?? 1) <= 0.2);
      assert.ok(line.top_p !== undefined);
    });
  });
});
