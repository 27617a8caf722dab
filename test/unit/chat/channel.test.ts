import * as assert from 'node:assert/strict';
import { PageChannel } from '../../../src/chat/channel';
import type { HostMessage } from '../../../src/protocol';
import { PROTOCOL_VERSION } from '../../../src/protocol';

const INIT: HostMessage = {
  type: 'init',
  protocol: PROTOCOL_VERSION,
  conversation: { id: 'c', title: 't', messages: [] },
  conversations: [],
  models: [],
  model: 'm',
  chips: [],
  budget: { usedTokens: 0, limitTokens: 0 },
  busy: false,
};

describe('chat page channel (the ready handshake)', () => {
  it('sends nothing before init; init first, then what waited (not what init stands for)', () => {
    const sent: HostMessage[] = [];
    const channel = new PageChannel((m) => sent.push(m));
    channel.post({ type: 'focusInput' });
    channel.post({ type: 'busy', busy: true });
    channel.post({ type: 'chunk', messageId: 'a', content: 'partial', done: false });
    channel.post({ type: 'reply', requestId: 1, ok: true });
    channel.post({ type: 'focusInput', draft: 'x' });
    assert.equal(sent.length, 0);
    channel.post(INIT);
    assert.deepEqual(sent.map((m) => m.type), ['init', 'reply', 'focusInput']);
    assert.deepEqual(sent[2], { type: 'focusInput', draft: 'x' });
    channel.post({ type: 'busy', busy: false });
    assert.equal(sent.at(-1)?.type, 'busy');
  });

  it('a page that reloads waits for a new init', () => {
    const sent: HostMessage[] = [];
    const channel = new PageChannel((m) => sent.push(m));
    channel.post(INIT);
    channel.pageLoading();
    channel.post({ type: 'chips', chips: [], budget: { usedTokens: 0, limitTokens: 0 } });
    channel.post({ type: 'focusInput' });
    assert.deepEqual(sent.map((m) => m.type), ['init']);
    channel.post(INIT);
    assert.deepEqual(sent.map((m) => m.type), ['init', 'init', 'focusInput']);
  });
});
