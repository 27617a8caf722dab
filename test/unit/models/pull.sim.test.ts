// The pull flow and the /api/ps ground truth through the real backend (src/backend/ollama.ts)
// against the Ollama simulator (test/sim): real HTTP, real NDJSON, real aborts.

import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/backend/ollama';
import { GiB } from '../../../src/hardware/catalog';
import { gpuSplit } from '../../../src/hardware/parse';
import { silentLogger } from '../../../src/log';
import { createModelManager } from '../../../src/models/manager';
import { pullModel, type PullSnapshot } from '../../../src/models/pull';
import { OllamaSimulator } from '../../sim/simulator';

const MODEL = 'qwen2.5-coder:0.5b-base';

describe('models/pull against the Ollama simulator', function () {
  this.timeout(15000);
  let sim: OllamaSimulator;
  let backend: OllamaBackend;

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 1, pullStepMs: 2, pullSteps: 4 } });
    await sim.start();
    backend = new OllamaBackend({ host: sim.url });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('pulls a model: progress over its layers, then it is installed', async () => {
    const snaps: PullSnapshot[] = [];
    const outcome = await pullModel(backend, MODEL, { onProgress: (s) => snaps.push(s) });
    assert.equal(outcome.kind, 'success');
    assert.deepEqual(
      [...new Set(snaps.map((s) => s.phase))],
      ['starting', 'manifest', 'downloading', 'verifying', 'writing', 'done'],
    );
    const downloading = snaps.filter((s) => s.phase === 'downloading');
    for (let i = 1; i < downloading.length; i++) {
      assert.ok(downloading[i].completedBytes >= downloading[i - 1].completedBytes, 'progress never goes back');
    }
    assert.equal(snaps[snaps.length - 1].percent, 100);
    assert.ok(outcome.kind === 'success' && outcome.totalBytes > 0);
    assert.ok((await backend.listModels()).some((m) => m.name === MODEL));
  });

  it('cancel aborts the request at the server; pulling again resumes where it stopped', async () => {
    sim.configure({ timing: { pullStepMs: 15, pullSteps: 20 } });
    const controller = new AbortController();
    const first = await pullModel(backend, MODEL, {
      signal: controller.signal,
      onProgress: (s) => {
        if (s.phase === 'downloading' && s.percent !== undefined && s.percent > 20) controller.abort();
      },
    });
    assert.equal(first.kind, 'cancelled');
    assert.match(first.kind === 'cancelled' ? first.message : '', /run Pull again to resume/);
    const record = await sim.waitForRequest({ endpoint: 'pull', finished: true });
    assert.equal(record.aborted, true, 'the server saw the request aborted');
    const kept = sim.downloadedBytes(MODEL);
    assert.ok(kept > 0, 'partial download kept');
    assert.ok(!(await backend.listModels()).some((m) => m.name === MODEL));

    sim.configure({ timing: { pullStepMs: 2, pullSteps: 4 } });
    const snaps: PullSnapshot[] = [];
    const second = await pullModel(backend, MODEL, { onProgress: (s) => snaps.push(s) });
    assert.equal(second.kind, 'success');
    const firstDownload = snaps.find((s) => s.phase === 'downloading' && s.totalBytes > 0);
    assert.ok(firstDownload && firstDownload.completedBytes >= kept, 'the second pull started from the kept bytes');
  });

  it('unknown tag: the server error, plainly', async () => {
    const outcome = await pullModel(backend, 'qwen2.5-coder:99b');
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.equal(outcome.resumable, false);
    assert.match(outcome.message, /^Ollama could not pull "qwen2\.5-coder:99b": .*file does not exist\. Check the name at ollama\.com\/library\.$/);
  });

  it('full disk mid-pull: a clear message, resumable', async () => {
    sim.addFault({ kind: 'errorLine', endpoint: 'pull', after: 3, error: 'write /root/.ollama/models/blobs/sha256-x-partial: no space left on device', times: 1 });
    const outcome = await pullModel(backend, MODEL);
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.equal(outcome.resumable, true);
    assert.match(outcome.message, /^Not enough disk space to pull qwen2\.5-coder:0\.5b-base .*Free some space, then run Pull again to resume/);
  });

  it('connection dropped mid-pull: a clear message, resumable', async () => {
    sim.addFault({ kind: 'drop', endpoint: 'pull', after: 3, times: 1 });
    const outcome = await pullModel(backend, MODEL);
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind !== 'failed') return;
    assert.equal(outcome.resumable, true);
    assert.match(outcome.message, /run Pull again to resume/);
  });

  it('Ollama not running: says so', async () => {
    await sim.stop();
    const outcome = await pullModel(backend, MODEL);
    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.kind === 'failed' && outcome.error.kind, 'unreachable');
  });

  it('auto uses an installed alias, stands in with what is installed, and switches after the pull', async () => {
    const settings = { completion: { model: 'auto', allowLargeModels: false }, chat: { model: 'auto' } };
    const manager = createModelManager({
      settings: () => settings,
      backend: () => backend,
      log: silentLogger,
      // 16 GB without a GPU: completion 1.5b-base, chat 3b.
      detect: async () => ({
        gpus: [],
        system: { platform: 'linux', arch: 'x64', totalRamBytes: 16 * GiB, freeRamBytes: 8 * GiB, cpuCores: 8, cpuModel: 'x' },
        notes: [],
        detectedAt: 1,
      }),
    });
    await manager.ready();
    // The simulator starts with qwen2.5-coder:1.5b-base and qwen2.5-coder:1.5b-instruct installed.
    await manager.refreshInstalled();
    assert.equal(manager.completionModel(), 'qwen2.5-coder:1.5b-base');
    assert.equal(manager.resolved().completion.source, 'auto');
    assert.equal(manager.chatModel(), 'qwen2.5-coder:1.5b-instruct', 'the installed alias of 1.5b stands in for 3b');
    assert.equal(manager.resolved().chat.source, 'installed');

    const outcome = await pullModel(backend, manager.resolved().chat.recommended);
    assert.equal(outcome.kind, 'success');
    await manager.refreshInstalled();
    assert.equal(manager.chatModel(), 'qwen2.5-coder:3b');
    assert.equal(manager.resolved().chat.source, 'auto');
    // The name resolved is one the server answers to.
    for await (const chunk of backend.chat({ model: manager.chatModel(), messages: [{ role: 'user', content: 'hi' }] })) {
      if (chunk.done) break;
    }
  });

  it('/api/ps ground truth: a model larger than the GPU runs partly on the CPU', async () => {
    sim.configure({ vramBytes: 600 * 1024 * 1024 });
    for await (const chunk of backend.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'def add(a, b):', options: { num_ctx: 2048 } })) {
      if (chunk.done) break;
    }
    const [loaded] = await backend.loadedModels();
    assert.ok(loaded, 'the model is loaded');
    const split = gpuSplit(loaded);
    assert.ok(split.gpuFraction !== undefined && split.gpuFraction > 0 && split.gpuFraction < 1);
    assert.match(split.label, /^\d+ % on CPU$/);
  });
});
