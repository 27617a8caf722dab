// The completion engine through the real client (src/backend/ollama.ts) against the Ollama
// simulator: what actually goes over HTTP, that aborts reach the server, and that the server never
// runs two completions at once.

import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/backend/ollama';
import { CompletionEngine, type CompletionRequest, type RequestEndEvent } from '../../../src/completion/engine';
import { ServerLanes } from '../../../src/backend/lanes';
import { OllamaSimulator } from '../../sim/simulator';
import { completionSettings, requestAt } from './requests';

const MODEL = 'qwen2.5-coder:1.5b-base';
const SETTINGS = completionSettings({ debounceMs: 0 });
const at = (code: string, extra: Partial<CompletionRequest> = {}) => requestAt(code, { displayPath: 'src/math.ts', model: MODEL, settings: SETTINGS, explicit: true, ...extra });

describe('completion engine against the Ollama simulator', function () {
  let sim: OllamaSimulator;
  let engine: CompletionEngine;
  let lanes: ServerLanes;
  let ends: RequestEndEvent[];

  beforeEach(async function () {
    sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 2 } });
    await sim.start();
    const backend = new OllamaBackend({ host: sim.url });
    lanes = new ServerLanes();
    ends = [];
    engine = new CompletionEngine({ backend: () => backend, lanes, events: { onRequestEnd: (e) => ends.push(e) } });
  });

  afterEach(async function () {
    engine.dispose();
    await sim.stop();
  });

  it('sends a raw FIM prompt with fixed num_ctx and keep_alive, and cleans the answer', async function () {
    sim.addCompletionRule({ whenPrefixEndsWith: 'number {\n  ', answer: 'return a + b;\n}\n\nexport function sub' });
    const item = await engine.complete(at('export function add(a: number, b: number): number {\n  |\n}\n'));
    assert.equal(item?.insertText, 'return a + b;');
    const record = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(record.body?.raw, true);
    assert.equal(record.body?.suffix, undefined);
    assert.equal(record.body?.keep_alive, '30m');
    assert.equal(record.numCtx, 4096);
    assert.deepEqual(record.fim, { prefix: 'export function add(a: number, b: number): number {\n  ', suffix: '\n}\n' });
  });

  it('a single line: the server itself stops at the newline (a stop string), no tokens thrown away', async function () {
    sim.addCompletionRule({
      whenPrefixEndsWith: 'const names = ',
      answer: { text: 'users.map((u) => u.name);\n' + 'console.log(names);\n'.repeat(40), tokenMs: 5 },
    });
    const item = await engine.complete(at('const names = |\nexport {};\n'));
    assert.equal(item?.insertText, 'users.map((u) => u.name);');
    const record = await sim.waitForRequest({ endpoint: 'generate', finished: true });
    assert.equal(record.aborted, false, 'the server ended the answer, no abort needed');
    assert.equal(record.doneReason, 'stop');
    assert.ok(record.tokensSent < 40, `stopped early (${record.tokensSent} tokens)`);
  });

  it('sends "\\n" among the stop strings in line mode only', async function () {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const v = ', answer: '42;\nmore();' });
    sim.addCompletionRule({ whenPrefixEndsWith: 'if (ok) {\n  ', answer: 'run();\n}' });
    assert.equal((await engine.complete(at('const v = |\nexport {};\n')))?.insertText, '42;');
    await engine.complete(at('function f() {\n  if (ok) {\n  |\n'));
    await sim.waitFor(() => sim.find({ endpoint: 'generate', finished: true }).length === 2);
    const [line, block] = sim.find({ endpoint: 'generate' }).map((r) => (r.body?.options as { stop?: string[] } | undefined)?.stop ?? []);
    assert.ok(line?.includes('\n'), 'line mode stops at the newline');
    assert.ok(line?.includes('<|file_sep|>'));
    assert.ok(block && !block.includes('\n'), 'block mode keeps generating past it');
  });

  it('a newer keystroke aborts the older request on the server; never two at once', async function () {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const first = ', answer: { text: 'slow(); '.repeat(50), tokenMs: 20 } });
    sim.addCompletionRule({ whenPrefixEndsWith: 'const second = ', answer: 'fast();' });
    const older = engine.complete(at('const first = |'));
    await sim.waitFor(() => sim.find({ endpoint: 'generate' }).some((r) => r.tokensSent > 0));
    const newer = engine.complete(at('const second = |'));
    assert.equal(await older, undefined);
    assert.equal((await newer)?.insertText, 'fast();');
    const first = sim.find({ endpoint: 'generate' })[0];
    assert.equal(first?.aborted, true);
    assert.equal(sim.maxConcurrentGenerations(), 1);
  });

  it('typing what the answer in flight says keeps it: the server finishes it, and no second request', async function () {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const total = ', answer: { text: 'items.reduce((sum, item) => sum + item.price, 0);\n', tokenMs: 15 } });
    const first = engine.complete(at('const total = |\n'));
    await sim.waitFor(() => sim.find({ endpoint: 'generate' })[0]?.text.startsWith('items.'));
    const item = await engine.complete(at('const total = items.|\n'));
    assert.equal(item?.insertText, 'reduce((sum, item) => sum + item.price, 0);');
    await first;
    const records = sim.find({ endpoint: 'generate' });
    assert.equal(records.length, 1, 'no second request');
    assert.equal(records[0]?.aborted, false, 'the kept request ran to its end');
    assert.equal(sim.maxConcurrentGenerations(), 1);
  });

  it('a keystroke that diverges from the answer in flight aborts it at the server', async function () {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const total = ', answer: { text: 'items.reduce((sum, item) => sum + item.price, 0);\n', tokenMs: 15 } });
    sim.addCompletionRule({ whenPrefixEndsWith: 'const total = 0', answer: ';' });
    void engine.complete(at('const total = |\n'));
    await sim.waitFor(() => sim.find({ endpoint: 'generate' })[0]?.text.startsWith('items'));
    const item = await engine.complete(at('const total = 0|\n'));
    assert.equal(item?.insertText, ';');
    const [kept, asked] = sim.find({ endpoint: 'generate' });
    assert.equal(kept?.aborted, true);
    assert.ok(asked, 'the new position asked anew');
    assert.equal(sim.maxConcurrentGenerations(), 1);
  });

  it('waits while chat holds the lane, then completes', async function () {
    sim.addCompletionRule({ whenPrefixEndsWith: 'const one = ', answer: '1;' });
    const release = lanes.for(sim.url.replace(/\/$/, '')).acquireForeground();
    let settled = false;
    const pending = engine.complete(at('const one = |')).then((item) => {
      settled = true;
      return item;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(settled, false);
    assert.equal(sim.find({ endpoint: 'generate' }).length, 0, 'nothing reached the server');
    release();
    assert.equal((await pending)?.insertText, '1;');
  });

  it('a missing model ends each request as a modelNotFound error, without throwing', async function () {
    const missing = at('const a = |', { model: 'qwen2.5-coder:32b-base' });
    assert.equal(await engine.complete(missing), undefined);
    assert.equal(await engine.complete({ ...missing, text: 'const b = ', offset: 10 }), undefined);
    assert.deepEqual(
      ends.map((e) => [e.outcome, e.error?.kind]),
      [
        ['error', 'modelNotFound'],
        ['error', 'modelNotFound'],
      ],
    );
  });
});
