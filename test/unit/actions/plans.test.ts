import assert from 'node:assert/strict';
import { docConvention } from '../../../src/actions/docstring';
import { planCodeReplacement, planDocstring, type DocumentFacts } from '../../../src/actions/plans';

const doc = (text: string, over: Partial<DocumentFacts> = {}): DocumentFacts => ({ uri: 'file:///w/a.py', text, version: 4, eol: text.includes('\r\n') ? '\r\n' : '\n', languageId: 'python', path: 'a.py', ...over });
const spaces4 = { insertSpaces: true, tabSize: 4 };

describe('actions/plans', () => {
  it('planCodeReplacement: offsets in a CRLF document, the dedented code in the prompt, the answer re-indented', () => {
    const text = 'class A:\r\n    def f(self):\r\n        return 1\r\n\r\nx = 1\r\n';
    let sent = '';
    const spec = planCodeReplacement(doc(text), { startLine: 1, startCharacter: 0, endLine: 2, endCharacter: 16 }, spaces4, { what: 'Edit Selection', action: 'Edit', progress: 'writing…' }, (code) => {
      sent = code;
      return [{ role: 'user', content: code }];
    });
    assert.equal(text.slice(spec.start, spec.end), '    def f(self):\r\n        return 1');
    assert.equal(sent, 'def f(self):\n    return 1');
    assert.equal(spec.targetUri, 'file:///w/a.py');
    assert.equal(spec.version, 4);
    assert.equal(spec.render('```python\ndef f(self):\n    return 2\n```', true), '    def f(self):\r\n        return 2');
  });

  it('planCodeReplacement: a range that ends on the empty line after the last line keeps the final newline (Fix with Qwen Local near the end of a file)', () => {
    // Fix This Problem takes whole lines up to lineCount - 1: with a final newline that is the empty
    // last line, so the range holds the line break; the model's code block never ends with one.
    const text = 'export function double(n: number): number {\n  return n * 2;\n}\n\nexport const label: string = double(21);\n';
    const spec = planCodeReplacement(doc(text, { languageId: 'typescript' }), { startLine: 0, startCharacter: 0, endLine: 5, endCharacter: 0 }, { insertSpaces: true, tabSize: 2 }, { what: 'Fix This Problem', action: 'Fix', progress: 'writing…' }, (code) => [
      { role: 'user', content: code },
    ]);
    const answer = '```ts\nexport function double(n: number): number {\n  return n * 2;\n}\n\nexport const label: string = String(double(21));\n```';
    const fixed = text.slice(0, spec.start) + spec.render(answer, true) + text.slice(spec.end);
    assert.equal(fixed, 'export function double(n: number): number {\n  return n * 2;\n}\n\nexport const label: string = String(double(21));\n');
    // CRLF, and blank lines kept at the end of the range.
    const crlf = 'a = 1\r\nb = 2\r\n\r\n';
    const spec2 = planCodeReplacement(doc(crlf), { startLine: 1, startCharacter: 0, endLine: 3, endCharacter: 0 }, spaces4, { what: 'Fix This Problem', action: 'Fix', progress: 'writing…' }, (code) => [{ role: 'user', content: code }]);
    assert.equal(spec2.render('```python\nb = 3\n```', true), 'b = 3\r\n\r\n');
    // A range that ends inside a line is left as it was.
    const spec3 = planCodeReplacement(doc(crlf), { startLine: 1, startCharacter: 0, endLine: 1, endCharacter: 5 }, spaces4, { what: 'Edit Selection', action: 'Edit', progress: 'writing…' }, (code) => [{ role: 'user', content: code }]);
    assert.equal(spec3.render('```python\nb = 3\n```', true), 'b = 3');
  });

  it('planDocstring: a Python docstring under the signature, or the reason it cannot go there', () => {
    const text = 'def f(x):\n    return x\n';
    const conv = docConvention('python');
    assert.ok(conv);
    const planned = planDocstring(doc(text), { startLine: 0, endLine: 1, headerLine: 0, name: 'f' }, conv, spaces4, '');
    assert.ok(planned.ok);
    assert.equal(planned.spec.action, 'Docstring');
    assert.equal(planned.spec.start, text.indexOf('    return'));
    assert.match(planned.spec.messages.map((m) => m.content).join('\n'), /def f\(x\)/);
  });
});
