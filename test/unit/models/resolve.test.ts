import * as assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/hardware/catalog';
import { chooseModels } from '../../../src/hardware/choose';
import type { HardwareInfo } from '../../../src/hardware/types';
import { isAuto, resolveModels } from '../../../src/models/resolve';

const rtx4090: HardwareInfo = {
  gpus: [{ vendor: 'nvidia', index: 0, name: 'NVIDIA GeForce RTX 4090', totalBytes: 24564 * MiB, freeBytes: 22630 * MiB, source: 'nvidia-smi' }],
  system: { platform: 'linux', arch: 'x64', totalRamBytes: 64 * GiB, freeRamBytes: 32 * GiB, cpuCores: 16, cpuModel: 'x' },
  notes: [],
  detectedAt: 1,
};
const choice = chooseModels(rtx4090, { allowLargeModels: false }); // 7b-base + 14b
const settings = (completion = 'auto', chat = 'auto') => ({ completion: { model: completion }, chat: { model: chat } });

describe('models/resolve', () => {
  it('auto takes the hardware choice', () => {
    const r = resolveModels(settings(), choice);
    assert.equal(r.completion.tag, 'qwen2.5-coder:7b-base');
    assert.equal(r.completion.source, 'auto');
    assert.equal(r.completion.numCtx, 8192);
    assert.equal(r.chat.tag, 'qwen2.5-coder:14b');
    assert.equal(r.chat.numCtx, 16384);
  });

  it('an explicit setting wins', () => {
    const r = resolveModels(settings(' codellama:7b-code ', 'llama3.1:8b'), choice, []);
    assert.equal(r.completion.tag, 'codellama:7b-code');
    assert.equal(r.completion.source, 'setting');
    assert.equal(r.completion.recommended, 'qwen2.5-coder:7b-base');
    assert.equal(r.chat.tag, 'llama3.1:8b');
  });

  it('"auto" in any case, or empty, means auto', () => {
    assert.ok(isAuto('AUTO'));
    assert.ok(isAuto(' auto '));
    assert.ok(isAuto(''));
    assert.ok(!isAuto('qwen2.5-coder:7b'));
  });

  it('recommended model missing: the best installed catalog model that fits stands in', () => {
    const r = resolveModels(settings(), choice, ['qwen2.5-coder:1.5b-base', 'qwen2.5-coder:3b', 'qwen2.5-coder:7b', 'llama3:8b']);
    // Completion: 7b instruct (rank 7) beats 1.5b-base; chat: 7b is the best instruct installed.
    assert.equal(r.completion.tag, 'qwen2.5-coder:7b');
    assert.equal(r.completion.source, 'installed');
    assert.equal(r.chat.tag, 'qwen2.5-coder:7b');
    // Both roles on one model: one num_ctx, so Ollama does not reload it between them.
    assert.equal(r.completion.numCtx, 16384);
    assert.equal(r.chat.numCtx, 16384);
  });

  it('prefers a base model over an instruct model of the same size for completion', () => {
    const r = resolveModels(settings(), choice, ['qwen2.5-coder:3b', 'qwen2.5-coder:3b-base']);
    assert.equal(r.completion.tag, 'qwen2.5-coder:3b-base');
    assert.equal(r.chat.tag, 'qwen2.5-coder:3b');
  });

  it('never stands in with a larger model than recommended, nor one that does not fit', () => {
    const r = resolveModels(settings(), choice, ['qwen2.5-coder:32b', 'qwen2.5-coder:32b-base', 'qwen3-coder:30b']);
    assert.equal(r.completion.tag, 'qwen2.5-coder:7b-base');
    assert.equal(r.completion.source, 'auto');
    assert.equal(r.chat.tag, 'qwen2.5-coder:14b');
    assert.equal(r.chat.source, 'auto');
  });

  it('asks for the name Ollama has when the recommendation is installed under a library alias', () => {
    const r = resolveModels(settings(), choice, ['qwen2.5-coder:7b-base-q4_K_M', 'qwen2.5-coder:14b-instruct']);
    assert.equal(r.completion.tag, 'qwen2.5-coder:7b-base-q4_K_M');
    assert.equal(r.completion.source, 'auto');
    assert.equal(r.chat.tag, 'qwen2.5-coder:14b-instruct');
    assert.equal(r.chat.recommended, 'qwen2.5-coder:14b');
  });

  it('keeps the recommendation when it is installed (names compare as Ollama does)', () => {
    const r = resolveModels(settings(), choice, ['Qwen2.5-Coder:7b-base', 'qwen2.5-coder:14b', 'qwen2.5-coder:3b']);
    assert.equal(r.completion.source, 'auto');
    assert.equal(r.chat.source, 'auto');
  });
});
