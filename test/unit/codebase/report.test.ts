import assert from 'node:assert/strict';
import { chooseEmbeddingModel } from '../../../src/codebase/embeddingModel';
import { checkToolInput, indexStatusReport, toolAnswer } from '../../../src/codebase/report';
import { excludeSecrets, indexWorkspace, SECRET } from './workspace';

describe('codebase report, tool answer and embedding model choice', () => {
  it('the tool answer cites path:line ranges, fits the budget and says what was left out', async () => {
    const index = indexWorkspace();
    const result = await index.search('parse config', { limit: 12 });
    assert.ok(result.hits.length > 3);
    const small = toolAnswer('parse config', result, 400);
    assert.match(small, /^Top code chunks/);
    assert.match(small, /\S+:\d+-\d+\n```/);
    assert.ok(small.length / 4 <= 400 * 1.2, `about 400 tokens, got ${small.length} characters`);
    assert.match(small, /more matches left out/);
    const all = toolAnswer('parse config', result, 20_000);
    assert.ok(!all.includes('left out'));
    assert.ok(!all.includes(SECRET));
    assert.match(toolAnswer('zzzqqq', { hits: [], vectors: 'none' }, 1000), /No code in the workspace index matches/);
    assert.ok(excludeSecrets('.env'));
  });

  it('Show Index Status says which search runs and why, what was skipped, and with no folder says so', () => {
    const report = indexStatusReport({
      workspace: 'demo',
      consent: 'yes',
      files: 12,
      chunks: 40,
      vectors: 0,
      pending: 40,
      storedModel: undefined,
      embedder: chooseEmbeddingModel('auto', ['qwen2.5-coder:7b']),
      indexing: false,
      paused: false,
      lastBuild: { listed: 15, truncated: true, indexed: 12, unchanged: 0, removed: 0, skipped: { excluded: 2, binary: 1 }, embedded: 0, pending: 40, cancelled: false, ms: 1200, finishedAt: '2026-01-01T00:00:00Z' },
      lastLoad: undefined,
      storage: '/tmp/x',
    });
    assert.match(report, /words only \(no embedding model\)/);
    assert.match(report, /ollama pull nomic-embed-text/);
    assert.match(report, /2 excluded .*1 binary/);
    assert.match(report, /more files than the cap/);
    assert.match(indexStatusReport({ workspace: undefined } as Parameters<typeof indexStatusReport>[0]), /No folder is open/);
  });

  it('Show Index Status gives the embedding model offer (its size, that it fits) in place of the generic hint', () => {
    const hint = 'Ollama at 127.0.0.1:11434 has no embedding model, so the codebase index searches by words only. Pull qwen3-embedding:0.6b (639 MB) for search by meaning too?';
    const report = indexStatusReport({
      workspace: 'demo',
      consent: 'yes',
      files: 1,
      chunks: 2,
      vectors: 0,
      pending: 2,
      storedModel: undefined,
      embedder: chooseEmbeddingModel('auto', []),
      embeddingHint: hint,
      indexing: false,
      paused: false,
      lastBuild: undefined,
      lastLoad: undefined,
      storage: undefined,
    });
    assert.ok(report.includes(`Embedding model: ${hint}`));
    assert.ok(!report.includes('ollama pull nomic-embed-text'));
  });

  it('checks the tool input a model sends', () => {
    assert.deepEqual(checkToolInput({ query: ' retry ', pathGlob: 'src/**/*.ts' }), { query: 'retry', pathGlob: 'src/**/*.ts' });
    assert.match(checkToolInput({}) as string, /Give `query`/);
    assert.match(checkToolInput({ query: 'x', pathGlob: 3 }) as string, /glob string/);
    assert.match(checkToolInput({ query: 'x', pathGlob: '*a*a*a*b' }) as string, /refused/);
  });

  it('picks the best embedding model the server has, honours the setting and "none"', () => {
    assert.equal(chooseEmbeddingModel('auto', ['qwen2.5-coder:7b', 'nomic-embed-text:latest', 'qwen3-embedding:0.6b']).model, 'qwen3-embedding:0.6b');
    assert.equal(chooseEmbeddingModel('auto', ['Qwen/Qwen2.5-Coder-7B', 'BAAI/bge-m3']).model, 'BAAI/bge-m3');
    assert.equal(chooseEmbeddingModel('nomic-embed-text', ['nomic-embed-text:latest']).model, 'nomic-embed-text:latest');
    assert.equal(chooseEmbeddingModel('none', ['nomic-embed-text:latest']).model, undefined);
    const missing = chooseEmbeddingModel('mxbai-embed-large', ['qwen2.5-coder:7b']);
    assert.equal(missing.model, undefined);
    assert.match(missing.why, /ollama pull mxbai-embed-large/);
  });
});
