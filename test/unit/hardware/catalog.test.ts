import * as assert from 'node:assert/strict';
import {
  CATALOG,
  GiB,
  MiB,
  RUNTIME_OVERHEAD_BYTES,
  canonicalTag,
  equivalentModel,
  findModel,
  kvCacheBytes,
  memoryNeed,
  modelsFor,
  normalizeTag,
  sameModel,
} from '../../../src/hardware/catalog';
import { formatDownload, formatMemory } from '../../../src/hardware/units';

const model = (tag: string) => {
  const m = findModel(tag);
  assert.ok(m, `${tag} is in the catalog`);
  return m;
};

describe('hardware/catalog', () => {
  it('lists the Qwen2.5-Coder base and instruct sizes and Qwen3-Coder 30b', () => {
    assert.deepEqual(
      CATALOG.map((m) => m.tag),
      [
        'qwen2.5-coder:0.5b-base',
        'qwen2.5-coder:1.5b-base',
        'qwen2.5-coder:3b-base',
        'qwen2.5-coder:7b-base',
        'qwen2.5-coder:14b-base',
        'qwen2.5-coder:32b-base',
        'qwen2.5-coder:0.5b',
        'qwen2.5-coder:1.5b',
        'qwen2.5-coder:3b',
        'qwen2.5-coder:7b',
        'qwen2.5-coder:14b',
        'qwen2.5-coder:32b',
        'qwen3-coder:30b',
      ],
    );
  });

  it('KV cache = 2 × layers × KV heads × head size × tokens × 2 bytes', () => {
    // 7B: 28 layers, 4 KV heads, head 128 → 57,344 bytes a token → 448 MiB at 8,192 tokens.
    assert.equal(kvCacheBytes(model('qwen2.5-coder:7b-base'), 8192), 448 * MiB);
    // 14B: 48 layers, 8 KV heads → 196,608 bytes a token → 3 GiB at 16,384 tokens.
    assert.equal(kvCacheBytes(model('qwen2.5-coder:14b'), 16384), 3 * GiB);
    // 0.5B: 24 layers, 2 KV heads, head 64 → 12,288 bytes a token.
    assert.equal(kvCacheBytes(model('qwen2.5-coder:0.5b'), 1000), 12_288_000);
    // Qwen3-Coder-30B-A3B: 48 layers, 4 KV heads → 1.5 GiB at 16,384 tokens.
    assert.equal(kvCacheBytes(model('qwen3-coder:30b'), 16384), 1.5 * GiB);
    // Never more than the model's own context length.
    assert.equal(kvCacheBytes(model('qwen2.5-coder:1.5b'), 1_000_000), kvCacheBytes(model('qwen2.5-coder:1.5b'), 32768));
  });

  it('need = weights + KV cache + 1 GiB of runtime', () => {
    const m = model('qwen2.5-coder:7b-base');
    assert.equal(RUNTIME_OVERHEAD_BYTES, GiB);
    assert.equal(memoryNeed(m, 8192), 4.7e9 + 448 * MiB + GiB);
    assert.equal(formatMemory(memoryNeed(m, 8192)), '5.8 GB');
    assert.equal(formatMemory(memoryNeed(model('qwen2.5-coder:14b'), 16384)), '12.4 GB');
  });

  it('orders models for a role best first; chat puts Qwen3-Coder above 32b', () => {
    assert.deepEqual(
      modelsFor('completion').map((m) => m.tag),
      ['32b', '14b', '7b', '3b', '1.5b', '0.5b'].map((s) => `qwen2.5-coder:${s}-base`),
    );
    assert.deepEqual(modelsFor('chat').slice(0, 3).map((m) => m.tag), ['qwen3-coder:30b', 'qwen2.5-coder:32b', 'qwen2.5-coder:14b']);
  });

  it('compares tags as Ollama does (case, implicit :latest, namespaces)', () => {
    assert.equal(normalizeTag('Qwen2.5-Coder'), 'qwen2.5-coder:latest');
    assert.equal(normalizeTag('hf.co/org/model'), 'hf.co/org/model:latest');
    assert.equal(normalizeTag('localhost:5000/model'), 'localhost:5000/model:latest');
    assert.ok(sameModel('qwen2.5-coder:7B-base', 'qwen2.5-coder:7b-base'));
    assert.ok(!sameModel('qwen2.5-coder:7b', 'qwen2.5-coder:7b-base'));
    assert.equal(findModel('QWEN3-CODER:30B')?.family, 'qwen3-coder');
    assert.equal(findModel('llama3'), undefined);
  });

  it('knows the library aliases of a catalog model', () => {
    assert.equal(canonicalTag('qwen2.5-coder:7b-instruct'), 'qwen2.5-coder:7b');
    assert.equal(canonicalTag('qwen2.5-coder:7b-instruct-q4_K_M'), 'qwen2.5-coder:7b');
    assert.equal(canonicalTag('qwen2.5-coder:7b-base-q4_K_M'), 'qwen2.5-coder:7b-base');
    assert.equal(canonicalTag('qwen2.5-coder'), 'qwen2.5-coder:7b');
    assert.equal(canonicalTag('qwen3-coder:latest'), 'qwen3-coder:30b');
    // Other quantizations are other sizes: not aliases.
    assert.equal(canonicalTag('qwen2.5-coder:7b-base-q8_0'), 'qwen2.5-coder:7b-base-q8_0');
    assert.equal(canonicalTag('llama3'), 'llama3:latest');
    assert.ok(equivalentModel('qwen2.5-coder:1.5b-instruct', 'qwen2.5-coder:1.5b'));
    assert.ok(!equivalentModel('qwen2.5-coder:1.5b-base', 'qwen2.5-coder:1.5b'));
    assert.equal(findModel('qwen2.5-coder:14b-instruct-q4_K_M')?.tag, 'qwen2.5-coder:14b');
  });

  it('formats memory in binary units and downloads in decimal units', () => {
    assert.equal(formatMemory(24 * GiB), '24.0 GB');
    assert.equal(formatMemory(512 * MiB), '512 MB');
    assert.equal(formatMemory(128 * GiB), '128 GB');
    assert.equal(formatDownload(4.7e9), '4.7 GB');
    assert.equal(formatDownload(986e6), '986 MB');
    assert.equal(formatDownload(1500), '2 KB');
    assert.equal(formatDownload(12), '12 B');
  });
});
