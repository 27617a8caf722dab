import assert from 'node:assert/strict';
import { extractCode, looksLikeProse, stripThinking } from '../../../src/actions/extract';

describe('actions/extract', () => {
  describe('extractCode (final answers)', () => {
    const cases: Array<{ name: string; answer: string; code: string }> = [
      { name: 'TS fence with tag', answer: '```typescript\nconst x = 1;\n```', code: 'const x = 1;' },
      { name: 'Python fence without tag', answer: '```\ndef f():\n    return 1\n```', code: 'def f():\n    return 1' },
      { name: 'Go after a leading sentence', answer: 'Here is the updated function:\n\n```go\nfunc F() int {\n\treturn 1\n}\n```\nIt now returns 1.', code: 'func F() int {\n\treturn 1\n}' },
      { name: 'Rust with think part first', answer: '<think>\nThe user wants ```rust fn x``` …\n</think>\n```rust\nfn main() {}\n```', code: 'fn main() {}' },
      { name: 'Java without any fence', answer: 'public int f() {\n    return 1;\n}\n', code: 'public int f() {\n    return 1;\n}' },
      { name: 'C without fence, after a prose lead', answer: 'Sure, here is the fix:\nint f(void) {\n    return 0;\n}', code: 'int f(void) {\n    return 0;\n}' },
      { name: 'first of two blocks', answer: '```ts\na();\n```\nor\n```ts\nb();\n```', code: 'a();' },
      { name: 'unterminated fence', answer: '```py\nx = 1\ny = 2\n', code: 'x = 1\ny = 2' },
      { name: 'tilde fence', answer: '~~~js\nlet a;\n~~~', code: 'let a;' },
      { name: 'longer fence keeps inner triple backticks', answer: '````md\n```js\nx\n```\n````', code: '```js\nx\n```' },
      { name: 'CRLF answer', answer: '```c\r\nint a;\r\nint b;\r\n```\r\n', code: 'int a;\nint b;' },
      { name: 'keeps first line indentation', answer: '```py\n    return x\n```', code: '    return x' },
      { name: 'lone closing think tag', answer: 'reasoning here</think>\n```go\nx := 1\n```', code: 'x := 1' },
      { name: 'special tokens removed', answer: '```ts\nf();\n```<|im_end|>', code: 'f();' },
      { name: 'only thinking', answer: '<think>hmm', code: '' },
      { name: 'only a prose lead', answer: 'Here is the code:', code: '' },
      { name: 'an unusual sentence before unfenced code', answer: 'Here you go:\ndef f():\n    return 1', code: 'def f():\n    return 1' },
      { name: 'a Python block header is code, not prose', answer: 'class Config:\n    debug = True', code: 'class Config:\n    debug = True' },
    ];
    for (const c of cases) {
      it(c.name, () => assert.equal(extractCode(c.answer, true), c.code));
    }
  });

  describe('extractCode while streaming', () => {
    const cases: Array<{ name: string; partial: string; code: string }> = [
      { name: 'opening fence line still growing', partial: '```typ', code: '' },
      { name: 'opening fence complete, no body yet', partial: '```ts\n', code: '' },
      { name: 'body so far', partial: '```ts\nconst a = 1;\nconst b', code: 'const a = 1;\nconst b' },
      { name: 'half-written closing fence is held back', partial: '```py\nx = 1\n``', code: 'x = 1' },
      { name: 'first line of unfenced text not complete', partial: 'Here is', code: '' },
      { name: 'prose lead then fence arriving', partial: 'Here is the code:\n``', code: '' },
      { name: 'any sentence before the fence is held back', partial: 'Here you go:\n', code: '' },
      { name: 'a complete sentence while streaming is not code', partial: 'I added a comment to the function.\n', code: '' },
      { name: 'open think hides the rest', partial: '<think>\nmaybe ```ts x``` ', code: '' },
      { name: 'partial think tag held back', partial: '```ts\nx\n```\n<thi', code: 'x' },
    ];
    for (const c of cases) {
      it(c.name, () => assert.equal(extractCode(c.partial, false), c.code));
    }
  });

  describe('looksLikeProse', () => {
    const prose = ['Here you go:', 'Sure, here is the updated function:', 'I renamed the variable.', 'The fixed code with `add` renamed:'];
    const code = ['def main():', 'else:', 'Outer:', 'Console.WriteLine("x");', 'return x.', 'SELECT a FROM t;', 'Args:', 'try:', '// Note: this is a comment.'];
    for (const line of prose) it(`prose: ${line}`, () => assert.equal(looksLikeProse(line), true));
    for (const line of code) it(`code: ${line}`, () => assert.equal(looksLikeProse(line), false));
  });

  it('stripThinking removes closed parts and keeps the rest', () => {
    assert.equal(stripThinking('<think>a</think>b<think>c</think>d', true), 'bd');
    assert.equal(stripThinking('b<think>unfinished', false), 'b');
  });
});
