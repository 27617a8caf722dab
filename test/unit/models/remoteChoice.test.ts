// Model choice from a remote server's list: never the local GPU, always explained.

import assert from 'node:assert/strict';
import { chooseRemoteModels, traitsOf } from '../../../src/models/remoteChoice';

const SERVER = 'team-gpu.example:8000';

describe('models/remoteChoice', function () {
  it('picks the base coder model for completions and the instruct model for chat (vLLM names)', function () {
    const c = chooseRemoteModels(
      [
        { name: 'Qwen/Qwen2.5-Coder-32B-Instruct', contextLength: 32768 },
        { name: 'Qwen/Qwen2.5-Coder-7B', contextLength: 32768 },
        { name: 'Qwen/Qwen2.5-Coder-1.5B', contextLength: 32768 },
      ],
      SERVER,
    );
    assert.equal(c.completion?.model, 'Qwen/Qwen2.5-Coder-7B');
    assert.equal(c.chat?.model, 'Qwen/Qwen2.5-Coder-32B-Instruct');
    assert.deepEqual(c.problems, []);
    assert.equal(
      c.explanation,
      'Completions: Qwen/Qwen2.5-Coder-7B (7B coder model with fill-in-the-middle, 32768-token context). ' +
        'Chat: Qwen/Qwen2.5-Coder-32B-Instruct (the best instruct coder model there, 32B, 32768-token context). ' +
        'Both are served by team-gpu.example:8000, not this machine.',
    );
  });

  it('keeps ghost text fast: above the cap only when nothing smaller can fill in the middle', function () {
    const big = chooseRemoteModels([{ name: 'Qwen/Qwen2.5-Coder-32B' }, { name: 'Qwen/Qwen2.5-Coder-14B' }], SERVER);
    assert.equal(big.completion?.model, 'Qwen/Qwen2.5-Coder-14B');
    const onlyHuge = chooseRemoteModels([{ name: 'Qwen/Qwen2.5-Coder-32B' }], SERVER, { completionCapB: 7 });
    assert.equal(onlyHuge.completion?.model, 'Qwen/Qwen2.5-Coder-32B');
  });

  it('Qwen3-Coder MoE: instruct with FIM, sized by its active parameters; one model can serve both', function () {
    const c = chooseRemoteModels([{ name: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', contextLength: 65536 }], SERVER);
    assert.equal(c.completion?.model, 'Qwen/Qwen3-Coder-30B-A3B-Instruct');
    assert.equal(c.chat?.model, 'Qwen/Qwen3-Coder-30B-A3B-Instruct');
    assert.match(c.completion?.why ?? '', /30B \(3B active\)/);
    assert.match(c.explanation, /Both are served by team-gpu\.example:8000, not this machine\./);
  });

  it('reads llama.cpp GGUF names and a remote Ollama\'s tags (bare size tags are instruct)', function () {
    assert.equal(traitsOf({ name: 'qwen2.5-coder-7b-q8_0.gguf' }).fim, true);
    assert.equal(traitsOf({ name: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf' }).fim, false);
    const ollama = chooseRemoteModels([{ name: 'qwen2.5-coder:7b' }, { name: 'qwen2.5-coder:3b-base', parameterSize: '3.1B' }], 'gpu-box:11434');
    assert.equal(ollama.completion?.model, 'qwen2.5-coder:3b-base');
    assert.equal(ollama.chat?.model, 'qwen2.5-coder:7b');
  });

  it('size from metadata when the name has none', function () {
    assert.ok(Math.abs((traitsOf({ name: 'my-coder-base', parameterSize: '494.03M' }).sizeB ?? 0) - 0.494) < 0.001);
  });

  it('empty list: nothing chosen, says what to run', function () {
    const c = chooseRemoteModels([], SERVER);
    assert.equal(c.completion, undefined);
    assert.equal(c.chat, undefined);
    assert.match(c.problems[0] ?? '', /lists no models\. Start the server with one, e\.g\. `vllm serve/);
    assert.equal(chooseRemoteModels([{ name: '  ' }], SERVER).problems.length, 1);
  });

  it('chat-only server: completions off, the chat model used for chat only', function () {
    const c = chooseRemoteModels([{ name: 'Qwen/Qwen2.5-Coder-7B-Instruct' }], SERVER);
    assert.equal(c.completion, undefined);
    assert.equal(c.chat?.model, 'Qwen/Qwen2.5-Coder-7B-Instruct');
    assert.match(c.problems[0] ?? '', /None of the models on team-gpu\.example:8000 can fill in the middle \(Qwen\/Qwen2\.5-Coder-7B-Instruct is a chat model\), so inline completions are off/);
    assert.match(c.explanation, /^Chat: .* It is served by team-gpu\.example:8000, not this machine\.$/);
  });

  it('a chat-only model set for completions is refused for them and offered for chat', function () {
    const c = chooseRemoteModels([{ name: 'Qwen/Qwen2.5-Coder-7B' }, { name: 'meta-llama/Llama-3.1-8B-Instruct' }], SERVER, { completionModel: 'meta-llama/Llama-3.1-8B-Instruct' });
    assert.equal(c.completion?.model, 'Qwen/Qwen2.5-Coder-7B');
    assert.equal(c.chat?.model, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.match(c.problems[0] ?? '', /is a chat model without fill-in-the-middle, so it cannot do inline completions; it is offered for chat only/);
  });

  it('overrides: honoured when served, explained when not', function () {
    const models = [{ name: 'Qwen/Qwen2.5-Coder-7B' }, { name: 'Qwen/Qwen2.5-Coder-1.5B' }, { name: 'Qwen/Qwen2.5-Coder-7B-Instruct' }];
    const mine = chooseRemoteModels(models, SERVER, { completionModel: 'Qwen/Qwen2.5-Coder-1.5B', chatModel: 'auto' });
    assert.equal(mine.completion?.model, 'Qwen/Qwen2.5-Coder-1.5B');
    assert.equal(mine.completion?.why, 'your setting');
    const missing = chooseRemoteModels(models, SERVER, { chatModel: 'qwen2.5-coder:32b' });
    assert.equal(missing.chat?.model, 'Qwen/Qwen2.5-Coder-7B-Instruct');
    assert.match(missing.problems[0] ?? '', /"qwen2\.5-coder:32b" is not served by team-gpu\.example:8000 \(it serves /);
  });

  it('base models only: no chat, says so', function () {
    const c = chooseRemoteModels([{ name: 'Qwen/Qwen2.5-Coder-7B' }], SERVER);
    assert.equal(c.chat, undefined);
    assert.match(c.problems.join(' '), /is an instruct model, so chat and the actions are off/);
  });
});
