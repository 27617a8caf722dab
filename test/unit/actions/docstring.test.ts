import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docCommentEdit, docConvention, findDocPlacement, normalizeDocComment, type DocConvention } from '../../../src/actions/docstring';
import { docCommentRenderer } from '../../../src/actions/render';

const FIXTURES = join(__dirname, '../../fixtures/actions');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const lines = (name: string) => read(name).replace(/\n$/, '').split('\n');
const lineOf = (ls: string[], text: string) => ls.findIndex((l) => l.includes(text));
const spaces4 = { insertSpaces: true, tabSize: 4 };
const conv = (id: string): DocConvention => {
  const c = docConvention(id);
  assert.ok(c, `a convention for ${id}`);
  return c;
};

describe('actions/docstring', () => {
  it('knows the conventions the brief lists', () => {
    const expect: Array<[string, string, string]> = [
      ['typescript', 'block', 'above'],
      ['javascript', 'block', 'above'],
      ['python', 'python', 'inside'],
      ['go', 'line', 'above'],
      ['rust', 'line', 'above'],
      ['java', 'block', 'above'],
      ['csharp', 'line', 'above'],
      ['c', 'block', 'above'],
      ['cpp', 'block', 'above'],
      ['php', 'block', 'above'],
      ['kotlin', 'block', 'above'],
    ];
    for (const [id, shape, placement] of expect) {
      assert.equal(conv(id).shape, shape, id);
      assert.equal(conv(id).placement, placement, id);
    }
    assert.equal(conv('rust').linePrefix, '///');
    assert.equal(conv('csharp').linePrefix, '///');
    assert.equal(conv('go').linePrefix, '//');
    assert.equal(docConvention('plaintext'), undefined);
  });

  describe('findDocPlacement', () => {
    const cases: Array<{ name: string; file: string; lang: string; header: string; at: string; replaces: boolean; endAt?: string; indent: string }> = [
      { name: 'TS: above the decorator', file: 'sample.ts', lang: 'typescript', header: 'get(key: string)', at: '@memoize()', replaces: false, indent: '  ' },
      { name: 'TS: above a multi-line signature', file: 'sample.ts', lang: 'typescript', header: 'async load(', at: 'async load(', replaces: false, indent: '  ' },
      { name: 'Python: under a multi-line signature, at body indent', file: 'sample.py', lang: 'python', header: 'def load(', at: 'with open(path)', replaces: false, indent: '        ' },
      { name: 'Python: replaces the existing docstring', file: 'sample.py', lang: 'python', header: 'def add(a, b)', at: '"""Old docstring."""', replaces: true, endAt: 'return a + b', indent: '    ' },
      { name: 'Go: above the //go: directive', file: 'sample.go', lang: 'go', header: 'func Split(', at: '//go:noinline', replaces: false, indent: '' },
      { name: 'Go: replaces the existing comment', file: 'sample.go', lang: 'go', header: 'func (s *Store) Join', at: '// Join joins.', replaces: true, endAt: 'func (s *Store) Join', indent: '' },
      { name: 'Rust: replaces /// above the attribute', file: 'sample.rs', lang: 'rust', header: 'pub fn parse', at: '/// Parses a line.', replaces: true, endAt: '#[inline]', indent: '' },
      { name: 'Java: above the annotation', file: 'Sample.java', lang: 'java', header: 'public String toString()', at: '@Override', replaces: false, indent: '    ' },
      { name: 'C: a plain /* comment is not replaced', file: 'sample.c', lang: 'c', header: 'static int max', at: 'static int max', replaces: false, indent: '' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const ls = lines(c.file);
        const result = findDocPlacement(ls, lineOf(ls, c.header), conv(c.lang), spaces4);
        assert.ok(result.ok, 'placed');
        const p = result.placement;
        assert.equal(p.startLine, lineOf(ls, c.at), `starts at "${ls[p.startLine]}"`);
        assert.equal(p.replacesExisting, c.replaces);
        if (c.replaces) {
          assert.equal(p.endLine, lineOf(ls, c.endAt ?? c.at), `ends before "${ls[p.endLine]}"`);
        }
        else assert.equal(p.endLine, p.startLine);
        assert.equal(p.indent, c.indent);
      });
    }

    it('Python: a one-line function cannot take a docstring', () => {
      const ls = lines('sample.py');
      const result = findDocPlacement(ls, lineOf(ls, 'def one_liner'), conv('python'), spaces4);
      assert.equal(result.ok, false);
    });

    it('Python: a multi-line existing docstring is replaced whole', () => {
      const ls = ['def f(x):', '    """Summary.', '', '    More.', '    """', '    return x'];
      const result = findDocPlacement(ls, 0, conv('python'), spaces4);
      assert.ok(result.ok);
      assert.deepEqual([result.placement.startLine, result.placement.endLine, result.placement.replacesExisting], [1, 5, true]);
    });

    it('Python: an empty body gets the indent of one step in the editor style', () => {
      const ls = ['\tdef f(x):', '\t\tpass'];
      const tabs = findDocPlacement(['def f():', ''], 0, conv('python'), { insertSpaces: false, tabSize: 4 });
      assert.ok(tabs.ok);
      assert.equal(tabs.placement.indent, '\t');
      const body = findDocPlacement(ls, 0, conv('python'), { insertSpaces: false, tabSize: 4 });
      assert.ok(body.ok);
      assert.equal(body.placement.indent, '\t\t');
    });
  });

  describe('normalizeDocComment', () => {
    const cases: Array<{ name: string; lang: string; answer: string; out: string | undefined; fn?: string }> = [
      { name: 'JSDoc in a fence', lang: 'typescript', answer: '```ts\n/**\n * Gets a value.\n * @param key The key.\n */\n```', out: '/**\n * Gets a value.\n * @param key The key.\n */' },
      { name: 'JSDoc with the code repeated after it, misaligned', lang: 'typescript', answer: '```ts\n  /**\n     * Gets.\n  */\n  get(key: string) {\n    return 1;\n  }\n```', out: '/**\n * Gets.\n */' },
      { name: 'JSDoc from prose', lang: 'typescript', answer: 'Gets a value by key.', out: '/**\n * Gets a value by key.\n */' },
      { name: 'Javadoc with closing on a content line', lang: 'java', answer: '/**\n * Sums values.\n * @return the sum */', out: '/**\n * Sums values.\n * @return the sum\n */' },
      { name: 'Doxygen one-liner', lang: 'c', answer: '```c\n/** @brief Max of two. */\nstatic int max(int a, int b) {\n```', out: '/** @brief Max of two. */' },
      { name: 'Python docstring from the whole function', lang: 'python', answer: '```python\ndef add(a, b):\n    """Add two numbers.\n\n    Args:\n        a: First.\n    """\n    return a + b\n```', out: '"""Add two numbers.\n\nArgs:\n    a: First.\n"""' },
      { name: 'Python docstring with continuation indented deeper than the opening', lang: 'python', answer: '"""Add.\n\n    Returns:\n        The sum.\n    """', out: '"""Add.\n\nReturns:\n    The sum.\n"""' },
      { name: 'Python docstring from prose', lang: 'python', answer: 'Adds two numbers.', out: '"""Adds two numbers."""' },
      { name: 'Go: the name is put first', lang: 'go', fn: 'Split', answer: '// Returns the parts of s.', out: '// Split returns the parts of s.' },
      { name: 'Go: a comment already naming it is kept', lang: 'go', fn: 'Split', answer: '```go\n// Split splits s.\n// It returns nil for "".\nfunc Split(s string) []string {\n```', out: '// Split splits s.\n// It returns nil for "".' },
      { name: 'Rust ///', lang: 'rust', answer: '```rust\n    /// Parses.\n    ///\n    /// # Errors\n```', out: '/// Parses.\n///\n/// # Errors' },
      { name: 'C# prose wrapped in summary', lang: 'csharp', answer: 'Adds two numbers.', out: '/// <summary>\n/// Adds two numbers.\n/// </summary>' },
      { name: 'code without a comment is refused', lang: 'typescript', answer: '```ts\nfunction f() {\n  return 1;\n}\n```', out: undefined },
    ];
    for (const c of cases) it(c.name, () => assert.equal(normalizeDocComment(c.answer, conv(c.lang), c.fn), c.out));
  });

  describe('docCommentEdit', () => {
    it('inserts above with the declaration indent, keeping CRLF', () => {
      const text = 'class A {\r\n  get() {\r\n    return 1;\r\n  }\r\n}\r\n';
      const edit = docCommentEdit(text, { startLine: 1, endLine: 1, indent: '  ', replacesExisting: false }, '/**\n * Gets.\n */', '\r\n');
      const out = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
      assert.equal(out, 'class A {\r\n  /**\r\n   * Gets.\r\n   */\r\n  get() {\r\n    return 1;\r\n  }\r\n}\r\n');
    });

    it('replaces an existing Python docstring in place', () => {
      const text = read('sample.py');
      const ls = lines('sample.py');
      const placed = findDocPlacement(ls, lineOf(ls, 'def add'), conv('python'), spaces4);
      assert.ok(placed.ok);
      const render = docCommentRenderer(text, placed.placement, conv('python'), '\n');
      const replacement = render('```python\n"""Return a + b.\n\nArgs:\n    a: x\n"""\n```', true);
      assert.equal(replacement, '    """Return a + b.\n\n    Args:\n        a: x\n    """\n');
      const edit = docCommentEdit(text, placed.placement, normalizeDocComment('"""Return a + b."""', conv('python')) ?? '', '\n');
      const out = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
      assert.ok(out.includes('def add(a, b):\n    """Return a + b."""\n    return a + b'));
      assert.ok(!out.includes('Old docstring'));
    });
  });
});
