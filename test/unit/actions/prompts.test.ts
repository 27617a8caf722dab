import assert from 'node:assert/strict';
import type { ChatMessage } from '../../../src/backend/backend';
import { docConvention } from '../../../src/actions/docstring';
import {
  buildCommitPrompt,
  buildDocstringPrompt,
  buildEditPrompt,
  buildFixPrompt,
  buildTestsPrompt,
  chatOptions,
  CONTEXT_SIZES,
  fenceTag,
  outputBudgetFor,
  surroundingContext,
} from '../../../src/actions/prompts';
import { planTests } from '../../../src/actions/testPlan';

const user = (messages: ChatMessage[]) => {
  assert.equal(messages.length, 2);
  assert.equal(messages[0].role, 'system');
  assert.equal(messages[1].role, 'user');
  return messages[1].content;
};

describe('actions/prompts', () => {
  describe('edit', () => {
    const cases: Array<{ lang: string; code: string; tag: string }> = [
      { lang: 'typescript', code: 'const a = 1;', tag: 'typescript' },
      { lang: 'python', code: 'def f():\n    pass', tag: 'python' },
      { lang: 'go', code: 'func F() {}', tag: 'go' },
      { lang: 'rust', code: 'fn f() {}', tag: 'rust' },
      { lang: 'java', code: 'void f() {}', tag: 'java' },
      { lang: 'c', code: 'int f(void);', tag: 'c' },
      { lang: 'typescriptreact', code: '<div />', tag: 'tsx' },
    ];
    for (const c of cases) {
      it(`${c.lang}: code, context and instruction in order, fenced with the language`, () => {
        const text = user(buildEditPrompt({ instruction: 'make it better', code: c.code, path: `src/x`, languageId: c.lang, before: 'BEFORE', after: 'AFTER', extraSystem: '' }));
        assert.ok(text.includes(`\`\`\`${c.tag}\n${c.code}\n\`\`\``));
        const order = ['BEFORE', c.code, 'AFTER', 'Instruction: make it better'].map((s) => text.indexOf(s));
        assert.deepEqual([...order].sort((a, b) => a - b), order);
        assert.ok(order.every((i) => i >= 0));
      });
    }
    it('code holding a fence gets a longer fence', () => {
      const text = user(buildEditPrompt({ instruction: 'x', code: 'const md = `\n```\n`;', path: 'a.ts', languageId: 'typescript', before: '', after: '', extraSystem: '' }));
      assert.ok(text.includes('````typescript\n'));
      assert.ok(!text.includes('Code before'), 'no empty context sections');
    });
    it("the user's extra system prompt is appended", () => {
      const messages = buildEditPrompt({ instruction: 'x', code: 'y', path: 'a', languageId: 'go', before: '', after: '', extraSystem: 'Answer in British English.' });
      assert.ok(messages[0].content.endsWith('Answer in British English.'));
    });
  });

  it('docstring: the convention, its example and the code', () => {
    const conv = docConvention('python');
    assert.ok(conv);
    const text = user(buildDocstringPrompt({ code: 'def add(a, b):\n    return a + b', path: 'm.py', languageId: 'python', name: 'add', convention: conv, extraSystem: '' }));
    assert.match(text, /Python docstring/);
    assert.match(text, /`add`/);
    assert.match(text, /under the signature/);
    assert.ok(text.includes('Args:'));
  });

  it('tests: framework, import hint, existing file and mode', () => {
    const planned = planTests({ sourcePath: 'src/a.ts', languageId: 'typescript', projectRoot: '', manifest: '{"devDependencies":{"vitest":"1"}}', existingTests: [] });
    assert.ok(planned.ok);
    const text = user(
      buildTestsPrompt({
        code: 'export const f = () => 1;',
        wholeFile: false,
        name: 'f',
        path: 'src/a.ts',
        languageId: 'typescript',
        plan: planned.plan,
        testPath: 'src/a.test.ts',
        mode: 'append',
        existingTest: "import { f } from './a';",
        importHint: "The test file imports the code under test from './a'.",
        extraSystem: '',
      }),
    );
    assert.match(text, /Framework: vitest/);
    assert.match(text, /from '\.\/a'/);
    assert.match(text, /The start of src\/a\.test\.ts/);
    assert.match(text, /only the new tests to add at its end/);
  });

  it('fix: the problems with their lines and sources', () => {
    const text = user(
      buildFixPrompt({
        code: 'let x: string = 5;',
        path: 'a.ts',
        languageId: 'typescript',
        firstLine: 10,
        diagnostics: [{ line: 10, message: "Type 'number' is not assignable to type 'string'.", source: 'ts', code: '2322', severity: 'error', lineText: '  let x: string = 5;' }],
        before: '',
        after: '',
        extraSystem: '',
      }),
    );
    assert.match(text, /lines 10–10/);
    assert.match(text, /error on line 10 \(ts 2322\): Type 'number'/);
    assert.match(text, /The line: `let x: string = 5;`/);
  });

  it('commit: style and recent subjects', () => {
    const conventional = user(buildCommitPrompt({ diff: 'diff --git a/x b/x', style: 'conventional', recentSubjects: ['feat: a', 'fix: b'], extraSystem: '' }));
    assert.match(conventional, /Conventional Commits/);
    assert.match(conventional, /- feat: a\n- fix: b/);
    assert.ok(conventional.includes('```diff\ndiff --git a/x b/x\n```'));
    const plain = user(buildCommitPrompt({ diff: 'd', style: 'plain', unstaged: true, extraSystem: '' }));
    assert.match(plain, /imperative mood/);
    assert.match(plain, /unstaged changes/);
    assert.doesNotMatch(plain, /Recent commit/);
  });

  describe('chatOptions', () => {
    const msg = (chars: number): ChatMessage[] => [{ role: 'user', content: 'x'.repeat(chars) }];
    it('picks the smallest fixed context that holds prompt and answer', () => {
      assert.equal(chatOptions(msg(1000), { temperature: 0.2, maxOutputTokens: 512 })?.num_ctx, 8192);
      assert.equal(chatOptions(msg(30_000), { temperature: 0.2, maxOutputTokens: 2048 })?.num_ctx, 16384);
      assert.equal(chatOptions(msg(80_000), { temperature: 0.2, maxOutputTokens: 4096 })?.num_ctx, 32768);
    });
    it('keeps the window the model is loaded with whenever it is enough (no reload between chat and actions)', () => {
      assert.equal(chatOptions(msg(1000), { temperature: 0.2, maxOutputTokens: 512, preferredNumCtx: 16384 })?.num_ctx, 16384);
      assert.equal(chatOptions(msg(80_000), { temperature: 0.2, maxOutputTokens: 4096, preferredNumCtx: 16384 })?.num_ctx, 32768);
    });
    it('refuses a prompt no context holds', () => assert.equal(chatOptions(msg(200_000), { temperature: 0, maxOutputTokens: 512 }), undefined));
    it('passes temperature and the answer limit', () => {
      assert.deepEqual(chatOptions(msg(10), { temperature: 0.4, maxOutputTokens: 300 }), { num_ctx: CONTEXT_SIZES[0], num_predict: 300, temperature: 0.4 });
    });
    it('outputBudgetFor scales with the code within bounds', () => {
      assert.equal(outputBudgetFor('x'), 512);
      assert.equal(outputBudgetFor('x'.repeat(100_000)), 8192);
    });
  });

  it('surroundingContext stays within the budget, nearest lines first', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const { before, after } = surroundingContext(lines, 50, 52, 120);
    assert.ok(before.length + after.length <= 120);
    assert.ok(before.endsWith('line 49'));
    assert.ok(after.startsWith('line 53'));
    const all = surroundingContext(lines.slice(0, 5), 2, 2, 10_000);
    assert.deepEqual([all.before, all.after], ['line 0\nline 1', 'line 3\nline 4']);
  });

  it('fenceTag maps VS Code ids to fence tags', () => {
    assert.equal(fenceTag('csharp'), 'cs');
    assert.equal(fenceTag('go'), 'go');
  });
});
