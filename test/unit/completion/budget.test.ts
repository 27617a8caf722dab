import * as assert from 'node:assert/strict';
import {
  DEFAULT_LIMITS,
  estimateTokens,
  fitBudget,
  inputTokensFor,
  takeLinesFromEnd,
  takeLinesFromStart,
} from '../../../src/completion/budget';

/** Numbered lines of similar weight: "const value12 = compute(12);\n". */
function lines(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += `const value${i} = compute(${i});\n`;
  return text;
}

describe('completion budget', () => {
  describe('estimateTokens', () => {
    // Real counts below were measured with the Qwen tokenizer (test/bench/completion-tokens.ts).
    it('is close on short code', () => {
      assert.equal(estimateTokens(''), 0);
      const estimate = estimateTokens('function foo(a, b) {\n    return a + b;\n}\n');
      assert.ok(Math.abs(estimate - 14) <= 1, `${estimate} vs 14`);
    });
    it('prices digits one token each, as Qwen splits numbers', () => {
      assert.equal(estimateTokens('12345'), 5);
    });
    it('grows with long identifiers', () => {
      assert.ok(estimateTokens(' getElementsByTagNameNS') > estimateTokens(' get'));
    });
    it('stays within 10% of the real count on repetitive code', () => {
      const estimate = estimateTokens(lines(0, 100));
      assert.ok(Math.abs(estimate - 980) / 980 < 0.1, `${estimate} vs 980`);
    });
    it('counts non-ASCII text cautiously (about a token per character)', () => {
      assert.ok(estimateTokens('你好世界') >= 4);
    });
  });

  describe('takeLinesFromEnd (prefix)', () => {
    it('keeps everything when it fits', () => {
      const text = lines(0, 3) + 'const x = ';
      assert.equal(takeLinesFromEnd(text, 1000).text, text);
    });
    it('cuts whole lines from the top and always keeps the cursor line', () => {
      const text = lines(0, 50) + 'const x = ';
      const cut = takeLinesFromEnd(text, 60);
      assert.ok(cut.text.endsWith('const x = '));
      assert.ok(cut.text.startsWith('const value'), 'starts at a line boundary');
      assert.ok(cut.tokens <= 60);
      assert.ok(text.endsWith(cut.text));
    });
    it('keeps the cursor line even over budget', () => {
      assert.equal(takeLinesFromEnd('a\nbb\n' + 'x'.repeat(50), 1).text, 'x'.repeat(50));
    });
    it('moves the start in steps of anchor lines, so typing does not shift it', () => {
      const head = lines(0, 200);
      const starts: string[] = [];
      // Type three more lines: the window start stays on the same anchor line.
      for (let typed = 0; typed < 3; typed++) {
        const text = head + lines(200, 200 + typed) + 'const x';
        const cut = takeLinesFromEnd(text, 400, 16);
        starts.push(cut.text.slice(0, cut.text.indexOf('\n')));
        const lineNumber = text.slice(0, text.length - cut.text.length).split('\n').length - 1;
        assert.equal(lineNumber % 16, 0, 'starts on a multiple of 16');
      }
      assert.equal(new Set(starts).size, 1, `same start: ${starts.join(' | ')}`);
    });
    it('handles empty lines and a prefix that is one line', () => {
      assert.equal(takeLinesFromEnd('\n\n\nx', 100).text, '\n\n\nx');
      assert.equal(takeLinesFromEnd('abc', 100).text, 'abc');
    });
  });

  describe('takeLinesFromStart (suffix)', () => {
    it('keeps the rest of the cursor line and whole lines after it', () => {
      const suffix = ');\n' + lines(0, 50);
      const cut = takeLinesFromStart(suffix, 40);
      assert.ok(cut.text.startsWith(');\n'));
      assert.ok(cut.text.endsWith('\n'), 'ends at a line boundary');
      assert.ok(cut.tokens <= 40);
      assert.ok(suffix.startsWith(cut.text));
    });
  });

  describe('fitBudget', () => {
    const limits = { ...DEFAULT_LIMITS, inputTokens: 1000, overheadTokens: 20, prefixAnchorLines: 1 };

    it('gives the suffix at most a fifth and the prefix the rest', () => {
      const result = fitBudget(lines(0, 300), lines(300, 600), [], limits);
      assert.ok(result.tokens.suffix <= 196);
      assert.ok(result.tokens.prefix + result.tokens.suffix <= 980);
      assert.ok(result.tokens.prefix > 700);
    });
    it('keeps room for snippets, best first, and gives unused room back to the prefix', () => {
      const snippets = [
        { path: 'a.ts', content: lines(0, 5), score: 0.2 },
        { path: 'b.ts', content: lines(5, 10), score: 0.9 },
        { path: 'huge.ts', content: lines(0, 400), score: 0.5 },
      ];
      const result = fitBudget(lines(0, 300), '', snippets, limits);
      assert.deepEqual(
        result.snippets.map((s) => s.path),
        ['b.ts', 'a.ts'],
      );
      const without = fitBudget(lines(0, 300), '', [], limits);
      assert.ok(result.tokens.prefix < without.tokens.prefix);
      assert.ok(result.tokens.prefix + result.tokens.snippets <= 980);
      assert.ok(result.tokens.prefix + result.tokens.snippets > 900, 'the room snippets did not use went to the prefix');
    });
    it('a short file leaves more room for snippets than the reserve', () => {
      const snippets = [{ path: 'big.ts', content: lines(0, 40), score: 1 }];
      const result = fitBudget('const x = ', '', snippets, { ...limits, maxSnippetTokens: 900 });
      assert.equal(result.snippets.length, 1);
    });
  });

  it('inputTokensFor leaves room for the answer and a safety margin', () => {
    assert.equal(inputTokensFor(4096, 256), 4096 - 256 - 410);
    assert.ok(inputTokensFor(512, 256) >= 256);
  });
});
