import * as assert from 'node:assert/strict';
import { estimateTokens } from '../../../src/completion/budget';
import { buildPrompt, describeCut, fenceFor, formatUserMessage, shortenHead, type PromptMessage } from '../../../src/chat/context';
import type { Attachment } from '../../../src/chat/types';

const est = (t: string) => Math.ceil(t.length / 4);

function file(name: string, content: string, extra: Partial<Attachment> = {}): Attachment {
  return { id: name, kind: 'file', label: name, path: `src/${name}`, uri: `file:///w/src/${name}`, languageId: 'typescript', content, ...extra };
}

describe('chat context assembly and truncation', () => {
  it('formats attachments before the question, with a fence that cannot be closed by the content', () => {
    const text = formatUserMessage('Why?', [file('a.ts', 'const s = "```";')]);
    assert.equal(text, 'File `src/a.ts`:\n````typescript\nconst s = "```";\n````\n\nWhy?');
    assert.equal(fenceFor('no backticks'), '```');
    assert.equal(fenceFor('`````'), '``````');
  });

  it('formats selections with their lines and problems without a language', () => {
    const sel: Attachment = { id: 's', kind: 'selection', label: 'a.ts:3', path: 'src/a.ts', languageId: 'ts', range: { startLine: 3, endLine: 3 }, content: 'x();' };
    const probs: Attachment = { id: 'p', kind: 'problems', label: 'Problems in a.ts', path: 'src/a.ts', content: '- line 3:1 error: boom' };
    const text = formatUserMessage('Fix', [sel, probs]);
    assert.ok(text.startsWith('Selected code from `src/a.ts` (line 3):\n```ts\nx();\n```'));
    assert.ok(text.includes('Problems reported in `src/a.ts`:\n```\n- line 3:1 error: boom\n```'));
  });

  it('sends everything when it fits', () => {
    const history: PromptMessage[] = [
      { role: 'user', text: 'Q1' },
      { role: 'assistant', text: 'A1' },
    ];
    const r = buildPrompt({ system: 'S', history, current: { role: 'user', text: 'Q2' }, limitTokens: 1000, estimate: est });
    assert.deepEqual(
      r.messages.map((m) => [m.role, m.content]),
      [
        ['system', 'S'],
        ['user', 'Q1'],
        ['assistant', 'A1'],
        ['user', 'Q2'],
      ],
    );
    assert.equal(describeCut(r.cut), undefined);
  });

  it('sends a file attached again only in its latest copy', () => {
    const big = 'x'.repeat(4000);
    const history: PromptMessage[] = [
      { role: 'user', text: 'Q1', attachments: [file('a.ts', big)] },
      { role: 'assistant', text: 'A1' },
    ];
    const r = buildPrompt({ system: '', history, current: { role: 'user', text: 'Q2', attachments: [file('a.ts', big)] }, limitTokens: 100_000, estimate: est });
    assert.equal(r.cut.deduplicated, 1);
    assert.equal(r.messages[0].content, 'File `src/a.ts`: the same as the latest copy below.\n\nQ1');
    assert.ok(r.messages[2].content.includes(big));
    assert.equal(describeCut(r.cut), undefined, 'deduplication is not a loss worth a notice');
  });

  it('leaves out the oldest exchanges first', () => {
    const history: PromptMessage[] = [];
    for (let i = 0; i < 6; i++) history.push({ role: 'user', text: `Q${i} ${'q'.repeat(400)}` }, { role: 'assistant', text: `A${i} ${'a'.repeat(400)}` });
    const r = buildPrompt({ system: 'S', history, current: { role: 'user', text: 'Now?' }, limitTokens: 600, estimate: est });
    assert.ok(r.tokens <= 600, `${r.tokens}`);
    assert.equal(r.messages[1].role, 'user', 'never starts with an answer');
    assert.equal(r.messages[r.messages.length - 1].content, 'Now?');
    assert.match(r.messages[r.messages.length - 3].content, /^Q5/);
    assert.ok(r.cut.droppedMessages >= 6 && r.cut.droppedMessages % 2 === 0);
    assert.match(describeCut(r.cut)!, /^To fit the model's context window, Qwen Local left out the \d+ oldest messages\.$/);
  });

  it('then shortens the largest attachment of the new message, keeping its beginning', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} of the big file`).join('\n');
    const small = file('small.ts', 'export const small = 1;');
    const r = buildPrompt({
      system: 'S',
      history: [],
      current: { role: 'user', text: 'Explain', attachments: [small, file('big.ts', lines)] },
      limitTokens: 800,
      estimate: est,
    });
    assert.ok(r.tokens <= 800, `${r.tokens}`);
    const content = r.messages[1].content;
    assert.ok(content.includes('export const small = 1;'), 'the small attachment is untouched');
    assert.ok(content.includes('line 0 of the big file'));
    assert.ok(!content.includes('line 399 of the big file'));
    assert.match(content, /more lines left out to fit the model's context/);
    assert.equal(r.cut.shortened.length, 1);
    assert.equal(r.cut.shortened[0].label, 'big.ts');
    assert.ok(r.cut.shortened[0].toTokens < r.cut.shortened[0].fromTokens);
    assert.match(describeCut(r.cut)!, /shortened big\.ts \([\d,]+ → [\d,]+ tokens\)/);
  });

  it('leaves an attachment out when even a short piece would not fit, and shortens the question last', () => {
    const r = buildPrompt({
      system: 'S',
      history: [],
      current: { role: 'user', text: `Start ${'w'.repeat(2000)} End`, attachments: [file('big.ts', 'y'.repeat(8000))] },
      limitTokens: 300,
      estimate: est,
    });
    assert.deepEqual(r.cut.dropped, ['big.ts']);
    assert.equal(r.cut.questionShortened, true);
    const text = r.messages[1].content;
    assert.ok(text.startsWith('Start'));
    assert.ok(text.endsWith('End'));
    assert.ok(r.tokens <= 300, `${r.tokens}`);
    assert.match(describeCut(r.cut)!, /left out big\.ts; shortened your message/);
  });

  it('works with the shared token estimator', () => {
    const code = Array.from({ length: 2000 }, (_, i) => `function f${i}(a: number): number { return a * ${i}; }`).join('\n');
    const r = buildPrompt({ system: 'S', history: [], current: { role: 'user', text: 'Q', attachments: [file('x.ts', code)] }, limitTokens: 6144, estimate: estimateTokens });
    assert.ok(r.tokens <= 6144, `${r.tokens}`);
    assert.equal(r.cut.shortened.length, 1);
    assert.ok(r.cut.shortened[0].toTokens > 4000, 'most of the room is used');
  });

  it('shortenHead keeps whole lines', () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const out = shortenHead(text, 60, (t) => t.length);
    const kept = out.split('\n').slice(0, -1);
    assert.ok(kept.length >= 3);
    assert.deepEqual(kept, text.split('\n').slice(0, kept.length));
    assert.match(out, new RegExp(`\\(${20 - kept.length} more lines left out`));
  });
});
