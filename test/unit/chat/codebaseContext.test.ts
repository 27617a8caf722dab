import assert from 'node:assert/strict';
import { classifyLink } from '../../../src/chat/links';
import { codebaseMarker, namesAFile, resolveCodebase, type CodebaseRetriever } from '../../../src/chat/codebaseContext';
import { formatUserMessage } from '../../../src/chat/context';
import { messageView } from '../../../src/chat/views';
import { fitHitsToBudget } from '../../../src/codebase/codebaseIndex';
import { indexWorkspace, SECRET } from '../codebase/workspace';

function retriever(auto = false): CodebaseRetriever & { asked: boolean[] } {
  const index = indexWorkspace();
  const asked: boolean[] = [];
  return {
    asked,
    async retrieve(query, wasAsked) {
      asked.push(wasAsked);
      return fitHitsToBudget((await index.search(query, { limit: 12 })).hits, 1500).kept;
    },
    auto: () => auto,
    uriOf: (path) => `file:///ws/${path}`,
  };
}

let n = 0;
const newId = () => `id${++n}`;

describe('chat @codebase', () => {
  it('replaces the @codebase chip by chunk chips within the budget, with a note asking for path:line links', async () => {
    const r = retriever();
    const { attachments, notice } = await resolveCodebase('how is the config parsed?', [codebaseMarker('m')], r, newId);
    assert.equal(notice, undefined);
    assert.deepEqual(r.asked, [true]);
    const [note, ...chunks] = attachments;
    assert.equal(note.kind, 'text');
    assert.match(note.content, /cite it as a Markdown link/);
    assert.ok(chunks.length > 0 && chunks.every((a) => a.kind === 'selection' && a.path && a.range && a.uri?.startsWith('file:///ws/')));
    const prompt = formatUserMessage('how is the config parsed?', attachments);
    assert.ok(prompt.length / 4 < 1500 + 400, 'bounded by the budget');
    assert.ok(!prompt.includes(SECRET), 'excluded files never reach the prompt');
    assert.ok(!attachments.some((a) => a.label === '@codebase' && a.kind === 'text' && a.content.startsWith('The best matching')), 'the placeholder is gone');
    // Under the sent message each chunk chip links to its place; the note links nowhere.
    const shown = messageView({ id: 'u', role: 'user', content: 'q', attachments, createdAt: 1 }).attachments ?? [];
    assert.equal(shown[0].open, undefined);
    const { path, range } = chunks[0];
    assert.equal(shown[1].open, `file:///ws/${path}#L${range!.startLine}${range!.endLine > range!.startLine ? `-${range!.endLine}` : ''}`);
  });

  it('typing @codebase works too; with the auto setting, questions naming no file get it, others do not', async () => {
    assert.ok((await resolveCodebase('@codebase where is parsing done', [], retriever(), newId)).attachments.length > 1);
    const auto = retriever(true);
    assert.ok((await resolveCodebase('where is parsing done', [], auto, newId)).attachments.length > 1);
    assert.deepEqual(auto.asked, [false], 'auto never asks to index');
    assert.equal((await resolveCodebase('what does parse.go do', [], retriever(true), newId)).attachments.length, 0);
    assert.equal((await resolveCodebase('where is parsing done', [], retriever(false), newId)).attachments.length, 0);
    assert.ok(namesAFile('look at src/net/retry'));
    assert.ok(!namesAFile('where is the retry policy configured?'));
  });

  it('a workspace not indexed gives a notice and the message goes without', async () => {
    const notIndexed: CodebaseRetriever = { retrieve: async () => 'The workspace is not indexed.', auto: () => false };
    const { attachments, notice } = await resolveCodebase('q', [codebaseMarker('m')], notIndexed, newId);
    assert.deepEqual(attachments, []);
    assert.match(notice ?? '', /not indexed/);
  });

  it('answers\' path:line-line citations open the place, selecting the range', () => {
    assert.deepEqual(classifyLink('src/app.ts:12-20'), { kind: 'relative', path: 'src/app.ts', line: 12, endLine: 20 });
    assert.deepEqual(classifyLink('src/app.ts#L12'), { kind: 'relative', path: 'src/app.ts', line: 12 });
  });
});
