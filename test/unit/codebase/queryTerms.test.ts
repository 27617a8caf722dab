import assert from 'node:assert/strict';
import { LexicalIndex, queryTerms } from '../../../src/codebase/lexical';

describe('codebase lexical: plural questions', () => {
  it('query words also match their singular; the index is unchanged', () => {
    assert.deepEqual(queryTerms('numbers'), ['numbers', 'number']);
    assert.deepEqual(queryTerms('entries'), ['entries', 'entry']);
    assert.deepEqual(queryTerms('class'), ['class']);
    assert.deepEqual(queryTerms('status'), ['status']);
    assert.deepEqual(queryTerms('numbers', (t) => t === 'numbers'), ['numbers'], 'a plural the index holds is kept as it is');
  });

  it('"the product of two numbers" finds `multiply(a: number, b: number)`', () => {
    const index = new LexicalIndex();
    index.add(1, { path: 'src/math.ts', startLine: 1, endLine: 3, text: 'export function multiply(a: number, b: number): number {\n  return a * b;\n}', symbols: ['multiply'], language: 'ts' });
    index.add(2, { path: 'src/app.py', startLine: 1, endLine: 2, text: 'def greet(name: str) -> str:\n    return f"Hello, {name}!"', symbols: ['greet'], language: 'python' });
    assert.equal(index.search('Where is the product of two numbers computed?', 5, () => true)[0]?.id, 1);
  });
});
