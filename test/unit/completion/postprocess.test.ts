import * as assert from 'node:assert/strict';
import {
  balanceAgainstLineSuffix,
  cutAtStop,
  cutWhereSuffixRepeats,
  firstLine,
  firstUnmatchedCloser,
  fixIndentation,
  isRepetitive,
  postprocess,
  stopAtRepeatedLines,
  stripMarkdownFences,
  trimTrailingBlankLines,
  type PostprocessContext,
} from '../../../src/completion/postprocess';
import { TEMPLATES, type CompletionLength } from '../../../src/completion/templates';

const QWEN_STOPS = TEMPLATES['qwen2.5-coder'].specialTokens;
const spaces = { insertSpaces: true, tabSize: 4 };
const tabs = { insertSpaces: false, tabSize: 4 };

/** A context from code with `|` at the cursor. */
function at(code: string, length: CompletionLength = 'block', languageId = 'typescript', indentation = spaces): PostprocessContext {
  const cursor = code.indexOf('|');
  return { prefix: code.slice(0, cursor), suffix: code.slice(cursor + 1), length, languageId, indentation, stops: QWEN_STOPS };
}

describe('completion post-processing', () => {
  describe('cutAtStop: stop strings and leaked special tokens', () => {
    it('cuts at the first stop or file separator', () => {
      assert.equal(cutAtStop('return a + b;\n<|file_sep|>utils.ts\nexport', QWEN_STOPS), 'return a + b;\n');
      assert.equal(cutAtStop('x = 1<|endoftext|>garbage', QWEN_STOPS), 'x = 1');
    });
    it('skips an echoed <|fim_middle|> at the start instead of returning nothing', () => {
      assert.equal(cutAtStop('<|fim_middle|>console.log(x);', QWEN_STOPS), 'console.log(x);');
    });
    it('an end-of-text token at the start means nothing to insert', () => {
      assert.equal(cutAtStop('<|endoftext|>', QWEN_STOPS), '');
    });
    it('through postprocess, another family’s token is cut too', () => {
      assert.equal(postprocess('foo();<｜fim▁end｜>bar', at('|', 'line')), 'foo();');
      assert.equal(postprocess('items.length<fim_suffix>', at('const n = |', 'line')), 'items.length');
    });
    it('but not tokens of other families that can be code, such as </s> in JSX', () => {
      assert.equal(postprocess('<s>old</s> price', at('return <p>|', 'line', 'typescriptreact')), '<s>old</s> price');
    });
  });

  describe('stripMarkdownFences', () => {
    it('drops an opening fence line and a closing fence', () => {
      assert.equal(stripMarkdownFences('```python\nreturn sum(xs) / len(xs)\n```\nThis computes', 'python'), 'return sum(xs) / len(xs)');
    });
    it('cuts at a stray closing fence', () => {
      assert.equal(stripMarkdownFences('    return x\n```', 'python'), '    return x');
    });
    it('leaves Markdown documents alone', () => {
      assert.equal(stripMarkdownFences('```ts\nconst a = 1;\n```', 'markdown'), '```ts\nconst a = 1;\n```');
    });
    it('leaves backticks inside code alone', () => {
      assert.equal(stripMarkdownFences('const s = `a ${b}`;', 'typescript'), 'const s = `a ${b}`;');
    });
  });

  describe('single-line mode', () => {
    it('cuts at the first newline', () => {
      assert.equal(firstLine('user.name);\n  console.log(user);'), 'user.name);');
    });
    it('an answer that starts on the next line gives nothing in line mode', () => {
      assert.equal(postprocess('\n  return 1;\n}', at('const x = 1;|', 'line')), undefined);
    });
  });

  describe('repetition', () => {
    it('stops at a line repeated right after itself', () => {
      assert.equal(stopAtRepeatedLines('    total += x\n    total += x\n    total += x'), '    total += x');
    });
    it('stops at a repeated block of lines', () => {
      const looping = 'a.push(1);\nb.push(2);\na.push(1);\nb.push(2);\na.push(1);';
      assert.equal(stopAtRepeatedLines(looping), 'a.push(1);\nb.push(2);');
    });
    it('keeps closing brackets that legitimately follow each other', () => {
      const code = '      }\n    }\n  }\n}';
      assert.equal(stopAtRepeatedLines(code), code);
    });
    it('drops output that is one unit over and over', () => {
      assert.equal(isRepetitive('================================'), true);
      assert.equal(isRepetitive('a, a, a, a, a, a, a, a, a'), true);
      assert.equal(isRepetitive('return items.filter((x) => x.enabled);'), false);
      assert.equal(postprocess('// // // // // // // //', at('const x = 1; |', 'line')), undefined);
    });
  });

  describe('trimTrailingBlankLines', () => {
    it('removes trailing blank lines and spaces, keeps a leading newline', () => {
      assert.equal(trimTrailingBlankLines('\n    return 1;   \n\n   \n'), '\n    return 1;');
    });
  });

  describe('never repeat what follows the cursor', () => {
    it('cuts where the output rewrites the line below (Python)', () => {
      const ctx = at('def mean(values):\n    |\n    return total / len(values)\n', 'block', 'python');
      assert.equal(cutWhereSuffixRepeats('total = sum(values)\n    return total / len(values)', ctx), 'total = sum(values)');
    });
    it('drops a single line equal to the line below', () => {
      assert.equal(postprocess('return result;', at('function f() {\n  const result = g();\n  |\n  return result;\n}')), undefined);
    });
    it("drops the function's closing brace the suffix already has", () => {
      const ctx = at('function add(a: number, b: number) {\n  |\n}\n');
      assert.equal(cutWhereSuffixRepeats('return a + b;\n}', ctx), 'return a + b;');
    });
    it('keeps a closing brace of a block the output opened itself', () => {
      const ctx = at('function f(x: number) {\n  |\n}\n');
      const body = 'if (x > 0) {\n    log(x);\n  }\n  return x;';
      assert.equal(cutWhereSuffixRepeats(body, ctx), body);
    });
    it('full pipeline on Go: body without the repeated brace', () => {
      const ctx = at('func (s *Server) Close() error {\n\t|\n}\n', 'block', 'go', tabs);
      assert.equal(postprocess('return s.listener.Close()\n}\n', ctx), 'return s.listener.Close()');
    });
  });

  describe('balance brackets against the rest of the line', () => {
    it('finds the first closer the output did not open', () => {
      assert.equal(firstUnmatchedCloser('a, b)'), 4);
      assert.equal(firstUnmatchedCloser('f(a), ")"'), -1);
      assert.equal(firstUnmatchedCloser('x[0]]'), 4);
    });
    it('`foo(|)` + `a, b)` → `a, b`', () => {
      assert.equal(balanceAgainstLineSuffix('a, b)', at('foo(|)')), 'a, b');
    });
    it('`foo(|);` + `a, b);` → `a, b`', () => {
      assert.equal(balanceAgainstLineSuffix('a, b);', at('print(|);')), 'a, b');
    });
    it('`foo(|);` + `a, b)` → `a, b` (the line supplies the rest)', () => {
      assert.equal(balanceAgainstLineSuffix('a, b)', at('print(|);')), 'a, b');
    });
    it('`foo(bar(|)` + `a, b));` → `a, b)`: keeps only the closer the line lacks', () => {
      assert.equal(balanceAgainstLineSuffix('a, b));', at('foo(bar(|)')), 'a, b)');
    });
    it('keeps a call the output closes itself: `foo(|)` + `bar(x)`', () => {
      assert.equal(balanceAgainstLineSuffix('bar(x)', at('foo(|)')), 'bar(x)');
    });
    it('drops an ending that retypes the rest of the line: `const v = |data;` + `await data;`', () => {
      assert.equal(balanceAgainstLineSuffix('await data;', at('const v = |data;')), 'await ');
    });
    it('array literal in Rust: `vec![|];` + `1, 2, 3];` → `1, 2, 3`', () => {
      assert.equal(postprocess('1, 2, 3];', at('let v = vec![|];', 'line', 'rust')), '1, 2, 3');
    });
    it('empty body `{|}` in block mode: no doubled brace, the brace keeps its own line', () => {
      const ctx = at('  items.forEach((item) => {|});', 'block');
      assert.equal(postprocess('\n    total += item.price;\n  }', ctx), '\n    total += item.price;\n  ');
    });
    it('Java: `list.add(|);` + `item);` → `item`', () => {
      assert.equal(postprocess('item);', at('        list.add(|);', 'line', 'java')), 'item');
    });
  });

  describe('indentation', () => {
    it('converts spaces to tabs when the editor uses tabs (C)', () => {
      const ctx = at('int main(void) {\n\t|\n}', 'block', 'c', tabs);
      assert.equal(fixIndentation('for (int i = 0; i < n; i++) {\n        puts("x");\n    }', ctx), 'for (int i = 0; i < n; i++) {\n\t\tputs("x");\n\t}');
    });
    it('converts tabs to spaces when the editor uses spaces', () => {
      const ctx = at('def f():\n    |', 'block', 'python');
      assert.equal(fixIndentation('if x:\n\t\treturn 1', ctx), 'if x:\n        return 1');
    });
    it('brings an over-indented first line back to the current level, and the rest with it', () => {
      // The cursor is already at column 4 after `{`; the model indented again.
      const ctx = at('function f() {\n    |\n}', 'block', 'typescript');
      assert.equal(fixIndentation('    if (ok) {\n            run();\n        }', ctx), 'if (ok) {\n        run();\n    }');
    });
    it('keeps a deliberate deeper first line when the cursor is at column 0, in the editor style', () => {
      assert.equal(fixIndentation('    return 1', at('def f():\n|', 'block', 'python')), '    return 1');
      assert.equal(fixIndentation('    return 1;', at('int f() {\n|', 'block', 'c', tabs)), '\treturn 1;');
    });
    it('clears whitespace of blank lines inside the output', () => {
      const ctx = at('class A:\n    |', 'block', 'python');
      assert.equal(fixIndentation('x = 1\n    \n    y = 2', ctx), 'x = 1\n\n    y = 2');
    });
  });

  describe('postprocess as a whole', () => {
    it('drops whitespace-only output', () => {
      assert.equal(postprocess('   \n\n  ', at('x = |', 'line', 'python')), undefined);
    });
    it('cleans a realistic TypeScript block answer', () => {
      const ctx = at('export function isEven(n: number): boolean {\n  |\n}\n', 'block');
      const raw = '<|fim_middle|>return n % 2 === 0;\n}\n\nexport function isOdd(n: number): boolean {<|file_sep|>';
      assert.equal(postprocess(raw, ctx), 'return n % 2 === 0;');
    });
    it('a one-line completion in the middle of a Python call', () => {
      const ctx = at('result = compute(|)\nprint(result)\n', 'line', 'python');
      assert.equal(postprocess('values, weights=weights)\nprint(result)', ctx), 'values, weights=weights');
    });
  });
});
