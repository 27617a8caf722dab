// Embeddings through the real clients: Ollama's /api/embed (`ollama` package) and /v1/embeddings
// (`openai` package) against the simulators, with the servers' real error texts for bad models.

import assert from 'node:assert/strict';
import { BackendError } from '../../../src/backend/errors';
import { OllamaBackend } from '../../../src/backend/ollama';
import { OpenAICompatibleBackend } from '../../../src/backend/openai';
import { SIM_EMBEDDING_DIMS, simEmbedding } from '../../sim/embeddings';
import { OpenAISimulator } from '../../sim/openai/server';
import { OllamaSimulator } from '../../sim/simulator';

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected a BackendError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i], 0);
}

describe('backend embed against the Ollama simulator', function () {
  this.timeout(15_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 1 } });
  let backend: OllamaBackend;

  before(async () => {
    await sim.start();
  });
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.addModel({ name: 'nomic-embed-text', family: 'nomic-bert', capabilities: ['embedding'] });
    backend = new OllamaBackend({ host: sim.url });
  });

  it('embeds a batch in order with unit-length 768-dimension vectors (POST /api/embed)', async () => {
    const texts = ['function resolveHost(url) {}', 'class RetryPolicy { backoff() {} }', 'resolve the host name'];
    const vectors = await backend.embed('nomic-embed-text', texts);
    assert.equal(vectors.length, 3);
    for (const v of vectors) {
      assert.equal(v.length, SIM_EMBEDDING_DIMS);
      assert.ok(Math.abs(cosine(v, v) - 1) < 1e-6, 'normalized as Ollama does');
    }
    assert.deepEqual(vectors[1], simEmbedding(texts[1]), 'in the order sent');
    assert.ok(cosine(vectors[0], vectors[2]) > cosine(vectors[1], vectors[2]), 'shared words are closer');
    const rec = await sim.waitForRequest({ endpoint: 'embed', finished: true });
    assert.deepEqual(rec.body?.input, texts);
    assert.equal(rec.body?.truncate, true);
  });

  it('an unknown model fails with Ollama\'s 404 text as modelNotFound', async () => {
    const e = await failure(backend.embed('qwen3-embedding:0.6b', ['x']));
    assert.equal(e.kind, 'modelNotFound');
    assert.match(e.detail ?? e.message, /qwen3-embedding:0\.6b/);
  });

  it('a server gone away fails as unreachable, never hangs', async () => {
    const gone = new OllamaBackend({ host: 'http://127.0.0.1:9' });
    const e = await failure(gone.embed('nomic-embed-text', ['x']));
    assert.equal(e.kind, 'unreachable');
  });
});

describe('backend embed against the OpenAI-compatible simulator', function () {
  this.timeout(15_000);
  const sim = new OpenAISimulator({ models: [{ id: 'Qwen/Qwen2.5-Coder-7B' }, { id: 'nomic-ai/nomic-embed-text-v1.5' }] });
  let backend: OpenAICompatibleBackend;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    backend = new OpenAICompatibleBackend({ host: `${sim.url}/v1`, timeouts: { requestMs: 2000 } });
  });

  it('embeds a batch in order through /v1/embeddings (floats asked for)', async () => {
    const texts = ['parse the config file', 'function parseConfig(path) {}'];
    const vectors = await backend.embed('nomic-ai/nomic-embed-text-v1.5', texts);
    assert.equal(vectors.length, 2);
    assert.equal(vectors[0].length, SIM_EMBEDDING_DIMS);
    assert.deepEqual(vectors[1], simEmbedding(texts[1]));
    const rec = await sim.waitForRequest({ endpoint: 'embeddings', finished: true });
    assert.equal(rec.body?.encoding_format, 'float');
  });

  it('an unknown model gets vLLM\'s "does not exist" with the served models', async () => {
    const e = await failure(backend.embed('text-embedding-3-small', ['x']));
    assert.equal(e.kind, 'modelNotFound');
    assert.match(e.message, /text-embedding-3-small/);
  });

  it('a generative model is refused with vLLM\'s 400', async () => {
    const e = await failure(backend.embed('Qwen/Qwen2.5-Coder-7B', ['x']));
    assert.match(e.detail ?? e.message, /does not support Embeddings API/);
  });
});

describe('backend embed against llama-server', function () {
  this.timeout(15_000);
  it('a server started without --embeddings answers 501 with its hint', async () => {
    const sim = new OpenAISimulator({ flavour: 'llamacpp' });
    await sim.start();
    try {
      const backend = new OpenAICompatibleBackend({ host: sim.url, timeouts: { requestMs: 2000 } });
      const e = await failure(backend.embed('any', ['x']));
      assert.match(e.detail ?? e.message, /--embeddings/);
    } finally {
      await sim.stop();
    }
  });
});
