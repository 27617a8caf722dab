import assert from 'node:assert/strict';
import { checkCalls, type ToolSpec } from '../../../src/lm/toolCalls';
import { ToolCallScanner } from '../../../src/lm/toolStream';

const TOOLS: ToolSpec[] = [
  {
    name: 'read_file',
    description: 'Read a file',
    inputSchema: { type: 'object', properties: { path: { type: 'string' }, startLine: { type: 'integer' } }, required: ['path'], additionalProperties: false },
  },
  {
    name: 'run_in_terminal',
    inputSchema: { type: 'object', properties: { command: { type: 'string' }, isBackground: { type: 'boolean' } }, required: ['command', 'isBackground'] },
  },
  {
    name: 'search_codebase',
    inputSchema: { type: 'object', properties: { query: { type: 'string' }, maxResults: { type: 'integer', minimum: 1 }, globs: { type: 'array', items: { type: 'string' } } }, required: ['query'] },
  },
];

interface Case {
  name: string;
  /** The answer as the model wrote it (streamed in pieces of `chunk` characters). */
  answer: string;
  calls?: { name: string; input: Record<string, unknown> }[];
  /** Substrings of the problems the model is told about. */
  problems?: RegExp[];
  /** Text shown to the user, exactly (whitespace trimmed). */
  text?: string;
}

const CASES: Case[] = [
  // Qwen2.5-Coder's own template format.
  { name: 'tool_call tag', answer: '<tool_call>\n{"name": "read_file", "arguments": {"path": "src/a.ts"}}\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'src/a.ts' } }], text: '' },
  { name: 'tag with prose before', answer: 'Let me look at the file.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'a.ts' } }], text: 'Let me look at the file.' },
  { name: 'tag with prose after', answer: '<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n</tool_call>\nI will summarize it next.', calls: [{ name: 'read_file', input: { path: 'a.ts' } }], text: 'I will summarize it next.' },
  { name: 'two tags', answer: '<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n</tool_call>\n<tool_call>\n{"name": "read_file", "arguments": {"path": "b.ts"}}\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'a.ts' } }, { name: 'read_file', input: { path: 'b.ts' } }], text: '' },
  { name: 'unterminated tag at the end', answer: '<tool_call>\n{"name": "search_codebase", "arguments": {"query": "retry policy"}}', calls: [{ name: 'search_codebase', input: { query: 'retry policy' } }], text: '' },
  { name: 'arguments as a JSON string', answer: '<tool_call>{"name": "read_file", "arguments": "{\\"path\\": \\"x.py\\"}"}</tool_call>', calls: [{ name: 'read_file', input: { path: 'x.py' } }] },
  { name: 'fence inside the tag', answer: '<tool_call>\n```json\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n```\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'a.ts' } }] },
  // Bare JSON, as Qwen2.5-Coder often answers through Ollama.
  { name: 'bare JSON object', answer: '{"name": "read_file", "arguments": {"path": "README.md"}}', calls: [{ name: 'read_file', input: { path: 'README.md' } }], text: '' },
  { name: 'bare JSON with "parameters"', answer: '{"name": "search_codebase", "parameters": {"query": "resolveHost"}}', calls: [{ name: 'search_codebase', input: { query: 'resolveHost' } }] },
  { name: 'bare JSON after prose line', answer: 'I need to search first.\n{"name": "search_codebase", "arguments": {"query": "lanes"}}', calls: [{ name: 'search_codebase', input: { query: 'lanes' } }], text: 'I need to search first.' },
  { name: 'OpenAI-shaped object', answer: '{"type": "function", "function": {"name": "read_file", "arguments": "{\\"path\\": \\"a.go\\"}"}}', calls: [{ name: 'read_file', input: { path: 'a.go' } }] },
  { name: 'tool_calls list', answer: '{"tool_calls": [{"function": {"name": "read_file", "arguments": {"path": "a"}}}, {"function": {"name": "read_file", "arguments": {"path": "b"}}}]}', calls: [{ name: 'read_file', input: { path: 'a' } }, { name: 'read_file', input: { path: 'b' } }] },
  { name: 'array of calls', answer: '[{"name": "read_file", "arguments": {"path": "a"}}, {"name": "search_codebase", "arguments": {"query": "b"}}]', calls: [{ name: 'read_file', input: { path: 'a' } }, { name: 'search_codebase', input: { query: 'b' } }] },
  { name: 'two bare objects on two lines', answer: '{"name": "read_file", "arguments": {"path": "a"}}\n{"name": "read_file", "arguments": {"path": "b"}}', calls: [{ name: 'read_file', input: { path: 'a' } }, { name: 'read_file', input: { path: 'b' } }] },
  // Fenced JSON.
  { name: 'json fence', answer: '```json\n{"name": "run_in_terminal", "arguments": {"command": "npm test", "isBackground": false}}\n```', calls: [{ name: 'run_in_terminal', input: { command: 'npm test', isBackground: false } }], text: '' },
  { name: 'plain fence with prose around', answer: 'Running the tests:\n```\n{"name": "run_in_terminal", "arguments": {"command": "npm test", "isBackground": false}}\n```\nThen I will read the output.', calls: [{ name: 'run_in_terminal', input: { command: 'npm test', isBackground: false } }], text: 'Running the tests:\nThen I will read the output.' },
  // Qwen3-Coder's XML form.
  { name: 'Qwen3-Coder XML', answer: '<tool_call>\n<function=read_file>\n<parameter=path>\nsrc/main.rs\n</parameter>\n</function>\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'src/main.rs' } }], text: '' },
  { name: 'XML with typed parameters coerced', answer: '<tool_call>\n<function=search_codebase>\n<parameter=query>\nretry\n</parameter>\n<parameter=maxResults>\n5\n</parameter>\n<parameter=globs>\n["src/**"]\n</parameter>\n</function>\n</tool_call>', calls: [{ name: 'search_codebase', input: { query: 'retry', maxResults: 5, globs: ['src/**'] } }] },
  { name: 'XML boolean coerced', answer: '<tool_call><function=run_in_terminal><parameter=command>ls -la</parameter><parameter=isBackground>false</parameter></function></tool_call>', calls: [{ name: 'run_in_terminal', input: { command: 'ls -la', isBackground: false } }] },
  { name: 'XML without tool_call wrapper', answer: 'Reading it.\n<function=read_file>\n<parameter=path>\na.txt\n</parameter>\n</function>', calls: [{ name: 'read_file', input: { path: 'a.txt' } }], text: 'Reading it.' },
  { name: 'XML multi-line value keeps inner newlines', answer: '<tool_call>\n<function=run_in_terminal>\n<parameter=command>\necho a\necho b\n</parameter>\n<parameter=isBackground>\ntrue\n</parameter>\n</function>\n</tool_call>', calls: [{ name: 'run_in_terminal', input: { command: 'echo a\necho b', isBackground: true } }] },
  // Broken JSON that jsonrepair mends.
  { name: 'trailing comma', answer: '<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts",}}\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'a.ts' } }] },
  { name: 'single quotes', answer: "<tool_call>\n{'name': 'read_file', 'arguments': {'path': 'a.ts'}}\n</tool_call>", calls: [{ name: 'read_file', input: { path: 'a.ts' } }] },
  { name: 'missing closing brace in a tag', answer: '<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts"}\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'a.ts' } }] },
  { name: 'number as a string is coerced', answer: '{"name": "read_file", "arguments": {"path": "a.ts", "startLine": "10"}}', calls: [{ name: 'read_file', input: { path: 'a.ts', startLine: 10 } }] },
  { name: 'tool name in another case', answer: '{"name": "Read_File", "arguments": {"path": "a.ts"}}', calls: [{ name: 'read_file', input: { path: 'a.ts' } }] },
  // Calls that must not run.
  { name: 'unknown tool', answer: '<tool_call>\n{"name": "delete_everything", "arguments": {}}\n</tool_call>', calls: [], problems: [/no tool named "delete_everything"/, /Available tools: read_file, run_in_terminal, search_codebase/] },
  { name: 'missing required argument', answer: '<tool_call>\n{"name": "read_file", "arguments": {}}\n</tool_call>', calls: [], problems: [/"read_file" do not match its input schema/, /path/] },
  { name: 'wrong type', answer: '{"name": "run_in_terminal", "arguments": {"command": ["ls"], "isBackground": false}}', calls: [], problems: [/"run_in_terminal" do not match/] },
  { name: 'extra property refused by the schema', answer: '{"name": "read_file", "arguments": {"path": "a", "mode": "rw"}}', calls: [], problems: [/"read_file" do not match/] },
  { name: 'below the minimum', answer: '{"name": "search_codebase", "arguments": {"query": "a", "maxResults": 0}}', calls: [], problems: [/"search_codebase" do not match/] },
  { name: 'unparsable arguments in a tag', answer: '<tool_call>\n{"name": "read_file", "arguments": <<<>>>\n</tool_call>', calls: [], problems: [/read_file/] },
  // Not calls: must stay text.
  { name: 'plain prose', answer: 'The retry policy lives in src/backend/health.ts.', calls: [], text: 'The retry policy lives in src/backend/health.ts.' },
  { name: 'a package.json in a fence stays code', answer: 'Here:\n```json\n{"name": "my-package", "version": "1.0.0"}\n```', calls: [], text: 'Here:\n```json\n{"name": "my-package", "version": "1.0.0"}\n```' },
  { name: 'TypeScript in a fence stays code', answer: '```ts\nfunction f() {\n  return { name: "x", arguments: [] };\n}\n```', calls: [], text: '```ts\nfunction f() {\n  return { name: "x", arguments: [] };\n}\n```' },
  { name: 'markdown link at line start stays text', answer: '[the docs](https://example.invalid) say so.', calls: [], text: '[the docs](https://example.invalid) say so.' },
  { name: 'reasoning is dropped', answer: '<think>The user wants the file.</think>It is in a.ts.', calls: [], text: 'It is in a.ts.' },
  { name: 'reasoning before a call', answer: '<think>I should read it.</think>\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.ts"}}\n</tool_call>', calls: [{ name: 'read_file', input: { path: 'a.ts' } }], text: '' },
];

function run(answer: string, chunk: number) {
  const scanner = new ToolCallScanner();
  let shown = '';
  for (let i = 0; i < answer.length; i += chunk) shown += scanner.push(answer.slice(i, i + chunk));
  const end = scanner.finish();
  shown += end.text;
  let n = 0;
  const checked = checkCalls(end.found, TOOLS, () => `call-${++n}`);
  return { shown, ...checked };
}

describe('tool-call repair: real-shaped model outputs', () => {
  it(`covers at least 30 shapes (${CASES.length})`, () => assert.ok(CASES.length >= 30));
  for (const c of CASES) {
    for (const chunk of [1, 7, 10_000]) {
      it(`${c.name} (pieces of ${chunk})`, () => {
        const result = run(c.answer, chunk);
        assert.deepEqual(
          result.calls.map((k) => ({ name: k.name, input: k.input })),
          c.calls ?? [],
        );
        if (c.text !== undefined) assert.equal(result.shown.trim(), c.text);
        for (const p of c.problems ?? []) assert.ok(result.problems.some((q) => p.test(q.message)), `a problem matching ${p}: ${JSON.stringify(result.problems)}`);
        if (!c.problems) assert.deepEqual(result.problems, []);
        assert.ok(result.calls.every((k, i) => k.callId === `call-${i + 1}`));
      });
    }
  }

  it('streams prose before a call as it arrives, not at the end', () => {
    const scanner = new ToolCallScanner();
    assert.equal(scanner.push('Let me check. '), 'Let me check. ');
    assert.equal(scanner.push('<tool_'), '');
    assert.equal(scanner.push('call>{"name": "read_file",'), '');
    assert.equal(scanner.push(' "arguments": {"path": "a"}}</tool_call>'), '');
    assert.equal(scanner.finish().found.length, 1);
  });

  it('lets a code fence through as soon as it closes', () => {
    const scanner = new ToolCallScanner();
    let shown = scanner.push('```py\nprint(1)\n');
    assert.equal(shown, '');
    shown += scanner.push('```\nmore');
    assert.equal(shown, '```py\nprint(1)\n```\nmore');
  });
});
