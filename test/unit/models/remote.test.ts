// Models for a server that is not this machine: chosen from its list, never from this GPU; the
// report names the server; pulling is refused for OpenAI-compatible servers.

import * as assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/hardware/catalog';
import { fallbackChoice } from '../../../src/hardware/choose';
import type { HardwareInfo } from '../../../src/hardware/types';
import { silentLogger } from '../../../src/log';
import { createModelManager, type RemoteServer } from '../../../src/models/manager';
import { buildHardwareReport } from '../../../src/models/report';
import { FakeBackend, installed } from '../support/fakeBackend';

const bigGpu: HardwareInfo = {
  gpus: [{ vendor: 'nvidia', index: 0, name: 'NVIDIA RTX 4090', totalBytes: 24564 * MiB, usedBytes: 0, freeBytes: 24564 * MiB, source: 'nvidia-smi' }],
  system: { platform: 'linux', arch: 'x64', totalRamBytes: 64 * GiB, freeRamBytes: 40 * GiB, cpuCores: 16, cpuModel: 'x' },
  notes: [],
  detectedAt: 1,
};

function build(remote: RemoteServer | undefined, listed = [installed('Qwen/Qwen2.5-Coder-32B-Instruct'), installed('Qwen/Qwen2.5-Coder-7B')]) {
  const s = { completion: { model: 'auto', allowLargeModels: false }, chat: { model: 'auto' } };
  const backend = new FakeBackend({ installed: listed.map((m) => ({ ...m, contextLength: 32768 })) });
  const manager = createModelManager({ settings: () => s, backend: () => backend, log: silentLogger, detect: async () => bigGpu, remote: () => remote });
  return { manager, backend, s };
}

describe('models for a remote server', () => {
  it('chooses from what a team server lists, not from this machine\'s GPU', async () => {
    const { manager, backend } = build({ label: 'team-gpu.example:8000', kind: 'openai' });
    await manager.ready();
    await manager.refreshInstalled();
    assert.equal(manager.completionModel(), 'Qwen/Qwen2.5-Coder-7B');
    assert.equal(manager.chatModel(), 'Qwen/Qwen2.5-Coder-32B-Instruct');
    assert.ok(manager.completionNumCtx() <= 32768);
    assert.ok(!backend.calls.includes('loadedModels'), 'no /api/ps on a server that is not this machine');
    assert.match(manager.remoteChoice()?.explanation ?? '', /served by team-gpu\.example:8000, not this machine/);
  });

  it('a remote Ollama is chosen from too, and may pull; an OpenAI-compatible server may not', async () => {
    const ollama = build({ label: 'gpu-box:11434', kind: 'ollama' }, [installed('qwen2.5-coder:14b-base'), installed('qwen2.5-coder:14b')]);
    await ollama.manager.refreshInstalled();
    assert.equal(ollama.manager.completionModel(), 'qwen2.5-coder:14b-base');
    assert.equal(ollama.manager.pullRefusal(), undefined);
    const team = build({ label: 'team-gpu.example:8000', kind: 'openai' });
    assert.match(team.manager.pullRefusal() ?? '', /team-gpu\.example:8000 is an OpenAI-compatible server.*cannot download models/);
    assert.equal(build(undefined).manager.pullRefusal(), undefined, 'a local Ollama pulls');
  });

  it('a setting that names a listed model wins; one the server lacks is explained', async () => {
    const { manager, s } = build({ label: 'team-gpu.example:8000', kind: 'openai' });
    await manager.refreshInstalled();
    s.chat.model = 'Qwen/Qwen2.5-Coder-32B-Instruct';
    assert.equal(manager.chatModel(), 'Qwen/Qwen2.5-Coder-32B-Instruct');
    s.completion.model = 'qwen2.5-coder:7b-base';
    assert.match(manager.remoteChoice()?.problems.join(' ') ?? '', /"qwen2\.5-coder:7b-base" is not served by team-gpu\.example:8000/);
    assert.equal(manager.completionModel(), 'Qwen/Qwen2.5-Coder-7B', 'a listed model instead');
  });

  it('Show Hardware and Models says "served by <host>, not this machine"', async () => {
    const { manager } = build({ label: 'team-gpu.example:8000', kind: 'openai' });
    await manager.refreshInstalled();
    const text = buildHardwareReport({
      hardware: bigGpu,
      choice: fallbackChoice(64 * GiB, 16),
      resolved: manager.resolved(),
      allowLargeModels: false,
      host: 'http://team-gpu.example:8000',
      version: 'vLLM',
      installed: manager.installed(),
      now: 0,
      remote: { label: 'team-gpu.example:8000', kind: 'openai', choice: manager.remoteChoice() },
    });
    assert.match(text, /Models served by team-gpu\.example:8000, not this machine/);
    assert.match(text, /\| Completion \| `Qwen\/Qwen2\.5-Coder-7B` \|/);
    assert.match(text, /pulling is an Ollama action/);
    assert.doesNotMatch(text, /Memory budget/, 'no local-GPU reasoning for a team server');
  });
});
