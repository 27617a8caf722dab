import assert from 'node:assert/strict';
import { detectIndentStyle, indentStep, reindent } from '../../../src/actions/indent';
import { dedent, indentColumns, indentString } from '../../../src/actions/text';

const spaces = (tabSize: number) => ({ insertSpaces: true, tabSize });
const tabs = (tabSize: number) => ({ insertSpaces: false, tabSize });

describe('actions/indent', () => {
  describe('reindent (table over languages)', () => {
    const cases: Array<{ name: string; code: string; indent: string; style: { insertSpaces: boolean; tabSize: number }; first?: boolean; out: string }> = [
      {
        name: 'TS method body into a 2-space class member (model used 4 spaces)',
        code: 'get(key: string) {\n    return this.items.get(key);\n}',
        indent: '  ',
        style: spaces(2),
        out: '  get(key: string) {\n    return this.items.get(key);\n  }',
      },
      {
        name: 'Python method at 4 spaces, answer at column 0',
        code: 'def load(self):\n    if x:\n        return 1\n\n    return 2',
        indent: '    ',
        style: spaces(4),
        out: '    def load(self):\n        if x:\n            return 1\n\n        return 2',
      },
      {
        name: 'Go: spaces from the model become tabs',
        code: 'if s == "" {\n    return nil\n}',
        indent: '\t',
        style: tabs(4),
        out: '\tif s == "" {\n\t\treturn nil\n\t}',
      },
      {
        name: 'Rust: answer already indented deeper than needed',
        code: '        let x = 1;\n        if x > 0 {\n            y();\n        }',
        indent: '    ',
        style: spaces(4),
        out: '    let x = 1;\n    if x > 0 {\n        y();\n    }',
      },
      {
        name: 'Java: tab-indented answer into a 4-space file',
        code: 'public int f() {\n\treturn 1;\n}',
        indent: '    ',
        style: spaces(4),
        out: '    public int f() {\n        return 1;\n    }',
      },
      {
        name: 'C: continuation alignment is kept (no step scaling)',
        code: 'int r = call(a,\n             b);',
        indent: '    ',
        style: spaces(2),
        out: '    int r = call(a,\n                 b);',
      },
      {
        name: 'mid-line target: the first line gets no indent',
        code: 'compute(a,\n  b)',
        indent: '    ',
        style: spaces(2),
        first: false,
        out: 'compute(a,\n    b)',
      },
      {
        name: 'blank lines carry no trailing whitespace',
        code: '  a();\n   \n  b();',
        indent: '\t',
        style: tabs(4),
        out: '\ta();\n\n\tb();',
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        assert.equal(reindent(c.code, { indent: c.indent, style: c.style, firstLineIndented: c.first ?? true }), c.out);
      });
    }
  });

  it('indentStep finds the nesting step, and none for alignment', () => {
    assert.equal(indentStep([0, 4, 8, 4, 0]), 4);
    assert.equal(indentStep([0, 2, 4, 2]), 2);
    assert.equal(indentStep([0, 13]), undefined);
    assert.equal(indentStep([0, 0, 0]), undefined);
    assert.equal(indentStep([0, 4, 6]), undefined);
  });

  it('indentColumns and indentString agree on tabs', () => {
    assert.equal(indentColumns('\t  x', 4), 6);
    assert.equal(indentColumns('  \tx', 4), 4);
    assert.equal(indentString(6, tabs(4)), '\t  ');
    assert.equal(indentString(6, spaces(4)), '      ');
  });

  it('dedent removes the shared prefix and empties blank lines', () => {
    assert.equal(dedent('    a\n      b\n  \n    c'), 'a\n  b\n\nc');
    assert.equal(dedent('\tx\r\n\ty'), 'x\ny');
  });
});

describe('detectIndentStyle', () => {
  it('reads two-space, four-space and tab files, and nothing from flat text', () => {
    assert.deepEqual(detectIndentStyle("describe('a', () => {\n  it('b', () => {\n    x();\n  });\n});\n", 4), { insertSpaces: true, tabSize: 2 });
    assert.deepEqual(detectIndentStyle('def f():\n    if x:\n        return 1\n', 2), { insertSpaces: true, tabSize: 4 });
    assert.deepEqual(detectIndentStyle('func A() {\n\tif x {\n\t\treturn\n\t}\n}\n', 4), { insertSpaces: false, tabSize: 4 });
    assert.equal(detectIndentStyle('a = 1\nb = 2\n', 4), undefined);
  });
});
