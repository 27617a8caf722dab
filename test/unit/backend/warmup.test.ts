import assert from 'node:assert/strict';
import type { Backend, GenerateRequest, LoadedModel, StreamChunk } from '../../../src/backend/backend';
import { partlyOnCpuWarning, warmUp } from '../../../src/backend/warmup';

function fakeBackend(loaded: LoadedModel[], requests: GenerateRequest[]): Backend {
  return {
    host: 'http://127.0.0.1:11434',
    async *generate(r: GenerateRequest): AsyncIterable<StreamChunk> {
      requests.push(r);
      yield { text: '', done: true, stats: { doneReason: 'load' } };
    },
    chat: () => {
      throw new Error('not used');
    },
    listModels: async () => [],
    loadedModels: async () => loaded,
    show: async () => ({ capabilities: [] }),
    pull: () => {
      throw new Error('not used');
    },
    embed: () => {
      throw new Error('not used');
    },
    version: async () => '0.12.0',
  };
}

describe('backend/warmup', () => {
  it('sends one empty-prompt load request with keep_alive and no short timeout, showing "loading" meanwhile', async () => {
    const requests: GenerateRequest[] = [];
    const loading: (string | undefined)[] = [];
    const result = await warmUp('qwen2.5-coder:7b-base', {
      backend: fakeBackend([{ name: 'qwen2.5-coder:7b-base', sizeBytes: 6e9, sizeVramBytes: 6e9 }], requests),
      keepAlive: '30m',
      setLoading: (m) => loading.push(m),
    });
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.prompt, '');
    assert.equal(requests[0]!.keepAlive, '30m');
    assert.ok((requests[0]!.limits?.firstTokenMs ?? 0) >= 10 * 60_000, 'a cold load is never cut short');
    assert.deepEqual(loading, ['qwen2.5-coder:7b-base', undefined]);
    assert.deepEqual(result, { cpuShare: 0, sizeBytes: 6e9 });
  });

  it('measures how much of the model ended up on the CPU', async () => {
    const result = await warmUp('m', {
      backend: fakeBackend([{ name: 'm', sizeBytes: 10e9, sizeVramBytes: 7.5e9 }], []),
      keepAlive: '30m',
      setLoading: () => {},
    });
    assert.ok(result);
    assert.ok(Math.abs(result.cpuShare - 0.25) < 1e-9);
    assert.match(partlyOnCpuWarning('m', result) ?? '', /^25 % of m runs on the CPU/);
  });

  it('says nothing when all is on the GPU, and is honest about CPU-only', () => {
    assert.equal(partlyOnCpuWarning('m', { cpuShare: 0, sizeBytes: 1 }), undefined);
    assert.match(partlyOnCpuWarning('m', { cpuShare: 1, sizeBytes: 1 }) ?? '', /entirely on the CPU/);
  });

  it('clears the loading state even when the load fails', async () => {
    const loading: (string | undefined)[] = [];
    const backend = fakeBackend([], []);
    backend.generate = async function* () {
      yield* [];
      throw new Error('boom');
    };
    await assert.rejects(warmUp('m', { backend, keepAlive: '5m', setLoading: (m) => loading.push(m) }), /boom/);
    assert.deepEqual(loading, ['m', undefined]);
  });
});
