// The actions' pure request building, streaming and extraction end to end: the real Ollama backend
// (src/backend/ollama.ts, through the `ollama` client) against the Ollama simulator. Only the VS Code
// glue (diff editor, progress, WorkspaceEdit) is left out.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../../../src/backend/errors';
import type { Backend } from '../../../src/backend/backend';
import { cleanCommitMessage, summarizeDiff } from '../../../src/actions/commitDiff';
import { docConvention, findDocPlacement, placementRange } from '../../../src/actions/docstring';
import { Proposal, decideAccept } from '../../../src/actions/proposal';
import {
  actionRequest,
  buildCommitPrompt,
  buildDocstringPrompt,
  buildEditPrompt,
  buildFixPrompt,
  buildTestsPrompt,
  outputBudgetFor,
  surroundingContext,
} from '../../../src/actions/prompts';
import { codeRenderer, docCommentRenderer, narrowReplacement, testsRenderer } from '../../../src/actions/render';
import { failureMessage, streamChat, streamIntoProposal } from '../../../src/actions/stream';
import { testMode } from '../../../src/actions/testEdit';
import { planTests } from '../../../src/actions/testPlan';
import { dedent, LineIndex } from '../../../src/actions/text';
import { OllamaSimulator } from '../../sim/simulator';
import { Rig } from '../faults/rig';

const CHAT = 'qwen2.5-coder:1.5b-instruct';
const MODEL = { model: CHAT, temperature: 0.2, keepAlive: '30m' };
const FIXTURES = join(__dirname, '../../fixtures/actions');
const spaces = (tabSize: number) => ({ insertSpaces: true, tabSize });

function proposalFor(text: string, start: number, end: number, isNewFile = false): Proposal {
  return new Proposal({ id: 'sim', action: 'Test', targetUri: 'file:///x', originalText: text, version: 1, start, end, isNewFile, eol: text.includes('\r\n') ? '\r\n' : '\n' });
}

function apply(text: string, p: Proposal): string {
  const decision = decideAccept(p, { exists: true, text, version: 1 });
  assert.equal(decision.kind, 'apply');
  if (decision.kind !== 'apply') return text;
  const n = narrowReplacement(text, decision.start, decision.end, decision.text);
  return text.slice(0, n.start) + n.text + text.slice(n.end);
}

describe('actions against the Ollama simulator', function () {
  this.timeout(15_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 1 } });
  let backend: Backend;
  let rig: Rig | undefined;

  before(() => sim.start());
  after(() => sim.stop());
  afterEach(() => rig?.dispose());
  beforeEach(() => {
    sim.reset();
    sim.setTiming({ loadMs: 5, tokenMs: 1 });
    // The backend the actions get in the editor: createCore()'s services (through the fault rig).
    rig = new Rig({ sim });
    backend = rig.core.services.backend();
  });

  it('Edit Selection: a Go function rewritten, with a leading sentence and thinking, into a tab-indented CRLF file', async () => {
    const text = readFileSync(join(FIXTURES, 'sample.go'), 'utf8').replace(/\n/g, '\r\n');
    const index = new LineIndex(text);
    const startLine = index.lines.findIndex((l) => l.startsWith('func Split'));
    const endLine = startLine + 5;
    assert.equal(index.lines[endLine], '}');
    const code = index.lines.slice(startLine, endLine + 1).join('\n');
    const { before, after } = surroundingContext(index.lines, startLine, endLine, 2000);
    const messages = buildEditPrompt({ instruction: 'trim spaces around parts', code: dedent(code), path: 'store/sample.go', languageId: 'go', before, after, extraSystem: '' });
    sim.addChatRule({
      whenLastUserIncludes: 'Instruction: trim spaces around parts',
      answer: '<think>Use strings.TrimSpace on each part.</think>Here is the updated function:\n\n```go\nfunc Split(s string) []string {\n    if s == "" {\n        return nil\n    }\n    parts := strings.Split(s, ",")\n    for i, p := range parts {\n        parts[i] = strings.TrimSpace(p)\n    }\n    return parts\n}\n```\nThis trims every part.',
    });
    const built = actionRequest(messages, MODEL, outputBudgetFor(code));
    assert.ok(built.ok);
    const start = index.offsetAt(startLine, 0);
    const end = index.offsetAt(endLine, 1);
    const p = proposalFor(text, start, end);
    let updates = 0;
    p.onDidChange(() => updates++);
    const outcome = await streamIntoProposal(backend, built.request, p, codeRenderer({ indent: '', style: { insertSpaces: false, tabSize: 4 }, firstLineIndented: true, eol: '\r\n' }));
    assert.equal(outcome.kind, 'ready');
    assert.ok(updates > 3, 'the proposal followed the stream');
    const result = apply(text, p);
    assert.ok(result.includes('\tparts := strings.Split(s, ",")\r\n\tfor i, p := range parts {\r\n\t\tparts[i] = strings.TrimSpace(p)\r\n\t}\r\n'));
    assert.ok(!result.includes('<think>') && !result.includes('Here is'));
    assert.ok(result.startsWith('package store\r\n'), 'the rest of the file is untouched');
    assert.ok(result.endsWith('\treturn strings.Join(parts, ",")\r\n}\r\n'));
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.body?.keep_alive, '30m');
    assert.equal((rec.body?.options as Record<string, unknown>).num_ctx, 8192);
    assert.equal(rec.truncated, false, 'the prompt fits the context');
  });

  it('Generate Docstring: a Python docstring lands under the multi-line signature', async () => {
    const text = readFileSync(join(FIXTURES, 'sample.py'), 'utf8');
    const lines = text.replace(/\n$/, '').split('\n');
    const conv = docConvention('python');
    assert.ok(conv);
    const header = lines.findIndex((l) => l.includes('def load('));
    const placed = findDocPlacement(lines, header, conv, spaces(4));
    assert.ok(placed.ok);
    const messages = buildDocstringPrompt({ code: dedent(lines.slice(header, header + 10).join('\n')), path: 'sample.py', languageId: 'python', name: 'load', convention: conv, extraSystem: '' });
    sim.addChatRule({ whenSystemIncludes: 'documentation comments', answer: '```python\n"""Load and parse a file.\n\nArgs:\n    path: The file to read.\n    strict: Raise on an empty file.\n\nRaises:\n    ValueError: If strict and the file is empty.\n"""\n```' });
    const built = actionRequest(messages, MODEL, 1024);
    assert.ok(built.ok);
    const { start, end } = placementRange(text, placed.placement);
    const p = proposalFor(text, start, end);
    const outcome = await streamIntoProposal(backend, built.request, p, docCommentRenderer(text, placed.placement, conv, '\n', 'load'));
    assert.equal(outcome.kind, 'ready');
    const result = apply(text, p);
    assert.ok(
      result.includes('    ):\n        """Load and parse a file.\n\n        Args:\n            path: The file to read.\n            strict: Raise on an empty file.\n\n        Raises:\n            ValueError: If strict and the file is empty.\n        """\n        with open(path) as f:'),
      result,
    );
  });

  it('Generate Tests: a new vitest file is proposed whole (created only on Accept)', async () => {
    const planned = planTests({ sourcePath: 'src/math.ts', languageId: 'typescript', projectRoot: '', manifest: '{"devDependencies":{"vitest":"^2"}}', existingTests: [] });
    assert.ok(planned.ok);
    const plan = planned.plan;
    assert.equal(plan.create, 'src/math.test.ts');
    const mode = testMode(plan.language, false, false, '');
    const messages = buildTestsPrompt({ code: 'export const add = (a: number, b: number) => a + b;', wholeFile: false, name: 'add', path: 'src/math.ts', languageId: 'typescript', plan, testPath: plan.create, mode, importHint: "The test file imports the code under test from './math'.", extraSystem: '' });
    sim.addChatRule({ whenLastUserIncludes: 'Framework: vitest', answer: "```ts\nimport { describe, it, expect } from 'vitest';\nimport { add } from './math';\n\ndescribe('add', () => {\n  it('adds', () => expect(add(1, 2)).toBe(3));\n});\n```" });
    const built = actionRequest(messages, MODEL, 4096);
    assert.ok(built.ok);
    const p = proposalFor('', 0, 0, true);
    const outcome = await streamIntoProposal(backend, built.request, p, testsRenderer(mode, plan.language, '', '\n', spaces(2)));
    assert.equal(outcome.kind, 'ready');
    const decision = decideAccept(p, { exists: false });
    assert.equal(decision.kind, 'create');
    assert.equal(decision.kind === 'create' ? decision.text : '', "import { describe, it, expect } from 'vitest';\nimport { add } from './math';\n\ndescribe('add', () => {\n  it('adds', () => expect(add(1, 2)).toBe(3));\n});\n");
  });

  it('Fix This Problem: the fixed region replaces only the changed line', async () => {
    const text = 'function total(xs: number[]): string {\n  let sum: string = 0;\n  for (const x of xs) sum += x;\n  return String(sum);\n}\n';
    const messages = buildFixPrompt({ code: text.trimEnd(), path: 'a.ts', languageId: 'typescript', firstLine: 1, diagnostics: [{ line: 2, message: "Type 'number' is not assignable to type 'string'.", source: 'ts', code: '2322', severity: 'error', lineText: '  let sum: string = 0;' }], before: '', after: '', extraSystem: '' });
    sim.addChatRule({ whenSystemIncludes: 'You fix problems', answer: '```typescript\nfunction total(xs: number[]): string {\n  let sum = 0;\n  for (const x of xs) sum += x;\n  return String(sum);\n}\n```' });
    const built = actionRequest(messages, MODEL, 512);
    assert.ok(built.ok);
    const p = proposalFor(text, 0, text.length - 1);
    await streamIntoProposal(backend, built.request, p, codeRenderer({ indent: '', style: spaces(2), firstLineIndented: true, eol: '\n' }));
    const decision = decideAccept(p, { exists: true, text, version: 1 });
    assert.equal(decision.kind, 'apply');
    if (decision.kind !== 'apply') return;
    const n = narrowReplacement(text, decision.start, decision.end, decision.text);
    assert.equal(n.text, '  let sum = 0;\n');
    assert.equal(text.slice(n.start, n.end), '  let sum: string = 0;\n');
  });

  it('Write Commit Message: a summarized diff in, a clean conventional message out', async () => {
    const diff = Array.from({ length: 30 }, (_, i) => `diff --git a/src/f${i}.ts b/src/f${i}.ts\n--- a/src/f${i}.ts\n+++ b/src/f${i}.ts\n@@ -1 +1,200 @@\n${Array.from({ length: 200 }, (_, j) => `+const v${j} = ${j};`).join('\n')}`).join('\n');
    const summary = summarizeDiff(diff, 5500);
    const messages = buildCommitPrompt({ diff: summary, style: 'conventional', recentSubjects: ['feat: a'], extraSystem: '' });
    sim.addChatRule({ whenSystemIncludes: 'commit messages', answer: '<think>many constants</think>\n```\nfeat(src): add constant tables\n\nAdds 200 constants to each of 30 modules.\n```' });
    const built = actionRequest(messages, MODEL, 400);
    assert.ok(built.ok);
    const seen: string[] = [];
    const out = await streamChat(backend, built.request, (t) => seen.push(cleanCommitMessage(t, false)));
    assert.equal(cleanCommitMessage(out.text, true), 'feat(src): add constant tables\n\nAdds 200 constants to each of 30 modules.');
    assert.ok(seen.every((s) => !s.includes('<think>') && !s.includes('```')));
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.truncated, false, 'the summarized diff fits the context it asked for');
  });

  it('Cancel reaches the server and leaves the proposal at the original', async () => {
    sim.setTiming({ tokenMs: 20 });
    sim.setChat('```ts\n' + 'const a = 1;\n'.repeat(200) + '```');
    const text = 'const a = 0;\n';
    const built = actionRequest([{ role: 'user', content: 'x' }], MODEL, 512);
    assert.ok(built.ok);
    const controller = new AbortController();
    const p = proposalFor(text, 0, text.length - 1);
    p.onDidChange(() => {
      if (p.replacement.includes('const a = 1;')) controller.abort();
    });
    await assert.rejects(
      streamIntoProposal(backend, { ...built.request, signal: controller.signal }, p, codeRenderer({ indent: '', style: spaces(2), firstLineIndented: true, eol: '\n' })),
      (e: unknown) => e instanceof BackendError && e.kind === 'aborted',
    );
    assert.equal(p.proposedText, text);
    const rec = await sim.waitForRequest({ endpoint: 'chat', finished: true });
    assert.equal(rec.aborted, true, 'the server saw the client go away');
  });

  it('A missing model fails with modelNotFound and the message offers to pull it', async () => {
    const built = actionRequest([{ role: 'user', content: 'x' }], { ...MODEL, model: 'qwen2.5-coder:32b-instruct' }, 512);
    assert.ok(built.ok);
    const p = proposalFor('x', 0, 1);
    const error = await streamIntoProposal(backend, built.request, p, codeRenderer({ indent: '', style: spaces(2), firstLineIndented: true, eol: '\n' })).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof BackendError);
    assert.equal(error.kind, 'modelNotFound');
    const message = failureMessage(error, 'Edit Selection');
    assert.deepEqual(message.actions[0], { title: 'Pull qwen2.5-coder:32b-instruct', command: 'qwenLocal.pullModel', args: ['qwen2.5-coder:32b-instruct'] });
    assert.equal(p.proposedText, 'x');
  });
});
