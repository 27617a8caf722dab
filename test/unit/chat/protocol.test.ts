import * as assert from 'node:assert/strict';
import { MAX_TEXT, parseHostMessage, parseWebviewMessage, PROTOCOL_VERSION, type WebviewMessage } from '../../../src/protocol';

describe('chat protocol (host side check of page messages)', () => {
  const valid: WebviewMessage[] = [
    { type: 'ready', protocol: PROTOCOL_VERSION },
    { type: 'send', text: 'hello' },
    { type: 'send', text: 'fixed', editOf: 'm1' },
    { type: 'stop' },
    { type: 'regenerate' },
    { type: 'continue' },
    { type: 'retry' },
    { type: 'showHistory' },
    { type: 'refreshModels' },
    { type: 'switchConversation', id: 'c1' },
    { type: 'renameConversation', id: 'c1' },
    { type: 'deleteConversation', id: 'c1' },
    { type: 'selectModel', model: 'qwen2.5-coder:7b' },
    { type: 'toggleChip', id: 'auto:file' },
    { type: 'addContext', source: 'problems' },
    { type: 'codeAction', requestId: 3, action: 'apply', code: 'x', language: 'ts' },
    { type: 'codeAction', requestId: 4, action: 'copy', code: 'y' },
    { type: 'copyMessage', requestId: 5, messageId: 'm2' },
    { type: 'openLink', href: 'https://example.com' },
    { type: 'pullModel', model: 'qwen2.5-coder:7b' },
  ];

  for (const message of valid) {
    it(`accepts ${message.type}${'action' in message ? ` ${message.action}` : ''}`, () => {
      assert.deepEqual(parseWebviewMessage(JSON.parse(JSON.stringify(message))), message);
    });
  }

  const invalid: [string, unknown][] = [
    ['null', null],
    ['a string', 'send'],
    ['an unknown type', { type: 'runCommand', command: 'workbench.action.quit' }],
    ['send without text', { type: 'send' }],
    ['send with a number', { type: 'send', text: 42 }],
    ['send too large', { type: 'send', text: 'x'.repeat(MAX_TEXT + 1) }],
    ['ready without version', { type: 'ready' }],
    ['codeAction with an unknown action', { type: 'codeAction', requestId: 1, action: 'exec', code: 'x' }],
    ['codeAction without request id', { type: 'codeAction', action: 'copy', code: 'x' }],
    ['codeAction with a fractional id', { type: 'codeAction', requestId: 1.5, action: 'copy', code: 'x' }],
    ['addContext with an unknown source', { type: 'addContext', source: 'terminal' }],
    ['selectModel empty', { type: 'selectModel', model: '  ' }],
    ['switchConversation with an object id', { type: 'switchConversation', id: { toString: 'x' } }],
    ['openLink too long', { type: 'openLink', href: 'h'.repeat(9_000) }],
  ];
  for (const [name, raw] of invalid) {
    it(`rejects ${name}`, () => assert.equal(parseWebviewMessage(raw), undefined));
  }

  it('no longer accepts messages the page never sent', () => {
    for (const type of ['newChat', 'export', 'notice']) assert.equal(parseWebviewMessage({ type }), undefined);
  });

  it('the page checks the host\'s messages with the same schemas', () => {
    assert.deepEqual(parseHostMessage({ type: 'busy', busy: true, extra: 1 }), { type: 'busy', busy: true });
    assert.equal(parseHostMessage({ type: 'busy', busy: 'yes' }), undefined);
    assert.equal(parseHostMessage({ type: 'chunk', messageId: 'm', done: false }), undefined, 'content is required');
    assert.equal(parseHostMessage({ type: 'notice', level: 'info', text: 'x' }), undefined, 'unused messages are gone');
  });

  it('drops unknown extra fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'stop', evil: true }), { type: 'stop' });
  });
});
