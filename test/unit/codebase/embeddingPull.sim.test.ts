// The embedding model offer end to end, through the real `ollama` client against the Ollama
// simulator: a words-only index, the offer from the model manager's facts (what fits next to the
// models in use on this GPU), the pull (/api/pull), and the next build adding vectors to the chunks
// it has, without reading any file into new chunks.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaBackend } from '../../../src/backend/ollama';
import { currentEmbeddingOffer } from '../../../src/codebase/embeddingOfferFacts';
import { embedderFrom } from '../../../src/codebase/embeddingModel';
import { CodebaseService, type WorkspaceSource } from '../../../src/codebase/service';
import { IndexStore } from '../../../src/codebase/store';
import { MiB, GiB } from '../../../src/hardware/catalog';
import type { HardwareInfo } from '../../../src/hardware/types';
import { silentLogger } from '../../../src/log';
import { createModelManager, type RemoteServer } from '../../../src/models/manager';
import { pullModel } from '../../../src/models/pull';
import { OllamaSimulator } from '../../sim/simulator';
import { excludeSecrets, workspaceFiles } from './workspace';

function gpu(freeMiB: number, totalMiB = 16376): HardwareInfo {
  return {
    gpus: [{ vendor: 'nvidia', index: 0, name: 'NVIDIA GeForce RTX 4080', totalBytes: totalMiB * MiB, usedBytes: (totalMiB - freeMiB) * MiB, freeBytes: freeMiB * MiB, source: 'nvidia-smi' }],
    system: { platform: 'linux', arch: 'x64', totalRamBytes: 32 * GiB, freeRamBytes: 16 * GiB, cpuCores: 8, cpuModel: 'x' },
    notes: [],
    detectedAt: 1,
  };
}

describe('codebase: pulling an embedding model with consent (Ollama simulator)', function () {
  this.timeout(20_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1, pullStepMs: 1, pullSteps: 3 } });
  const files = workspaceFiles();
  const source: WorkspaceSource & { reads: number } = {
    reads: 0,
    async list() {
      return { files: [...files.keys()].map((path) => ({ path, uri: `file:///ws/${path}` })), truncated: false };
    },
    async read(file) {
      source.reads++;
      return files.get(file.path);
    },
  };
  let folder: string;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.addToRegistry({ name: 'qwen3-embedding:0.6b', family: 'qwen3', capabilities: ['embedding'], layers: [639_000_000, 1_200] });
    folder = mkdtempSync(join(tmpdir(), 'qwen-embed-pull-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  async function facts(freeMiB: number, remote?: RemoteServer) {
    const backend = new OllamaBackend({ host: sim.url });
    const settings = { completion: { model: 'auto', allowLargeModels: false }, chat: { model: 'auto' } };
    const models = createModelManager({ settings: () => settings, backend: () => backend, log: silentLogger, detect: async () => gpu(freeMiB), remote: () => remote });
    await models.ready();
    return { backend, models, sources: { backend: () => backend, models, config: { settings: { codebase: { embeddingModel: 'auto' } } } } };
  }

  it('offers the model that fits, pulls it, and the next build embeds the chunks it has', async () => {
    const { backend, sources } = await facts(16000);
    const service = new CodebaseService({
      source,
      store: new IndexStore(folder),
      excluded: excludeSecrets,
      embedder: (signal) => embedderFrom(backend, 'auto', signal),
      log: silentLogger,
    });
    const first = await service.build();
    assert.equal(service.embedder.model, undefined, 'words only: the server has no embedding model');
    assert.equal(first.embedded, 0);

    const offer = await currentEmbeddingOffer(sources, service.embedder.model);
    assert.equal(offer.kind, 'pull');
    if (offer.kind !== 'pull') return;
    assert.equal(offer.tag, 'qwen3-embedding:0.6b');
    assert.equal(offer.button, 'Pull qwen3-embedding:0.6b (639 MB)');
    assert.match(offer.message, /^Ollama at 127\.0\.0\.1:\d+ has no embedding model/);
    assert.match(offer.message, /fits next to qwen2\.5-coder:\S+ and qwen2\.5-coder:\S+ \(NVIDIA GeForce RTX 4080/);

    const outcome = await pullModel(backend, offer.tag);
    assert.equal(outcome.kind, 'success');
    assert.ok(sim.requests.some((r) => r.endpoint === 'pull' && JSON.stringify(r.body).includes('qwen3-embedding:0.6b')));

    const chunks = service.index.chunkCount;
    const second = await service.build();
    assert.equal(service.embedder.model, 'qwen3-embedding:0.6b');
    assert.equal(second.indexed, 0, 'no file became new chunks');
    assert.equal(second.unchanged, first.indexed);
    assert.equal(service.index.chunkCount, chunks);
    assert.equal(second.embedded, chunks, 'every existing chunk got its vector');
    assert.equal(second.pending, 0);
    assert.equal((await service.search('parse the configuration')).vectors, 'used');
    assert.deepEqual(await currentEmbeddingOffer(sources, service.embedder.model), { kind: 'none' });
  });

  it('offers nothing that does not fit next to the models in use, and never a pull to an OpenAI-compatible server', async () => {
    // 8 GB free: the models for completion and chat leave room for the smallest embedding model only.
    const small = await currentEmbeddingOffer((await facts(8000)).sources, undefined);
    assert.equal(small.kind === 'pull' && small.tag, 'all-minilm');
    // 3 GB free: the choice fills it.
    const tight = await currentEmbeddingOffer((await facts(3000)).sources, undefined);
    assert.equal(tight.kind, 'explain');
    assert.match(tight.kind === 'explain' ? tight.message : '', /No embedding model fits next to .* in NVIDIA GeForce RTX 4080/);
    const team = await currentEmbeddingOffer((await facts(16000, { label: 'team-gpu:8000', kind: 'openai' })).sources, undefined);
    assert.equal(team.kind, 'explain');
    assert.match(team.kind === 'explain' ? team.message : '', /^The server at team-gpu:8000 has no embedding model.*qwenLocal\.codebase\.embeddingModel/);
    assert.ok(!sim.requests.some((r) => r.endpoint === 'pull'), 'nothing was pulled');
  });
});
