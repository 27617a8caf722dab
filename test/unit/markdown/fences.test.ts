import assert from 'node:assert/strict';
import { closesFence, fencedBlocks, hasFence, openingFence } from '../../../src/markdown/fences';
import { extractCode } from '../../../src/actions/extract';

describe('markdown fences', () => {
  it('opening lines as CommonMark reads them', () => {
    assert.deepEqual(openingFence('```ts title=x'), { char: '`', length: 3, indent: 0, info: 'ts title=x' });
    assert.deepEqual(openingFence('   ~~~~'), { char: '~', length: 4, indent: 3, info: '' });
    assert.equal(openingFence('    ```'), undefined, 'four spaces make an indented code block');
    assert.equal(openingFence('``` a`b'), undefined, 'a backtick fence info string has no backtick');
    assert.equal(openingFence('``'), undefined);
  });

  it('closing lines: same character, at least as long, nothing after, indented like the opening', () => {
    const open = openingFence('````')!;
    assert.ok(closesFence('````', open));
    assert.ok(closesFence('`````  ', open));
    assert.ok(!closesFence('```', open), 'shorter');
    assert.ok(!closesFence('~~~~', open), 'other character');
    assert.ok(!closesFence('```` x', open), 'text after');
    assert.ok(closesFence('     ```', { char: '`', length: 3, indent: 3 }), 'inside a list item');
  });

  it('hasFence finds a fence on any line', () => {
    assert.ok(hasFence('Some text\n```js\nx\n```'));
    assert.ok(!hasFence('inline ``` fence is no fence'));
  });

  it('fencedBlocks reads a whole answer with the lexer: lists, quotes, no indented blocks', () => {
    const answer = ['Steps:', '', '1. Install:', '   ```sh', '   npm install', '   ```', '', '> ```py', '> print(1)', '> ```', '', '    indented = "not a fence"'].join('\n');
    assert.deepEqual(fencedBlocks(answer), [
      { lang: 'sh', code: 'npm install' },
      { lang: 'py', code: 'print(1)' },
    ]);
  });

  it('actions take the first fenced block of a whole answer, without a list item indentation', () => {
    assert.equal(extractCode('Do this:\n\n1. Replace it:\n   ```ts\n   const a = 1;\n   ```\n'), 'const a = 1;');
  });
});
