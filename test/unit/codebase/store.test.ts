import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CodebaseIndex } from '../../../src/codebase/codebaseIndex';
import { HEADER_FILE, IndexStore } from '../../../src/codebase/store';
import { hashEmbedder } from './hashEmbed';
import { excludeSecrets, indexWorkspace } from './workspace';

const signal = (): AbortSignal => new AbortController().signal;

async function embeddedWorkspace(): Promise<CodebaseIndex> {
  const index = indexWorkspace();
  index.setEmbedder(hashEmbedder(), 'hash-256');
  await index.embedPending(signal());
  return index;
}

function freshIndex(model = 'hash-256'): CodebaseIndex {
  const index = new CodebaseIndex({ exclude: excludeSecrets });
  index.setEmbedder(hashEmbedder(model === 'hash-256' ? 256 : 64), model);
  return index;
}

describe('codebase index store', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await fs.mkdtemp(join(tmpdir(), 'qwen-codebase-'));
  });
  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('saves and loads back chunks and vectors: the same answers, nothing left to embed', async () => {
    const index = await embeddedWorkspace();
    const store = new IndexStore(folder);
    assert.equal(await store.save(index), undefined);
    const loaded = freshIndex();
    const result = await new IndexStore(folder).load(loaded);
    assert.deepEqual(result, { status: 'loaded', files: index.fileCount, chunks: index.chunkCount, pending: 0 });
    const query = 'compress a stream with deflate';
    const [before, after] = await Promise.all([index.search(query), loaded.search(query)]);
    assert.equal(after.vectors, 'used');
    assert.deepEqual(
      after.hits.map((hit) => hit.location),
      before.hits.map((hit) => hit.location),
    );
    assert.equal(loaded.fileHash('src/colorsys.py'), index.fileHash('src/colorsys.py'));
  });

  it('writes atomically: no temporary files stay, the previous vectors file goes once replaced', async () => {
    const index = await embeddedWorkspace();
    const store = new IndexStore(folder);
    await store.save(index);
    index.removeFile('src/zpipe.c');
    await store.save(index);
    const names = await fs.readdir(folder);
    assert.equal(names.filter((name) => name.startsWith('.tmp-')).length, 0);
    assert.equal(names.filter((name) => name.startsWith('vectors-')).length, 1);
    assert.ok(names.includes(HEADER_FILE));
  });

  it('resumes embedding after a restart: chunks embedded before are not embedded again', async () => {
    const index = indexWorkspace();
    let batches = 0;
    const healthy = hashEmbedder();
    index.setEmbedder(async (texts, s) => {
      if (++batches > 1) throw new Error('connect ECONNREFUSED');
      return healthy(texts, s);
    }, 'hash-256');
    const first = await index.embedPending(signal(), 10);
    assert.equal(first.embedded, 10);
    await new IndexStore(folder).save(index);

    const reloaded = new CodebaseIndex({ exclude: excludeSecrets });
    const embed = hashEmbedder();
    reloaded.setEmbedder(embed, 'hash-256');
    const result = await new IndexStore(folder).load(reloaded);
    assert.equal(result.pending, index.chunkCount - 10);
    await reloaded.embedPending(signal());
    assert.equal(embed.calls.flat().length, index.chunkCount - 10);
  });

  it('keeps the chunks but re-embeds them all when the embedding model changed', async () => {
    await new IndexStore(folder).save(await embeddedWorkspace());
    const other = freshIndex('hash-64');
    const result = await new IndexStore(folder).load(other);
    assert.equal(result.status, 'model-changed');
    assert.equal(result.pending, result.chunks);
    assert.equal(other.vectors.size, 0);
    assert.equal((await other.embedPending(signal())).pending, 0);
    assert.equal(other.vectors.dims, 64);
  });

  it('keeps stored vectors when no model is known yet (the server is down at startup)', async () => {
    await new IndexStore(folder).save(await embeddedWorkspace());
    const index = new CodebaseIndex({ exclude: excludeSecrets });
    const result = await new IndexStore(folder).load(index);
    assert.equal(result.status, 'loaded');
    assert.equal(result.pending, 0);
    assert.equal(index.model, 'hash-256');
  });

  it('sets a corrupt index aside (at most three copies) and reports it, never throws', async () => {
    const store = new IndexStore(folder);
    for (let i = 0; i < 5; i++) {
      await store.save(await embeddedWorkspace());
      await fs.writeFile(join(folder, HEADER_FILE), i % 2 === 0 ? 'not gzip at all' : gzipSync('{"format":1,"files":'));
      const index = freshIndex();
      const result = await store.load(index);
      assert.equal(result.status, 'corrupt');
      assert.ok(result.setAside?.includes('.corrupt-'));
      assert.equal(index.chunkCount, 0);
    }
    const names = await fs.readdir(folder);
    assert.equal(names.filter((name) => name.includes('.corrupt-')).length, 3);
    assert.ok(!names.includes(HEADER_FILE));
    assert.equal((await store.load(freshIndex())).status, 'empty', 'the next start rebuilds from scratch');
  });

  it('treats a truncated vectors file as corruption', async () => {
    const store = new IndexStore(folder);
    await store.save(await embeddedWorkspace());
    const vectors = (await fs.readdir(folder)).find((name) => name.startsWith('vectors-')) ?? '';
    const bytes = await fs.readFile(join(folder, vectors));
    await fs.writeFile(join(folder, vectors), bytes.subarray(0, bytes.length - 100));
    const result = await store.load(freshIndex());
    assert.equal(result.status, 'corrupt');
    assert.match(result.detail ?? '', /bytes/);
  });

  it('discards an index of another format version', async () => {
    await fs.writeFile(join(folder, HEADER_FILE), gzipSync(JSON.stringify({ format: 99, files: [] })));
    const result = await new IndexStore(folder).load(freshIndex());
    assert.equal(result.status, 'outdated');
    assert.deepEqual(await fs.readdir(folder), []);
  });

  it('reports a save that cannot be written instead of throwing', async () => {
    const blocked = join(folder, 'file');
    await fs.writeFile(blocked, 'not a folder');
    const error = await new IndexStore(join(blocked, 'index')).save(await embeddedWorkspace());
    assert.match(error ?? '', /Could not save the codebase index/);
  });

  it('deletes its files', async () => {
    const store = new IndexStore(folder);
    await store.save(await embeddedWorkspace());
    await store.delete();
    assert.deepEqual(await fs.readdir(folder), []);
  });
});
