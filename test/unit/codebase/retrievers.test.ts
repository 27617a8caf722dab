import * as assert from 'node:assert/strict';
import { reciprocalRankFusion } from '../../../src/codebase/fusion';
import { identifierParts, LexicalIndex, termsOf } from '../../../src/codebase/lexical';
import type { Chunk } from '../../../src/codebase/types';
import { normalize, VectorStore } from '../../../src/codebase/vectors';

function chunk(path: string, text: string, symbols: string[] = []): Chunk {
  return { path, startLine: 1, endLine: text.split('\n').length, text, symbols, language: 'ts' };
}

const all = (): boolean => true;

describe('codebase lexical retriever', () => {
  it('splits identifiers on camelCase, acronyms, snake_case and keeps them whole', () => {
    assert.deepEqual(identifierParts('getHTTPResponse_v2'), ['get', 'http', 'response', 'v2']);
    assert.deepEqual(termsOf('resolveHost'), ['resolvehost', 'resolve', 'host']);
    assert.deepEqual(termsOf('retry_policy'), ['retry_policy', 'retry', 'policy']);
    assert.deepEqual(termsOf('the'), [], 'question words are dropped');
    assert.deepEqual(termsOf('x'), [], 'single letters say nothing');
  });

  it('finds a chunk by identifier parts, by the whole identifier and by path words; symbols outrank bodies', () => {
    const index = new LexicalIndex();
    index.add(1, chunk('src/net/retry.ts', 'export function computeBackoff(attempt: number) { return 2 ** attempt; }', ['computeBackoff']));
    index.add(2, chunk('src/net/host.ts', 'export function resolveHost(name: string) { return lookup(name); }', ['resolveHost']));
    index.add(3, chunk('src/app.ts', 'const host = resolveHost(config.name); // uses the host', []));
    assert.equal(index.search('how is the backoff computed', 5, all)[0]?.id, 1);
    assert.equal(index.search('resolveHost', 5, all)[0]?.id, 2, 'the definition outranks the call');
    assert.equal(index.search('resolve host', 5, all)[0]?.id, 2);
    assert.equal(index.search('retry', 5, all)[0]?.id, 1, 'path words count');
    assert.deepEqual(index.exactSymbols('where is resolveHost defined?', all), [2]);
    assert.deepEqual(index.exactSymbols('resolveHost', (id) => id !== 2), [], 'the filter applies');
  });

  it('on a large index, a term common to every chunk does not bury the rare ones', () => {
    const index = new LexicalIndex();
    for (let id = 0; id < 2500; id++) index.add(id, chunk(`src/gen/value${id}.ts`, `export const value${id} = getValue(${id}); // value`, [`value${id}`]));
    index.add(9999, chunk('src/frob.ts', 'export function frobnicate(widget: Widget) { return widget.value; }', ['frobnicate']));
    const [best] = index.search('get the value of a frobnicated widget', 5, all);
    assert.equal(best?.id, 9999);
  });

  it('forgets a removed chunk, in rankings and in symbol lookups', () => {
    const index = new LexicalIndex();
    const c = chunk('a.ts', 'function parseConfig() {}', ['parseConfig']);
    index.add(7, c);
    index.remove(7, c);
    assert.equal(index.size, 0);
    assert.deepEqual(index.search('parseConfig', 5, all), []);
    assert.deepEqual(index.exactSymbols('parseConfig', all), []);
  });
});

describe('codebase vector store', () => {
  it('ranks by cosine similarity, best first, honouring the filter and the limit', () => {
    const store = new VectorStore();
    store.set(1, [1, 0, 0]);
    store.set(2, [0.7, 0.7, 0]);
    store.set(3, [0, 0, 5]);
    assert.deepEqual(
      store.search([2, 0, 0], 2, all).map((r) => r.id),
      [1, 2],
    );
    assert.deepEqual(
      store.search([1, 0, 0], 3, (id) => id !== 1).map((r) => r.id),
      [2, 3],
    );
    const [best] = store.search([0, 0, 1], 1, all);
    assert.equal(best.id, 3);
    assert.ok(Math.abs(best.score - 1) < 1e-6, 'stored vectors are normalized');
  });

  it('deletes by moving the last row, keeping every other vector findable', () => {
    const store = new VectorStore();
    for (let id = 0; id < 100; id++) store.set(id, [Math.cos(id), Math.sin(id)]);
    for (let id = 0; id < 100; id += 3) store.delete(id);
    assert.equal(store.size, 66);
    for (let id = 1; id < 100; id += 3) assert.equal(store.search([Math.cos(id), Math.sin(id)], 1, all)[0].id, id);
  });

  it('refuses a vector of another length (another model) with a message that says so', () => {
    const store = new VectorStore();
    store.set(1, [1, 2, 3]);
    assert.throws(() => store.set(2, [1, 2]), /embedding model changed/);
    assert.deepEqual([...normalize(new Float32Array([0, 0]))], [0, 0]);
  });
});

describe('codebase rank fusion', () => {
  it('puts what both rankings hold above what one holds high', () => {
    const fused = reciprocalRankFusion([{ ids: [1, 2, 3] }, { ids: [4, 3, 2] }]);
    assert.deepEqual(
      fused.slice(0, 2).map((f) => f.id),
      [2, 3],
    );
    assert.deepEqual(fused.find((f) => f.id === 3)?.from, [0, 1]);
    assert.deepEqual(
      reciprocalRankFusion([{ ids: [1] }, { ids: [2], weight: 2 }]).map((f) => f.id),
      [2, 1],
    );
  });
});
