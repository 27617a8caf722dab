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
