import * as assert from 'node:assert/strict';
import { ChatApp, type VsCodeApi } from '../../../src/webview/app';
import type { ConversationView, HostMessage, MessageView, WebviewMessage } from '../../../src/protocol';
import { PROTOCOL_VERSION } from '../../../src/protocol';
import { closeWindow, createBrowserLikeWindow, type TestWindow } from './happydom';

const USER: MessageView = { id: 'u1', role: 'user', content: 'What does `twice` do?', createdAt: 1, attachments: [{ id: 'a', kind: 'selection', label: 'app.ts:2-4', enabled: true }] };
const ANSWER: MessageView = {
  id: 'a1',
  role: 'assistant',
  model: 'qwen2.5-coder:7b',
  content: 'It doubles `x`:\n\n```ts\nreturn x * 2;\n```\n\nSee [docs](https://example.com).',
  status: 'done',
  stats: { tokens: 20, tokensPerSecond: 31.5, seconds: 1.2 },
  createdAt: 2,
};

function conversation(messages: MessageView[] = [USER, ANSWER]): ConversationView {
  return { id: 'c1', title: 'What does twice do?', messages };
}

function init(extra: Partial<Extract<HostMessage, { type: 'init' }>> = {}): HostMessage {
  return {
    type: 'init',
    protocol: PROTOCOL_VERSION,
    conversation: conversation(),
    conversations: [{ id: 'c1', title: 'What does twice do?', updatedAt: 1, messageCount: 2 }],
    models: ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b'],
    model: 'qwen2.5-coder:7b',
    chips: [
      { id: 'auto:file', kind: 'file', label: 'app.ts', auto: true, enabled: true, tokens: 120 },
      { id: 'x1', kind: 'problems', label: 'Problems in app.ts', enabled: true },
    ],
    budget: { usedTokens: 1000, limitTokens: 6144 },
    busy: false,
    ...extra,
  };
}

describe('chat page (webview app in happy-dom)', () => {
  let w: TestWindow;
  let app: ChatApp;
  let sent: WebviewMessage[];
  let state: unknown;
  let frames: (() => void)[];

  function setup(initialState?: unknown) {
    w = createBrowserLikeWindow();
    sent = [];
    state = initialState;
    frames = [];
    const api: VsCodeApi = {
      postMessage: (m) => sent.push(m as WebviewMessage),
      getState: () => state,
      setState: (s) => (state = s),
    };
    app = new ChatApp({ window: w, api, requestFrame: (cb) => frames.push(cb) });
    app.start();
  }
  const runFrames = () => {
    while (frames.length) frames.shift()!();
  };
  const $ = (sel: string) => w.document.querySelector(sel) as HTMLElement | null;
  const $$ = (sel: string) => Array.from(w.document.querySelectorAll(sel)) as HTMLElement[];
  const key = (target: Element, k: string, extra: KeyboardEventInit = {}) => {
    const e = new w.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra });
    target.dispatchEvent(e);
    return e;
  };
  const type = (text: string) => {
    app.input.value = text;
    app.input.setSelectionRange(text.length, text.length);
    app.input.dispatchEvent(new w.Event('input', { bubbles: true }));
  };
  const last = () => sent[sent.length - 1];

  afterEach(() => closeWindow(w));

  it('says ready first and has an accessible structure', () => {
    setup();
    assert.deepEqual(sent, [{ type: 'ready', protocol: PROTOCOL_VERSION }]);
    const log = $('.transcript')!;
    assert.equal(log.getAttribute('role'), 'log');
    assert.equal(log.getAttribute('aria-live'), 'polite');
    assert.ok(app.input.getAttribute('aria-label'));
    assert.ok($('.model-select')?.getAttribute('aria-label'));
    for (const b of $$('button')) assert.ok(b.getAttribute('aria-label') || b.textContent?.trim(), `unnamed button ${b.outerHTML}`);
  });

  it('renders the transcript, models, chips and budget from init', () => {
    setup();
    app.handle(init());
    const articles = $$('article.message');
    assert.deepEqual(
      articles.map((a) => a.dataset.id),
      ['u1', 'a1'],
    );
    assert.equal($('article.user .message-context li')?.textContent, 'app.ts:2-4');
    assert.equal($('article.assistant .message-model')?.textContent, 'qwen2.5-coder:7b');
    assert.equal($('article.assistant pre code')?.textContent, 'return x * 2;');
    assert.ok($('article.assistant .code-toolbar [data-code-action="apply"]'));
    assert.equal($('article.assistant .message-footer')?.textContent, '20 tokens · 31.5 tokens/s · 1.2 s');
    assert.equal((w.document.querySelector('.model-select') as HTMLSelectElement).value, 'qwen2.5-coder:7b');
    assert.deepEqual(
      $$('.chips .chip-label').map((c) => c.textContent),
      ['app.ts', 'Problems in app.ts'],
    );
    assert.equal($('.budget')?.textContent, '~1k / 6.1k tokens');
    assert.ok($('article.assistant')!.classList.contains('is-last'));
  });

  it('streams an answer in frame batches and ends it', () => {
    setup();
    app.handle(init({ conversation: conversation([]) }));
    app.handle({ type: 'busy', busy: true });
    app.handle({ type: 'messageAdded', message: { id: 'u2', role: 'user', content: 'Hi', createdAt: 3 } });
    app.handle({ type: 'messageAdded', message: { id: 'a2', role: 'assistant', content: '', status: 'streaming', model: 'm', createdAt: 4 } });
    const article = $('article[data-id="a2"]')!;
    assert.equal(article.getAttribute('aria-busy'), 'true');
    assert.ok(article.classList.contains('waiting'));
    for (const piece of ['Hel', 'lo **wor', 'ld**\n\n- one\n', '- two\n']) app.handle({ type: 'chunk', messageId: 'a2', content: piece, done: false });
    assert.equal(frames.length, 1, 'one frame for many chunks');
    assert.ok(!article.querySelector('strong'), 'nothing rendered before the frame');
    runFrames();
    assert.equal(article.querySelector('strong')?.textContent, 'world');
    assert.equal(article.querySelectorAll('li').length, 2);
    assert.ok(!$('.send') || ($('.send') as HTMLElement).hidden, 'send hidden while busy');
    assert.equal(($('.stop') as HTMLElement).hidden, false);
    app.handle({ type: 'chunk', messageId: 'a2', content: '', done: true, end: { status: 'done', stats: { tokens: 9 } } });
    app.handle({ type: 'busy', busy: false });
    assert.equal(article.getAttribute('aria-busy'), 'false');
    assert.ok(!article.classList.contains('streaming'));
    assert.equal(article.querySelector('.message-footer')?.textContent, '9 tokens');
  });

  it('shows thinking folded, apart from the answer', () => {
    setup();
    app.handle(init({ conversation: conversation([]) }));
    app.handle({ type: 'messageAdded', message: { id: 'a3', role: 'assistant', content: '', status: 'streaming', createdAt: 1 } });
    app.handle({ type: 'chunk', messageId: 'a3', content: '', thinking: 'Let me see.', done: false });
    runFrames();
    const details = $('article[data-id="a3"] details.thinking') as HTMLDetailsElement;
    assert.equal(details.hidden, false);
    assert.equal(details.open, false);
    assert.equal(details.querySelector('summary')?.textContent, 'Thinking…');
    app.handle({ type: 'chunk', messageId: 'a3', content: 'Answer.', done: false });
    app.handle({ type: 'chunk', messageId: 'a3', content: '', done: true, end: { status: 'done' } });
    assert.equal(details.querySelector('summary')?.textContent, 'Thought process');
    assert.equal(details.querySelector('.markdown')?.textContent?.trim(), 'Let me see.');
    assert.equal($('article[data-id="a3"] .message-body')?.textContent?.trim(), 'Answer.');
  });

  it('Enter sends, Shift+Enter does not, an empty message is not sent', () => {
    setup();
    app.handle(init());
    type('   ');
    key(app.input, 'Enter');
    assert.equal(sent.length, 1);
    type('Line one');
    const shifted = key(app.input, 'Enter', { shiftKey: true });
    assert.equal(shifted.defaultPrevented, false);
    assert.equal(sent.length, 1);
    const plain = key(app.input, 'Enter');
    assert.equal(plain.defaultPrevented, true);
    assert.deepEqual(last(), { type: 'send', text: 'Line one' });
    assert.equal(app.input.value, '');
  });

  it('Escape stops a streaming answer', () => {
    setup();
    app.handle(init({ busy: true }));
    key(app.input, 'Escape');
    assert.deepEqual(last(), { type: 'stop' });
    key($('.transcript')!, 'Escape');
    assert.deepEqual(last(), { type: 'stop' });
  });

  it('Up in an empty input edits the last message; Enter resends it as an edit', () => {
    setup();
    app.handle(init());
    key(app.input, 'ArrowUp');
    assert.equal(app.input.value, 'What does `twice` do?');
    assert.equal(($('.edit-banner') as HTMLElement).hidden, false);
    type('What does `twice` return?');
    key(app.input, 'Enter');
    assert.deepEqual(last(), { type: 'send', text: 'What does `twice` return?', editOf: 'u1' });
    assert.equal(($('.edit-banner') as HTMLElement).hidden, true);
  });

  it('links go to the host, never navigate', () => {
    setup();
    app.handle(init());
    const link = $('article.assistant a')!;
    const click = new w.MouseEvent('click', { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    assert.equal(click.defaultPrevented, true);
    assert.deepEqual(last(), { type: 'openLink', href: 'https://example.com' });
  });

  it('code block buttons send the code with a request id, and show the reply', () => {
    setup();
    app.handle(init());
    ($('[data-code-action="copy"]') as HTMLElement).click();
    const copy = last() as Extract<WebviewMessage, { type: 'codeAction' }>;
    assert.equal(copy.type, 'codeAction');
    assert.equal(copy.action, 'copy');
    assert.equal(copy.code, 'return x * 2;');
    assert.equal(copy.language, 'ts');
    app.handle({ type: 'reply', requestId: copy.requestId, ok: true });
    assert.ok($('[data-code-action="copy"]')!.classList.contains('done'));
    ($('[data-code-action="apply"]') as HTMLElement).click();
    const apply = last() as Extract<WebviewMessage, { type: 'codeAction' }>;
    assert.equal(apply.action, 'apply');
    assert.notEqual(apply.requestId, copy.requestId);
    app.handle({ type: 'reply', requestId: apply.requestId, ok: false, message: 'Open the file first.' });
    assert.equal(($('.banner') as HTMLElement).hidden, false);
    assert.equal($('.banner-text')?.textContent, 'Open the file first.');
  });

  it('a failed answer keeps its text and offers Retry and Pull', () => {
    setup();
    app.handle(init({ conversation: conversation([USER, { ...ANSWER, content: 'Partial', status: 'streaming' }]) }));
    app.handle({
      type: 'chunk',
      messageId: 'a1',
      content: '',
      done: true,
      end: { status: 'error', error: { kind: 'modelNotFound', message: 'Model "m" is not installed.', pullModel: 'm' } },
    });
    const article = $('article[data-id="a1"]')!;
    assert.equal(article.querySelector('.message-body')?.textContent?.trim(), 'Partial');
    assert.equal(article.querySelector('.error-text')?.textContent, 'Model "m" is not installed.');
    (article.querySelector('[data-command="pull"]') as HTMLElement).click();
    assert.deepEqual(last(), { type: 'pullModel', model: 'm' });
    (article.querySelector('[data-command="retry"]') as HTMLElement).click();
    assert.deepEqual(last(), { type: 'retry' });
  });

  it('an answer cut at the length limit offers Continue', () => {
    setup();
    app.handle(init({ conversation: conversation([USER, { ...ANSWER, status: 'length' }]) }));
    ($('[data-command="continue"]') as HTMLElement).click();
    assert.deepEqual(last(), { type: 'continue' });
  });

  it('a chip under a sent message with a place opens it through the host; one without stays plain', () => {
    setup();
    const chips = [
      { id: 'h1', kind: 'selection' as const, label: 'math.ts:3-7', detail: 'src/math.ts, lines 3-7', enabled: true, open: 'src/math.ts#L3-7' },
      { id: 'n1', kind: 'text' as const, label: '@codebase search results', enabled: true },
    ];
    app.handle(init({ conversation: conversation([{ ...USER, attachments: chips }, ANSWER]) }));
    const link = $('article.user .message-context a.chip-open')!;
    assert.equal(link.getAttribute('aria-label'), 'Open src/math.ts, lines 3-7');
    (link.querySelector('span:last-child') as HTMLElement).click();
    assert.deepEqual(last(), { type: 'openLink', href: 'src/math.ts#L3-7' });
    assert.equal($$('article.user .message-context li').length, 2);
    assert.equal($$('article.user .message-context a').length, 1, 'the text note opens nothing');
  });

  it('chips toggle and @ opens the context menu', () => {
    setup();
    app.handle(init());
    (w.document.querySelector('.chip-toggle[data-id="auto:file"]') as HTMLElement).click();
    assert.deepEqual(last(), { type: 'toggleChip', id: 'auto:file' });
    type('Look at @pro');
    assert.equal(($('.mention-menu') as HTMLElement).hidden, false);
    assert.deepEqual(
      $$('.mention-item .mention-label').map((e) => e.textContent),
      ['@problems'],
    );
    key(app.input, 'Enter');
    assert.deepEqual(last(), { type: 'addContext', source: 'problems' });
    assert.equal(app.input.value, 'Look at ');
    assert.equal(($('.mention-menu') as HTMLElement).hidden, true);
  });

  it('keeps the draft in the webview state and restores it', async () => {
    setup({ draft: 'half-typed question', conversationId: 'c1' });
    assert.equal(app.input.value, 'half-typed question');
    type('new draft');
    for (let i = 0; i < 100 && (state as { draft?: string }).draft !== 'new draft'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((state as { draft?: string }).draft, 'new draft');
  });

  it('replaces and removes messages as the host says', () => {
    setup();
    app.handle(init());
    app.handle({ type: 'messagesRemoved', ids: ['a1'] });
    assert.deepEqual(
      $$('article.message').map((a) => a.dataset.id),
      ['u1'],
    );
    app.handle({ type: 'conversation', conversation: { id: 'c2', title: 'New chat', messages: [] }, conversations: [{ id: 'c1', title: 'Older talk', updatedAt: 1, messageCount: 2 }] });
    assert.equal($$('article.message').length, 0);
    assert.equal(($('.welcome') as HTMLElement).hidden, false);
    const open = $('.recent-open') as HTMLElement;
    assert.match(open.textContent ?? '', /Older talk/);
    open.click();
    assert.deepEqual(last(), { type: 'switchConversation', id: 'c1' });
  });

  it('never puts a style attribute in the page (the CSP forbids inline styles)', () => {
    setup();
    app.handle(init());
    app.handle({ type: 'messageAdded', message: { id: 'x', role: 'assistant', content: '<p style="color:red">styled</p>', status: 'done', createdAt: 9 } });
    runFrames();
    assert.deepEqual(
      $$('[style]').map((e) => e.outerHTML),
      [],
    );
  });
});
