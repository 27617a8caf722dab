import assert from 'node:assert/strict';
import { codeRenderer, narrowReplacement, testsRenderer } from '../../../src/actions/render';
import { unsupportedReason } from '../../../src/actions/documents';
import { detectEol, LineIndex, toEol } from '../../../src/actions/text';

describe('actions/render', () => {
  describe('codeRenderer', () => {
    it('re-indents to a tab-indented Go method body, keeping CRLF', () => {
      const render = codeRenderer({ indent: '\t', style: { insertSpaces: false, tabSize: 4 }, firstLineIndented: true, eol: '\r\n' });
      assert.equal(render('```go\nif err != nil {\n    return err\n}\n```', true), '\tif err != nil {\r\n\t\treturn err\r\n\t}');
    });
    it('gives nothing while no code has arrived', () => {
      const render = codeRenderer({ indent: '', style: { insertSpaces: true, tabSize: 2 }, firstLineIndented: true, eol: '\n' });
      assert.equal(render('Sure', false), undefined);
      assert.equal(render('```ts\n', false), undefined);
    });
  });

  it('testsRenderer gives the whole new test file text', () => {
    const render = testsRenderer('append', 'python', 'import pytest\n', '\n', { insertSpaces: true, tabSize: 4 });
    assert.equal(render('```python\nimport pytest\nfrom m import f\n\ndef test_f():\n    assert f() == 1\n```', true), 'import pytest\nfrom m import f\n\ndef test_f():\n    assert f() == 1\n');
  });

  describe('narrowReplacement', () => {
    const doc = 'a\nb\nc\nd\ne\n';
    it('keeps the unchanged lines around a one-line change out of the edit', () => {
      const start = doc.indexOf('b');
      const end = doc.indexOf('e');
      assert.deepEqual(narrowReplacement(doc, start, end, 'b\nC\nd\n'), { start: doc.indexOf('c'), end: doc.indexOf('d'), text: 'C\n' });
    });
    it('works on whole lines with CRLF', () => {
      const crlf = toEol(doc, '\r\n');
      const n = narrowReplacement(crlf, 0, crlf.length, 'a\r\nb\r\nX\r\nd\r\ne\r\n');
      assert.equal(crlf.slice(0, n.start) + n.text + crlf.slice(n.end), 'a\r\nb\r\nX\r\nd\r\ne\r\n');
      assert.equal(n.text, 'X\r\n');
    });
    it('an insertion stays an insertion; identical text becomes an empty edit', () => {
      const n = narrowReplacement(doc, 2, 2, 'new\n');
      assert.equal(doc.slice(0, n.start) + n.text + doc.slice(n.end), 'a\nnew\nb\nc\nd\ne\n');
      const same = narrowReplacement(doc, 0, doc.length, doc);
      assert.equal(same.text, '');
      assert.equal(same.start, same.end);
    });
    it('a change inside one line replaces that line', () => {
      const text = 'const a = 1;\nconst b = 2;\n';
      const n = narrowReplacement(text, 0, text.length - 1, 'const a = 1;\nconst b = 3;');
      assert.equal(text.slice(0, n.start) + n.text + text.slice(n.end), 'const a = 1;\nconst b = 3;\n');
      assert.equal(n.start, 13);
    });
  });

  it('LineIndex counts CRLF as two characters, like VS Code', () => {
    const index = new LineIndex('ab\r\ncd\nef');
    assert.deepEqual(index.lines, ['ab', 'cd', 'ef']);
    assert.equal(index.offsetAt(1, 1), 5);
    assert.deepEqual(index.positionAt(8), { line: 2, character: 1 });
    assert.equal(index.lineStart(3), 9);
    assert.equal(detectEol('x\r\ny'), '\r\n');
    assert.equal(detectEol('x'), '\n');
  });

  describe('unsupportedReason', () => {
    const cases: Array<[string, string, boolean | undefined, RegExp | undefined]> = [
      ['file', 'typescript', true, undefined],
      ['untitled', 'python', undefined, undefined],
      ['output', 'Log', undefined, /output panel/],
      ['git', 'typescript', false, /read-only/],
      ['file', 'scminput', true, /Write Commit Message/],
      ['vscode-userdata', 'json', false, /read-only file system/],
      ['qwen-local-proposal', 'go', undefined, /Accept or reject/],
    ];
    for (const [scheme, languageId, writable, expected] of cases) {
      it(`${scheme} ${languageId}`, () => {
        const reason = unsupportedReason({ scheme, languageId, writable }, 'Edit Selection');
        if (expected) assert.match(reason ?? '', expected);
        else assert.equal(reason, undefined);
      });
    }
    it('refuses a file matched by the exclude globs, saying why', () => {
      const reason = unsupportedReason({ scheme: 'file', languageId: 'dotenv', writable: true, excluded: true }, 'Edit Selection');
      assert.match(reason ?? '', /matches qwenLocal\.completion\.exclude, so its contents never go to the model/);
    });
  });
});
