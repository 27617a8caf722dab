import * as assert from 'node:assert/strict';
import { conversationToMarkdown, exportFileName } from '../../../src/chat/export';
import type { StoredConversation } from '../../../src/chat/types';

const conversation: StoredConversation = {
  id: 'c',
  title: 'Why is my loop slow?',
  createdAt: 0,
  updatedAt: 0,
  messages: [
    {
      id: '1',
      role: 'user',
      content: 'Why is this slow?',
      createdAt: 0,
      attachments: [{ id: 'a', kind: 'selection', label: 'a.ts:1-3', path: 'src/a.ts', range: { startLine: 1, endLine: 3 }, content: 'for (;;) {}' }],
    },
    { id: '2', role: 'assistant', model: 'qwen2.5-coder:7b', content: 'It never ends.\n\n```ts\nbreak;\n```', thinking: 'Loop has no exit.', status: 'done', createdAt: 1 },
    { id: '3', role: 'user', content: 'And now?', createdAt: 2 },
    { id: '4', role: 'assistant', model: 'qwen2.5-coder:7b', content: 'Partial', status: 'error', error: { kind: 'unreachable', message: 'Ollama is not running.' }, createdAt: 3 },
  ],
};

describe('conversation export as Markdown', () => {
  const md = conversationToMarkdown(conversation);

  it('has the title, the speakers and the answers verbatim', () => {
    assert.ok(md.startsWith('# Why is my loop slow?\n'));
    assert.match(md, /model qwen2\.5-coder:7b/);
    assert.ok(md.includes('## You\n\n> Context: `src/a.ts` (lines 1-3)\n\nWhy is this slow?'));
    assert.ok(md.includes('## Qwen (qwen2.5-coder:7b)'));
    assert.ok(md.includes('It never ends.\n\n```ts\nbreak;\n```'));
  });

  it('folds the thinking and notes failures', () => {
    assert.ok(md.includes('<details><summary>Thinking</summary>'));
    assert.ok(md.includes('Loop has no exit.'));
    assert.ok(md.includes('_(failed: Ollama is not running.)_'));
    assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
  });

  it('suggests a file name from the title', () => {
    assert.equal(exportFileName(conversation), 'why-is-my-loop-slow.md');
    assert.equal(exportFileName({ ...conversation, title: '???' }), 'chat.md');
  });
});
