// What differs between an old Ollama (0.6.5) and a current one (0.13.0) that Qwen Local uses, each
// against the simulator's profile for that version (test/sim/profiles.ts) through the real client.
// The version table and the Ollama source it follows: src/backend/probe.ts `ollamaFeatures`.

import assert from 'node:assert/strict';
import type { StreamChunk } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';
import { OllamaBackend } from '../../../src/backend/ollama';
import { ollamaFeatures, probeServer } from '../../../src/backend/probe';
import { residentState } from '../../../src/backend/residency';
import { partlyOnCpuWarning } from '../../../src/backend/warmup';
import { PROFILES } from '../../sim/profiles';
import { OllamaSimulator } from '../../sim/simulator';

const BASE = 'qwen2.5-coder:1.5b-base';
const CHAT = 'qwen2.5-coder:1.5b-instruct';

async function chunksOf(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

describe('backend/ollama: old and current Ollama', function () {
  it('reads what a version implies (unknown: current)', function () {
    assert.deepEqual(ollamaFeatures('0.6.5'), { psContextLength: false, errorStatusBeforeFirstToken: false, streamsContentWithTools: false, oneSlotByDefault: false });
    assert.deepEqual(ollamaFeatures('0.13.0'), { psContextLength: true, errorStatusBeforeFirstToken: true, streamsContentWithTools: true, oneSlotByDefault: true });
    assert.equal(ollamaFeatures('0.9.7-rc1').psContextLength, false, 'only release candidates had it before 0.10.0');
    assert.equal(ollamaFeatures('0.8.0').streamsContentWithTools, true);
    assert.equal(ollamaFeatures(undefined).streamsContentWithTools, true);
    assert.equal(ollamaFeatures('0.0.0-dev').psContextLength, false);
    assert.equal(ollamaFeatures('dev build').psContextLength, true, 'an unreadable version counts as current');
  });

  it('on an old server, the CPU-spill warning names OLLAMA_NUM_PARALLEL (4 slots by default before 0.10)', function () {
    const spill = { cpuShare: 0.3, sizeBytes: 1 };
    assert.match(partlyOnCpuWarning('m', spill, '0.6.5') ?? '', /OLLAMA_NUM_PARALLEL=1/);
    assert.doesNotMatch(partlyOnCpuWarning('m', spill, '0.13.0') ?? '', /NUM_PARALLEL/);
    assert.equal(partlyOnCpuWarning('m', { cpuShare: 0, sizeBytes: 1 }, '0.6.5'), undefined);
  });

  for (const profile of ['old', 'current'] as const) {
    describe(`Ollama ${PROFILES[profile]} (${profile} profile)`, function () {
      this.timeout(15_000);
      const sim = new OllamaSimulator({ profile, timing: { loadMs: 5, tokenMs: 1 } });
      const old = profile === 'old';
      before(() => sim.start());
      after(() => sim.stop());
      beforeEach(() => {
        sim.reset();
        sim.setTiming({ loadMs: 5, tokenMs: 1 });
      });

      it('the probe reads the version, and the log says how an old one is handled', async function () {
        const result = await probeServer({ kind: 'auto', url: sim.url });
        assert.equal(result.version, PROFILES[profile]);
        if (old) assert.match(result.summary, /Older than 0\.10: .*OLLAMA_NUM_PARALLEL.*context.*tools/);
        else assert.equal(result.summary, `Found Ollama ${PROFILES[profile]} at ${new URL(sim.url).host}.`);
      });

      it('an error before the first token is the same server error, whether as a status or as a line after 200', async function () {
        sim.addFault({ kind: 'errorLine', endpoint: 'generate', after: 0, error: 'llama runner process has terminated: exit status 2', times: 1 });
        const backend = new OllamaBackend({ host: sim.url });
        let error: unknown;
        try {
          await chunksOf(backend.generate({ model: BASE, prompt: 'x', raw: true }));
        } catch (e) {
          error = e;
        }
        assert.ok(error instanceof BackendError, String(error));
        assert.equal(error.kind, 'server');
        assert.match(error.message, /llama runner process has terminated/);
        assert.equal(error.status, old ? undefined : 500, 'the only difference: a real status on a current server');
      });

      it('a chat with tools: content streams on a current server, arrives whole on an old one without tripping the first-token limit', async function () {
        const answer = 'Here is a long answer that takes a while to generate, token by token, with no tool call in it.';
        sim.addChatRule({ whenLastUserIncludes: 'explain', answer: { text: answer, tokenMs: 15 } });
        // A first-token and silence limit far below the answer's ~0.4 s.
        const backend = new OllamaBackend({ host: sim.url, timeouts: { firstTokenMs: 150, idleMs: 150 } });
        const tools = [{ name: 'search_codebase', description: 'search', parameters: { type: 'object', properties: {} } }];
        const chunks = await chunksOf(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'explain' }], tools }));
        assert.equal(chunks.map((c) => c.text).join(''), answer);
        if (old) assert.equal(chunks.filter((c) => c.text).length, 1, 'the old server holds the content until its final chunk');
        else assert.ok(chunks.filter((c) => c.text).length > 5, 'streamed');
        // Without tools the limits hold as set, on both.
        sim.addChatRule({ whenLastUserIncludes: 'slowly', answer: { text: answer, tokenMs: 400 } });
        await assert.rejects(chunksOf(backend.chat({ model: CHAT, messages: [{ role: 'user', content: 'slowly' }] })), (e: unknown) => e instanceof BackendError && e.kind === 'timeout');
      });

      it('/api/ps: a model loaded with another context is seen as one where the server says it', async function () {
        const backend = new OllamaBackend({ host: sim.url });
        await chunksOf(backend.generate({ model: BASE, prompt: '', options: { num_ctx: 2048 } }));
        const loaded = await backend.loadedModels();
        assert.equal(residentState(loaded, BASE, 2048), 'loaded');
        assert.equal(residentState(loaded, BASE, 8192), old ? 'loaded' : 'otherContext');
      });
    });
  }
});
