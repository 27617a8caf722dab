// Messages and the status name the server actually in use ("vLLM at …", "llama.cpp server at …"),
// never "Ollama" for a team server.

import assert from 'node:assert/strict';
import { OpenAICompatibleBackend } from '../../../src/backend/openai';
import { serverName } from '../../../src/backend/probe';
import { readAnswer } from '../../../src/backend/stream';
import { statusView, type StatusFacts } from '../../../src/ui/statusView';
import { OpenAISimulator } from '../../sim/openai/server';

const FIM = '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>';

describe('server names in messages', function () {
  this.timeout(10_000);

  it('names each kind of server', () => {
    assert.equal(serverName('openai', 'vLLM', 'https://gpu:8000'), 'vLLM at https://gpu:8000');
    assert.equal(serverName('openai', 'llama.cpp', 'http://box:8012'), 'llama.cpp server at http://box:8012');
    assert.equal(serverName('openai', 'an OpenAI-compatible server', 'http://x'), 'The OpenAI-compatible server at http://x');
    assert.equal(serverName('ollama', 'Ollama 0.13.0', 'http://127.0.0.1:11434'), 'Ollama at http://127.0.0.1:11434');
    assert.equal(serverName(undefined, undefined, 'http://x'), 'The model server at http://x');
  });

  it('the status of a team server never says Ollama', () => {
    const base: StatusFacts = { connection: 'offline', host: 'https://gpu:8000', completionModel: 'c', chatModel: 'q', completionsEnabled: true, working: [], now: 0, serverKind: 'openai', serverName: 'vLLM at https://gpu:8000' };
    for (const connection of ['offline', 'connecting', 'busy', 'error', 'ready'] as const) {
      const view = statusView({ ...base, connection });
      assert.doesNotMatch(view.tooltip, /ollama/i, connection);
    }
    assert.match(statusView(base).tooltip, /^vLLM at https:\/\/gpu:8000 is not reachable\. Check that it runs/);
    assert.match(statusView({ ...base, connection: 'connecting' }).tooltip, /^Connecting to vLLM at https:\/\/gpu:8000…/);
    assert.match(statusView({ ...base, serverKind: 'ollama', serverName: undefined, host: 'http://127.0.0.1:11434' }).tooltip, /Ollama is not reachable at http:\/\/127\.0\.0\.1:11434.*ollama serve/);
  });

  for (const [flavour, name] of [
    ['vllm', 'vLLM'],
    ['llamacpp', 'llama.cpp server'],
  ] as const) {
    it(`errors from ${flavour} say "${name} at …" once the model list was read`, async () => {
      const sim = new OpenAISimulator({ flavour, timing: { tokenMs: 1 } });
      await sim.start();
      try {
        const backend = new OpenAICompatibleBackend({ host: sim.url, infill: 'never' });
        await backend.listModels();
        sim.addFault({ kind: 'status', status: 503, times: 1 });
        const answer = await readAnswer(backend.generate({ model: (await backend.listModels())[0]!.name, prompt: FIM, raw: true }), { host: sim.url });
        assert.equal(answer.error?.kind, 'busy');
        assert.match(answer.error?.message ?? '', new RegExp(`^${name.replace('.', '\\.')} at http://127\\.0\\.0\\.1:\\d+ is busy \\(503\\)`));
      } finally {
        await sim.stop();
      }
    });
  }
});
