import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attributesStart,
  declarationName,
  enclosingBlockByIndent,
  enclosingSymbol,
  nestSymbols,
  normalizeSelection,
  type SymbolInfo,
} from '../../../src/actions/blocks';

const FIXTURES = join(__dirname, '../../fixtures/actions');
const lines = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').replace(/\n$/, '').split('\n');
const lineOf = (ls: string[], text: string) => {
  const i = ls.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `fixture has "${text}"`);
  return i;
};

describe('actions/blocks', () => {
  describe('enclosingBlockByIndent over real files', () => {
    // `end` is the text of the block's last line, which is `endOffset` (default 1) lines after `endAfter`.
    const cases: Array<{ file: string; cursor: string; header: string; start?: string; end: string; endAfter: string; endOffset?: number; name: string }> = [
      { file: 'sample.ts', cursor: 'this.items.set', header: 'async load(', end: '  }', endAfter: 'this.items.set', endOffset: 2, name: 'load' },
      { file: 'sample.ts', cursor: 'return this.items.get', header: 'get(key: string)', start: '@memoize()', end: '  }', endAfter: 'return this.items.get', name: 'get' },
      { file: 'sample.ts', cursor: 'return n * 2', header: 'export const double', end: '};', endAfter: 'return n * 2', name: 'double' },
      { file: 'sample.py', cursor: 'data = f.read()', header: 'def load(', end: '        return self.parse(data)', endAfter: 'raise ValueError', name: 'load' },
      { file: 'sample.py', cursor: 'return [line for line', header: 'def parse(text)', start: '@staticmethod', end: '        return [line for line in text.splitlines() if line]', endAfter: 'def parse', name: 'parse' },
      { file: 'sample.py', cursor: 'return a + b', header: 'def add(a, b)', end: '    return a + b', endAfter: 'Old docstring', name: 'add' },
      { file: 'sample.go', cursor: 'return nil', header: 'func Split(', end: '}', endAfter: 'strings.Split', name: 'Split' },
      { file: 'sample.go', cursor: 'strings.Join', header: 'func (s *Store) Join', end: '}', endAfter: 'strings.Join', name: 'Join' },
      { file: 'sample.rs', cursor: "split_once('=')", header: 'pub fn parse', start: '#[inline]', end: '}', endAfter: '.map(|n|', name: 'parse' },
      { file: 'Sample.java', cursor: 'total += v', header: 'public static int sum(', end: '    }', endAfter: 'return total', name: 'sum' },
      { file: 'Sample.java', cursor: 'return "Sample"', header: 'public String toString()', start: '@Override', end: '    }', endAfter: 'return "Sample"', name: 'toString' },
      { file: 'sample.c', cursor: 'n++', header: 'size_t count_char', end: '}', endAfter: 'return n;', name: 'count_char' },
    ];
    for (const c of cases) {
      it(`${c.file}: ${c.name}`, () => {
        const ls = lines(c.file);
        const cursor = lineOf(ls, c.cursor);
        const block = enclosingBlockByIndent(ls, cursor, 4);
        assert.ok(block, 'a block is found');
        assert.ok(ls[block.headerLine].includes(c.header), `header line is "${ls[block.headerLine]}"`);
        assert.equal(block.name, c.name);
        assert.equal(block.functionLike, true);
        if (c.start) assert.ok(ls[block.startLine].includes(c.start), `start line is "${ls[block.startLine]}"`);
        else assert.equal(block.startLine, block.headerLine);
        assert.equal(ls[block.endLine], c.end);
        assert.equal(block.endLine, lineOf(ls, c.endAfter) + (c.endOffset ?? 1));
      });
    }

    it('a cursor on the closing brace means the block it closes', () => {
      const ls = lines('sample.c');
      const closing = lineOf(ls, 'return n;') + 1;
      assert.equal(ls[closing], '}');
      const block = enclosingBlockByIndent(ls, closing, 4);
      assert.equal(block?.name, 'count_char');
    });

    it('a cursor on a decorator means the declaration below it', () => {
      const ls = lines('sample.ts');
      const block = enclosingBlockByIndent(ls, lineOf(ls, '@memoize()'), 2);
      assert.equal(block?.name, 'get');
    });

    it('if/else chains stay one block', () => {
      const ls = ['function f(x) {', '  if (x) {', '    a();', '  } else {', '    b();', '  }', '  c();', '}'];
      const inner = enclosingBlockByIndent(ls, 2, 2);
      assert.equal(inner?.name, 'f', 'the enclosing function wins over the if');
      const ifOnly = enclosingBlockByIndent(['if (x) {', '  a();', '} else {', '  b();', '}', 'next();'], 1, 2);
      assert.deepEqual([ifOnly?.startLine, ifOnly?.endLine, ifOnly?.functionLike], [0, 4, false]);
    });

    it('top-level code outside any block gives nothing', () => {
      const ls = lines('sample.py');
      assert.equal(enclosingBlockByIndent(ls, lineOf(ls, 'import os'), 4), undefined);
    });
  });

  describe('enclosingSymbol', () => {
    const sym = (name: string, kind: SymbolInfo['kind'], startLine: number, endLine: number, children: SymbolInfo[] = []): SymbolInfo => ({
      name,
      kind,
      startLine,
      endLine,
      nameLine: startLine,
      children,
    });
    const tree = [sym('Store', 'class', 2, 30, [sym('items', 'variable', 3, 3), sym('get', 'method', 5, 8), sym('load', 'method', 10, 20)]), sym('double', 'variable', 32, 34)];

    it('prefers the innermost function', () => assert.equal(enclosingSymbol(tree, 12, 'any')?.name, 'load'));
    it('takes a multi-line variable (arrow function) as a function', () => assert.equal(enclosingSymbol(tree, 33, 'function')?.name, 'double'));
    it('falls back to the class for functionOrType', () => assert.equal(enclosingSymbol(tree, 25, 'functionOrType')?.name, 'Store'));
    it('gives nothing between functions when only functions will do', () => assert.equal(enclosingSymbol(tree, 25, 'function'), undefined));
    it('ignores a one-line field for any', () => assert.equal(enclosingSymbol(tree, 3, 'any')?.name, 'Store'));

    it('nestSymbols rebuilds the tree of a flat list', () => {
      const nested = nestSymbols([sym('get', 'method', 5, 8), sym('Store', 'class', 2, 30), sym('load', 'method', 10, 20), sym('free', 'function', 40, 44)]);
      assert.deepEqual(
        nested.map((s) => [s.name, s.children.map((c) => c.name)]),
        [
          ['Store', ['get', 'load']],
          ['free', []],
        ],
      );
      assert.equal(enclosingSymbol(nested, 12, 'function')?.name, 'load');
    });
  });

  describe('declarationName', () => {
    const cases: Array<[string, string | undefined]> = [
      ['def parse(text):', 'parse'],
      ['    async def fetch(self, url):', 'fetch'],
      ['export async function loadAll(paths: string[]) {', 'loadAll'],
      ['func (s *Store) Join(parts []string) string {', 'Join'],
      ['pub(crate) fn total(map: &HashMap<String, i64>) -> i64 {', 'total'],
      ['    public static int sum(', 'sum'],
      ['size_t count_char(const char *s, char c)', 'count_char'],
      ['export const double = (n: number): number => {', 'double'],
      ['  private async load(path: string): Promise<void> {', 'load'],
      ['fun <T> List<T>.second(): T {', 'second'],
      ['    if (x) {', undefined],
      ['    for (const a of b) {', undefined],
      ['// function commented()', undefined],
    ];
    for (const [line, name] of cases) it(JSON.stringify(line), () => assert.equal(declarationName(line), name));
  });

  it('attributesStart walks over multi-line decorators', () => {
    const ls = ['@Component({', "  selector: 'x',", '})', '@Injectable()', 'export class A {'];
    assert.equal(attributesStart(ls, 4), 0);
    assert.equal(attributesStart(['#[derive(Debug)]', '#[serde(rename_all = "camelCase")]', 'struct S;'], 2), 0);
    assert.equal(attributesStart(['int x;', 'void f() {'], 1), 1);
  });

  describe('normalizeSelection', () => {
    const text = ['  const a = 1;', '  const b = 2;', '  return a + b;'];
    const lineText = (l: number) => text[l];
    it('extends a multi-line selection to whole lines', () => {
      assert.deepEqual(normalizeSelection({ startLine: 0, startCharacter: 8, endLine: 1, endCharacter: 3 }, lineText), {
        startLine: 0,
        startCharacter: 0,
        endLine: 1,
        endCharacter: text[1].length,
      });
    });
    it('drops a last line selected only up to column 0', () => {
      assert.deepEqual(normalizeSelection({ startLine: 0, startCharacter: 0, endLine: 2, endCharacter: 0 }, lineText), {
        startLine: 0,
        startCharacter: 0,
        endLine: 1,
        endCharacter: text[1].length,
      });
    });
    it('keeps a selection inside one line, moving a start within the indentation to column 0', () => {
      assert.deepEqual(normalizeSelection({ startLine: 2, startCharacter: 9, endLine: 2, endCharacter: 14 }, lineText), {
        startLine: 2,
        startCharacter: 9,
        endLine: 2,
        endCharacter: 14,
      });
      assert.equal(normalizeSelection({ startLine: 2, startCharacter: 2, endLine: 2, endCharacter: 16 }, lineText).startCharacter, 0);
    });
  });
});
