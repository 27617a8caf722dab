import * as assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/hardware/catalog';
import type { HardwareInfo } from '../../../src/hardware/types';
import { silentLogger } from '../../../src/log';
import { createModelManager, isModelManager } from '../../../src/models/manager';
import type { ModelResolver } from '../../../src/services';
import { FakeBackend, installed } from '../support/fakeBackend';

function rtx4080(usedMiB: number, detectedAt = 1): HardwareInfo {
  return {
    gpus: [{ vendor: 'nvidia', index: 0, name: 'NVIDIA GeForce RTX 4080', totalBytes: 16376 * MiB, usedBytes: usedMiB * MiB, freeBytes: (16376 - usedMiB) * MiB, source: 'nvidia-smi' }],
    system: { platform: 'linux', arch: 'x64', totalRamBytes: 32 * GiB, freeRamBytes: 16 * GiB, cpuCores: 16, cpuModel: 'x' },
    notes: [],
    detectedAt,
  };
}

function settingsStore() {
  const s = { completion: { model: 'auto', allowLargeModels: false }, chat: { model: 'auto' } };
  return { s, get: () => s };
}

describe('models/manager', () => {
  it('is a ModelResolver: the safe CPU default before detection, the detected choice after', async () => {
    let release: (hw: HardwareInfo) => void = () => {};
    const detection = new Promise<HardwareInfo>((resolve) => (release = resolve));
    const { get } = settingsStore();
    const manager = createModelManager({
      settings: get,
      backend: () => new FakeBackend(),
      log: silentLogger,
      detect: () => detection,
      totalRamBytes: 16 * GiB,
    });
    const resolver: ModelResolver = manager;
    assert.ok(isModelManager(resolver));
    // Before detection: the CPU-only pick for 16 GB of RAM.
    assert.equal(resolver.completionModel(), 'qwen2.5-coder:1.5b-base');
    assert.equal(resolver.chatModel(), 'qwen2.5-coder:3b');
    const ready = manager.ready();
    release(rtx4080(600));
    await ready;
    assert.equal(resolver.completionModel(), 'qwen2.5-coder:7b-base');
    assert.equal(resolver.chatModel(), 'qwen2.5-coder:7b');
    assert.equal(manager.completionNumCtx(), 8192);
    assert.equal(manager.chatNumCtx(), 16384);
  });

  it('explicit settings win at once, and allowLargeModels changes the choice without detecting again', async () => {
    const { s, get } = settingsStore();
    let detections = 0;
    const manager = createModelManager({
      settings: get,
      backend: () => new FakeBackend(),
      log: silentLogger,
      detect: async () => {
        detections++;
        return rtx4080(600);
      },
    });
    await manager.ready();
    s.chat.model = 'llama3.1:8b';
    assert.equal(manager.chatModel(), 'llama3.1:8b');
    s.completion.allowLargeModels = true;
    // 16 GB with large models allowed: 14b serves both.
    assert.equal(manager.completionModel(), 'qwen2.5-coder:14b');
    assert.equal(detections, 1);
  });

  it('counts what Ollama holds as free (from /api/ps) when detecting', async () => {
    const { get } = settingsStore();
    // Our 7b chat model is loaded: only 9 GiB free on the card.
    const backend = new FakeBackend({ loaded: [{ name: 'qwen2.5-coder:7b', sizeBytes: 6.5 * GiB, sizeVramBytes: 6.4 * GiB }] });
    const manager = createModelManager({ settings: get, backend: () => backend, log: silentLogger, detect: async () => rtx4080(7150) });
    await manager.ready();
    assert.equal(manager.completionModel(), 'qwen2.5-coder:7b-base');
    assert.equal(manager.chatModel(), 'qwen2.5-coder:7b');
    assert.ok(backend.calls.includes('loadedModels'));
  });

  it('an unreachable Ollama during detection changes nothing but the reclaim', async () => {
    const { get } = settingsStore();
    const backend = new FakeBackend({ failWith: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) });
    const manager = createModelManager({ settings: get, backend: () => backend, log: silentLogger, detect: async () => rtx4080(600) });
    await manager.ready();
    assert.equal(manager.completionModel(), 'qwen2.5-coder:7b-base');
    assert.equal(await manager.refreshInstalled(), undefined);
    assert.equal(manager.installed(), undefined);
  });

  it('stands in with installed models once they are listed, and tells listeners', async () => {
    const { get } = settingsStore();
    const backend = new FakeBackend({ installed: [installed('qwen2.5-coder:3b-base'), installed('qwen2.5-coder:7b')] });
    const manager = createModelManager({ settings: get, backend: () => backend, log: silentLogger, detect: async () => rtx4080(600) });
    let changes = 0;
    manager.onDidChange(() => changes++);
    await manager.ready();
    assert.equal(manager.completionModel(), 'qwen2.5-coder:7b-base'); // not listed yet
    await manager.refreshInstalled();
    assert.equal(manager.completionModel(), 'qwen2.5-coder:7b');
    assert.equal(manager.resolved().completion.source, 'installed');
    assert.equal(manager.chatModel(), 'qwen2.5-coder:7b');
    assert.equal(changes, 2);
  });

  it('redetect runs detection again and updates the choice', async () => {
    const { get } = settingsStore();
    const answers = [rtx4080(600, 1), { ...rtx4080(600, 2), gpus: [] }];
    const manager = createModelManager({
      settings: get,
      backend: () => new FakeBackend(),
      log: silentLogger,
      detect: async () => answers.shift() as HardwareInfo,
    });
    await manager.ready();
    assert.equal(manager.choice().device, 'gpu');
    await manager.redetect();
    assert.equal(manager.choice().device, 'cpu');
    assert.equal(manager.completionModel(), 'qwen2.5-coder:1.5b-base');
  });

  it('a failing detection leaves the safe default and does not reject', async () => {
    const { get } = settingsStore();
    const manager = createModelManager({
      settings: get,
      backend: () => new FakeBackend(),
      log: silentLogger,
      detect: () => Promise.reject(new Error('boom')),
      totalRamBytes: 8 * GiB,
    });
    assert.equal(await manager.ready(), undefined);
    assert.equal(manager.completionModel(), 'qwen2.5-coder:1.5b-base');
    assert.equal(manager.chatModel(), 'qwen2.5-coder:1.5b');
  });
});
