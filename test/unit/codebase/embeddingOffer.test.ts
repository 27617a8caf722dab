import assert from 'node:assert/strict';
import { EMBEDDING_MODELS, embeddingNeedBytes, embeddingOffer, modelsInUse, type OfferFacts } from '../../../src/codebase/embeddingOffer';
import { findModel, GiB, memoryNeed } from '../../../src/hardware/catalog';

const inUse = modelsInUse([
  { tag: 'qwen2.5-coder:1.5b-base', numCtx: 8192 },
  { tag: 'qwen2.5-coder:7b', numCtx: 16384 },
]);
const used = inUse.reduce((sum, m) => sum + m.needBytes, 0);
const local = (budgetBytes: number): OfferFacts => ({
  server: { kind: 'local-ollama', host: 'Ollama at 127.0.0.1:11434', budgetBytes, memoryLabel: 'NVIDIA RTX 4060, 8.0 GB free', inUse },
  setting: 'auto',
  model: undefined,
});

describe('codebase: which embedding model to offer', () => {
  it('counts the models in use once each, by the catalog arithmetic or the installed size', () => {
    assert.deepEqual(
      inUse.map((m) => m.tag),
      ['qwen2.5-coder:1.5b-base', 'qwen2.5-coder:7b'],
    );
    assert.equal(inUse[1].needBytes, memoryNeed(findModel('qwen2.5-coder:7b')!, 16384));
    const shared = modelsInUse([
      { tag: 'qwen2.5-coder:7b', numCtx: 16384 },
      { tag: 'qwen2.5-coder:7b-instruct', numCtx: 16384 },
    ]);
    assert.equal(shared.length, 1, 'one model serving both roles counts once');
    const other = modelsInUse([{ tag: 'llama3.1:8b', numCtx: 8192 }], [{ name: 'llama3.1:8b', sizeBytes: 4.9e9 }]);
    assert.ok(other[0].needBytes > 4.9e9);
  });

  it('a local Ollama: the best model that fits next to the models in use, with its size', () => {
    const roomy = embeddingOffer(local(used + 4 * GiB));
    assert.equal(roomy.kind, 'pull');
    if (roomy.kind !== 'pull') return;
    assert.equal(roomy.tag, 'qwen3-embedding:0.6b');
    assert.equal(roomy.button, 'Pull qwen3-embedding:0.6b (639 MB)');
    assert.match(roomy.message, /^Ollama at 127\.0\.0\.1:11434 has no embedding model, so the codebase index searches by words only\./);
    assert.match(roomy.message, /fits next to qwen2\.5-coder:1\.5b-base and qwen2\.5-coder:7b \(NVIDIA RTX 4060/);
    // Room for nomic-embed-text but not for qwen3-embedding.
    const tight = embeddingOffer(local(used + embeddingNeedBytes(EMBEDDING_MODELS[1].downloadBytes) + 1));
    assert.equal(tight.kind === 'pull' && tight.tag, 'nomic-embed-text');
    assert.equal(tight.kind === 'pull' && tight.button, 'Pull nomic-embed-text (274 MB)');
  });

  it('offers nothing when nothing fits, and says why and what to do', () => {
    const full = embeddingOffer(local(used + 100e6));
    assert.equal(full.kind, 'explain');
    assert.match(full.kind === 'explain' ? full.message : '', /No embedding model fits next to qwen2\.5-coder:1\.5b-base and qwen2\.5-coder:7b in NVIDIA RTX 4060.*all-minilm needs .*Choose smaller models/);
  });

  it('a remote Ollama: its memory is unknown here, so the best model is offered, naming the server', () => {
    const offer = embeddingOffer({ server: { kind: 'remote-ollama', host: 'Ollama at gpu-box:11434' }, setting: 'auto', model: undefined });
    assert.equal(offer.kind === 'pull' && offer.tag, 'qwen3-embedding:0.6b');
    assert.match(offer.kind === 'pull' ? offer.message : '', /^Ollama at gpu-box:11434 has no embedding model.*Pull qwen3-embedding:0\.6b \(639 MB\) onto that server/);
  });

  it('an OpenAI-compatible server cannot pull: it names the setting and the admin', () => {
    const offer = embeddingOffer({ server: { kind: 'openai', host: 'The server at team-gpu:8000' }, setting: 'auto', model: undefined });
    assert.equal(offer.kind, 'explain');
    const message = offer.kind === 'explain' ? offer.message : '';
    assert.match(message, /^The server at team-gpu:8000 has no embedding model/);
    assert.match(message, /cannot download models to it.*admin.*qwenLocal\.codebase\.embeddingModel/);
  });

  it('a model named in the setting is the one offered; "none" and a model in use offer nothing', () => {
    const named = embeddingOffer({ ...local(used + 4 * GiB), setting: 'mxbai-embed-large' });
    assert.equal(named.kind === 'pull' && named.tag, 'mxbai-embed-large');
    assert.equal(named.kind === 'pull' && named.button, 'Pull mxbai-embed-large (size unknown)');
    assert.match(named.kind === 'pull' ? named.message : '', /has no model "mxbai-embed-large" \(qwenLocal\.codebase\.embeddingModel\)/);
    assert.equal(embeddingOffer({ ...local(used + 4 * GiB), setting: 'nomic-embed-text' }).kind === 'pull', true);
    assert.deepEqual(embeddingOffer({ ...local(used + 4 * GiB), setting: 'none' }), { kind: 'none' });
    assert.deepEqual(embeddingOffer({ ...local(used + 4 * GiB), model: 'nomic-embed-text:latest' }), { kind: 'none' });
  });
});
