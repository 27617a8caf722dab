import * as assert from 'node:assert/strict';
import { CompletionCache } from '../../../src/completion/cache';

const MODEL = 'qwen2.5-coder:7b-base';
const before = 'function greet(name: string) {\n  return ';
const after = '\n}\n';

describe('completion cache', () => {
  it('returns a completion stored at the same position', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: '`Hello, ${name}!`;' });
    assert.deepEqual(cache.get(MODEL, before, after), { id: '1', text: '`Hello, ${name}!`;', typed: 0, replaceAfter: 0 });
  });

  it('is keyed by model and by the text after the cursor', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: 'name;' });
    assert.equal(cache.get('qwen2.5-coder:1.5b-base', before, after), undefined);
    assert.equal(cache.get(MODEL, before, '\n  // other\n}\n'), undefined);
  });

  it('typing through: typed characters that match keep the rest, with no new request', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '7', text: '`Hello, ${name}!`;' });
    assert.deepEqual(cache.get(MODEL, before + '`Hel', after), { id: '7', text: 'lo, ${name}!`;', typed: 4, replaceAfter: 0 });
    assert.deepEqual(cache.get(MODEL, before + '`Hello, ${name', after), { id: '7', text: '}!`;', typed: 14, replaceAfter: 0 });
  });

  it('typing something else is a miss', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: '`Hello, ${name}!`;' });
    assert.equal(cache.get(MODEL, before + 'name', after), undefined);
  });

  it('typing all of it is a miss (time for the next suggestion)', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: 'name;' });
    assert.equal(cache.get(MODEL, before + 'name;', after), undefined);
    // Only whitespace left is not worth showing either.
    cache.set(MODEL, 'x = ', '', { id: '2', text: 'y  ' });
    assert.equal(cache.get(MODEL, 'x = y', ''), undefined);
  });

  it('typing all of an answer the model ended itself is a hit with no text (nothing more there)', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: 'name;', ended: true });
    assert.deepEqual(cache.get(MODEL, before + 'name;', after), { id: '1', text: '', ended: true, typed: 5, replaceAfter: 0 });
    cache.set(MODEL, 'x = ', '', { id: '2', text: 'y  ', ended: true });
    assert.equal(cache.get(MODEL, 'x = y', '')?.text, '', 'only whitespace left');
    // Typed past its end, or something else: still a miss.
    assert.equal(cache.get(MODEL, before + 'name;;', after), undefined);
    assert.equal(cache.get(MODEL, before + 'nome;', after), undefined);
  });

  it('typing through a multi-line suggestion across its newline', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, 'if (ok) {', '\n}', { id: '3', text: '\n  run();\n  done();' });
    assert.deepEqual(cache.get(MODEL, 'if (ok) {\n  run();', '\n}'), { id: '3', text: '\n  done();', typed: 9, replaceAfter: 0 });
  });

  it('backspace returns to an earlier suggestion', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: '`Hello, ${name}!`;' });
    // The user typed a different word (a miss), a new suggestion was stored there...
    cache.set(MODEL, before + 'name', after, { id: '2', text: '.toUpperCase();' });
    // ...then deleted it: the earlier one is back, in full.
    assert.deepEqual(cache.get(MODEL, before, after), { id: '1', text: '`Hello, ${name}!`;', typed: 0, replaceAfter: 0 });
    // And deleting half of it shows the typed-through rest of the first one.
    assert.equal(cache.get(MODEL, before + 'na', after), undefined);
    assert.deepEqual(cache.get(MODEL, before + 'name.to', after), { id: '2', text: 'UpperCase();', typed: 3, replaceAfter: 0 });
  });

  it('the nearest stored position wins', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, 'a', '', { id: 'far', text: 'bcdef' });
    cache.set(MODEL, 'abc', '', { id: 'near', text: 'dXYZ' });
    assert.equal(cache.get(MODEL, 'abcd', '')?.id, 'near');
  });

  it('an empty stored completion means "nothing here": a hit with no text', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, before, after, { id: '1', text: '' });
    assert.deepEqual(cache.get(MODEL, before, after), { id: '1', text: '', typed: 0, replaceAfter: 0 });
  });

  it('looks back at most maxLookBack characters', () => {
    const cache = new CompletionCache(10, 3);
    cache.set(MODEL, 'x', '', { id: '1', text: 'abcdefgh' });
    assert.equal(cache.get(MODEL, 'xabc', '')?.text, 'defgh');
    assert.equal(cache.get(MODEL, 'xabcd', ''), undefined);
  });

  it('evicts the least recently used entries beyond its size', () => {
    const cache = new CompletionCache(2);
    cache.set(MODEL, 'a', '', { id: '1', text: 'A' });
    cache.set(MODEL, 'b', '', { id: '2', text: 'B' });
    cache.get(MODEL, 'a', '');
    cache.set(MODEL, 'c', '', { id: '3', text: 'C' });
    assert.equal(cache.get(MODEL, 'b', ''), undefined);
    assert.equal(cache.get(MODEL, 'a', '')?.text, 'A');
  });

  it('clear forgets everything', () => {
    const cache = new CompletionCache();
    cache.set(MODEL, 'a', '', { id: '1', text: 'A' });
    cache.clear();
    assert.equal(cache.get(MODEL, 'a', ''), undefined);
  });
});

describe('completion cache with auto-closed brackets', () => {
  it('keeps typing through when the editor inserts the closing bracket after the cursor', () => {
    const cache = new CompletionCache();
    const before = 'function isDigit';
    cache.set('m', before, '\n}', { id: 'a', text: '(c: number): boolean {' });
    // The user typed "(" and the editor added ")" after the cursor.
    const hit = cache.get('m', `${before}(c`, ')\n}');
    assert.ok(hit, 'still a hit');
    assert.equal(hit.text, ': number): boolean {');
    assert.equal(hit.replaceAfter, 1, 'the item covers the auto-inserted ")" so the ghost text flows around it');
    assert.equal(hit.typed, 2);
  });

  it('does not claim closers the suggestion does not contain', () => {
    const cache = new CompletionCache();
    cache.set('m', 'call', '\n', { id: 'a', text: '(x, y' });
    assert.equal(cache.get('m', 'call(', ')\n'), undefined);
  });

  it('never skips suffix characters at the very position a suggestion was made', () => {
    const cache = new CompletionCache();
    cache.set('m', 'f(', '\n', { id: 'a', text: 'x)' });
    assert.equal(cache.get('m', 'f(', ')\n'), undefined);
  });
});

describe('completion cache positions', () => {
  it('still types through after the same position was stored twice', () => {
    const cache = new CompletionCache();
    cache.set('m', 'let x = ', ';\n', { id: 'a', text: 'compute(1)' });
    cache.set('m', 'let x = ', ';\n', { id: 'b', text: 'compute(2)' });
    assert.equal(cache.get('m', 'let x = comp', ';\n')?.text, 'ute(2)');
  });

  it('forgets the positions of evicted entries', () => {
    const cache = new CompletionCache(2);
    cache.set('m', 'a = ', '\n', { id: '1', text: 'one()' });
    cache.set('m', 'b = ', '\n', { id: '2', text: 'two()' });
    cache.set('m', 'c = ', '\n', { id: '3', text: 'three()' });
    assert.equal(cache.get('m', 'a = o', '\n'), undefined);
    assert.equal(cache.get('m', 'c = th', '\n')?.text, 'ree()');
  });
});
