import * as assert from 'node:assert/strict';
import { CodebaseIndex, fitHitsToBudget } from '../../../src/codebase/codebaseIndex';
import { estimateTokens } from '../../../src/completion/budget';
import { hashEmbedder } from './hashEmbed';
import { excludeSecrets, indexWorkspace, SECRET, workspaceFiles } from './workspace';

const signal = (): AbortSignal => new AbortController().signal;

describe('codebase index: exclusion', () => {
  it('never indexes, embeds or returns an excluded file (a .env and a key)', async () => {
    const index = indexWorkspace();
    const embed = hashEmbedder();
    index.setEmbedder(embed, 'hash-256');
    await index.embedPending(signal());
    assert.ok(embed.calls.flat().length > 10);
    assert.ok(embed.calls.flat().every((text) => !text.includes(SECRET)), 'no secret reached the embedding server');
    assert.deepEqual(index.paths().filter(excludeSecrets), []);
    assert.equal(index.upsertFile('.env.local', `TOKEN=${SECRET}`).status, 'skipped');
    const result = await index.search(`OPENAI_API_KEY ${SECRET} PRIVATE KEY`, { limit: 20 });
    assert.ok(result.hits.every((hit) => !hit.chunk.text.includes(SECRET) && !excludeSecrets(hit.chunk.path)));
  });

  it('filters at search time too: a path excluded after indexing is not returned', async () => {
    let excluded = (_path: string): boolean => false;
    const index = indexWorkspace({ exclude: (path) => excluded(path) });
    assert.ok((await index.search('rgb_to_hsv')).hits.some((hit) => hit.chunk.path === 'src/colorsys.py'));
    excluded = (path) => path.endsWith('.py');
    assert.ok((await index.search('rgb_to_hsv')).hits.every((hit) => hit.chunk.path !== 'src/colorsys.py'));
  });

  it('says why a file was skipped', () => {
    const index = new CodebaseIndex({ limits: { maxFileChars: 1000 } });
    assert.deepEqual(index.upsertFile('big.c', workspaceFiles().get('src/zpipe.c') ?? ''), { status: 'skipped', reason: 'too-large' });
    assert.deepEqual(index.upsertFile('logo.png', 'x'), { status: 'skipped', reason: 'binary' });
    assert.equal(index.fileCount, 0);
  });

  it('stops at the chunk cap and says so, keeping what it indexed (a huge monorepo)', () => {
    const index = new CodebaseIndex({ maxChunks: 12 });
    const results = [...workspaceFiles()].filter(([path]) => !excludeSecrets(path)).map(([path, content]) => index.upsertFile(path, content));
    assert.ok(results.some((r) => r.status === 'skipped' && r.reason === 'index-full'));
    assert.ok(index.chunkCount > 0 && index.chunkCount <= 12);
  });
});

describe('codebase index: search', () => {
  it('finds the file that answers a question in words, with path:line ranges', async () => {
    const index = indexWorkspace();
    const { hits, vectors } = await index.search('convert rgb colour to hsv', { limit: 5 });
    assert.equal(vectors, 'none');
    assert.equal(hits[0].chunk.path, 'src/colorsys.py');
    assert.match(hits[0].location, /^src\/colorsys\.py:\d+-\d+$/);
    assert.ok(hits[0].chunk.symbols.includes('rgb_to_hsv'));
  });

  it('puts the chunk that defines a named symbol first', async () => {
    const index = indexWorkspace();
    const { hits } = await index.search('what calls checkAddLength and why', { limit: 5 });
    assert.ok(hits[0].chunk.symbols.includes('checkAddLength'));
    assert.ok(hits[0].via.includes('symbol'));
  });

  it('restricts results to a path glob', async () => {
    const index = indexWorkspace();
    const { hits } = await index.search('error', { limit: 10, pathGlob: 'src/*.{c,cc}' });
    assert.ok(hits.length > 0);
    assert.ok(hits.every((hit) => /\.(c|cc)$/.test(hit.chunk.path)));
  });

  it('fuses the vector ranking in when an embedder is set, and falls back to words when it fails', async () => {
    const index = indexWorkspace();
    index.setEmbedder(hashEmbedder(), 'hash-256');
    await index.embedPending(signal());
    const used = await index.search('inflate deflate compress stream', { limit: 5 });
    assert.equal(used.vectors, 'used');
    assert.equal(used.hits[0].chunk.path, 'src/zpipe.c');
    assert.ok(used.hits[0].via.includes('vector') && used.hits[0].via.includes('lexical'));
    index.setEmbedder(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:11434');
    }, 'hash-256');
    const failed = await index.search('inflate deflate compress stream', { limit: 5 });
    assert.equal(failed.vectors, 'failed');
    assert.match(failed.note ?? '', /words only.*ECONNREFUSED/);
    assert.equal(failed.hits[0].chunk.path, 'src/zpipe.c');
  });
});

describe('codebase index: incremental updates', () => {
  it('re-chunks a changed file, keeps the vectors of chunks that did not change', async () => {
    const index = indexWorkspace();
    const embed = hashEmbedder();
    index.setEmbedder(embed, 'hash-256');
    await index.embedPending(signal());
    const source = workspaceFiles().get('src/colorsys.py') ?? '';
    assert.equal(index.upsertFile('src/colorsys.py', source).status, 'unchanged');
    const edited = source.replace('def rgb_to_hsv(r, g, b):', 'def rgb_to_hsv_fast(r, g, b):');
    assert.equal(index.upsertFile('src/colorsys.py', edited).status, 'indexed');
    assert.equal(index.pendingCount, 1, 'only the edited function waits for a vector');
    embed.calls.length = 0;
    await index.embedPending(signal());
    assert.equal(embed.calls.flat().length, 1);
    assert.ok((await index.search('rgb_to_hsv_fast')).hits[0].chunk.text.includes('def rgb_to_hsv_fast'));
    assert.equal((await index.search('rgb_to_hsv')).hits.filter((hit) => hit.chunk.symbols.includes('rgb_to_hsv')).length, 0);
  });

  it('removes and renames files without re-embedding', async () => {
    const index = indexWorkspace();
    index.setEmbedder(hashEmbedder(), 'hash-256');
    await index.embedPending(signal());
    const chunks = index.chunkCount;
    assert.ok(index.renameFile('src/zpipe.c', 'examples/zpipe.c'));
    assert.equal(index.pendingCount, 0);
    assert.equal((await index.search('zerr')).hits[0].chunk.path, 'examples/zpipe.c');
    assert.ok(index.removeFile('examples/zpipe.c'));
    assert.ok(index.chunkCount < chunks);
    assert.ok((await index.search('zerr inflate')).hits.every((hit) => hit.chunk.path !== 'examples/zpipe.c'));
  });

  it('a new embedding model queues every chunk again', async () => {
    const index = indexWorkspace();
    index.setEmbedder(hashEmbedder(), 'hash-256');
    await index.embedPending(signal());
    index.setEmbedder(hashEmbedder(64), 'hash-64');
    assert.equal(index.pendingCount, index.chunkCount);
    assert.equal(index.vectors.size, 0);
  });
});

describe('codebase index: embedding resumes after the server went away', () => {
  it('keeps the chunks it could not embed and embeds only those later', async () => {
    const index = indexWorkspace();
    const total = index.chunkCount;
    const healthy = hashEmbedder();
    let batches = 0;
    const dying = async (texts: string[], s: AbortSignal): Promise<Float32Array[]> => {
      if (++batches > 2) throw new Error('fetch failed: the server went away');
      return healthy(texts, s) as Promise<Float32Array[]>;
    };
    index.setEmbedder(dying, 'hash-256');
    const first = await index.embedPending(signal(), 8);
    assert.equal(first.embedded, 16);
    assert.equal(first.pending, total - 16);
    assert.match(first.error ?? '', /went away/);
    healthy.calls.length = 0;
    index.setEmbedder(healthy, 'hash-256');
    const second = await index.embedPending(signal(), 8);
    assert.deepEqual({ embedded: second.embedded, pending: second.pending, error: second.error }, { embedded: total - 16, pending: 0, error: undefined });
    assert.equal(healthy.calls.flat().length, total - 16, 'nothing embedded twice');
  });

  it('stops at an abort and keeps the rest pending', async () => {
    const index = indexWorkspace();
    const controller = new AbortController();
    const embed = hashEmbedder();
    index.setEmbedder(async (texts, s) => {
      const out = await embed(texts, s);
      controller.abort();
      return out;
    }, 'hash-256');
    const progress = await index.embedPending(controller.signal, 4);
    assert.equal(progress.embedded, 4);
    assert.equal(progress.pending, index.chunkCount - 4);
  });
});

describe('codebase index: token budget', () => {
  it('keeps the best hits that fit, skipping one too large for a smaller one after it', async () => {
    const index = indexWorkspace();
    const { hits } = await index.search('string joiner add merge length', { limit: 8 });
    const costs = hits.map((hit) => estimateTokens(hit.chunk.text) + 12);
    const budget = costs[0] + costs[2];
    const cut = fitHitsToBudget(hits, budget);
    assert.ok(cut.tokens <= budget);
    assert.equal(cut.kept[0], hits[0]);
    assert.equal(cut.kept.length + cut.dropped.length, hits.length);
    assert.ok(cut.kept.length >= 2);
    assert.deepEqual(fitHitsToBudget(hits, 5).kept, []);
  });
});
