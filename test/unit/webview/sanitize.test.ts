import * as assert from 'node:assert/strict';
import { XSS_PAYLOADS } from '../../fixtures/chat/xss-payloads';
import { createMarkdownRenderer, type MarkdownRenderer } from '../../../src/webview/markdown';
import { createSanitizer, enforceInert, isSafeHref } from '../../../src/webview/sanitize';
import { StreamingMarkdown } from '../../../src/webview/stream';
import { closeWindow, createBrowserLikeWindow, type TestWindow } from './happydom';

const FORBIDDEN_TAGS = [
  'script', 'style', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link', 'form', 'input', 'button',
  'textarea', 'select', 'svg', 'math', 'img', 'video', 'audio', 'source', 'template', 'noscript', 'body',
  'marquee', 'xss', 'animate',
];
const FORBIDDEN_ATTRS = /^(on.*|style|id|name|src|srcdoc|action|formaction|background|xlink:href|data-.*|http-equiv|autofocus)$/i;
// An independent check of link targets (not the sanitizer's own function).
// eslint-disable-next-line no-control-regex -- control characters are what attackers hide schemes with
const SCHEME_NOISE = /[\u0000-\u0020\u007f-\u009f]/g;

function assertInert(root: ParentNode, label: string): void {
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const tag = el.localName.toLowerCase();
    assert.ok(!FORBIDDEN_TAGS.includes(tag), `${label}: <${tag}> survived`);
    for (const attr of Array.from(el.attributes)) {
      assert.ok(!FORBIDDEN_ATTRS.test(attr.name), `${label}: attribute ${attr.name} survived on <${tag}>`);
      if (attr.name === 'href') {
        const bare = attr.value.replace(SCHEME_NOISE, '').toLowerCase();
        assert.ok(!/^(javascript|data|vbscript):/.test(bare), `${label}: dangerous href ${attr.value}`);
        assert.ok(!bare.startsWith('//'), `${label}: protocol-relative href ${attr.value}`);
      }
      if (attr.name === 'class') {
        for (const c of attr.value.split(/\s+/)) assert.match(c, /^(hljs(-[\w-]+)?|language-[\w+#.-]+|[a-z]+_+)$/i, `${label}: class ${c}`);
      }
    }
  }
}

/** The page's own chrome (code toolbars, the tail) carries classes and data attributes: check model output only. */
function assertModelOutputInert(root: Element, label: string): void {
  const copy = root.cloneNode(true) as Element;
  for (const bar of Array.from(copy.querySelectorAll('.code-toolbar'))) bar.remove();
  for (const el of [copy, ...Array.from(copy.querySelectorAll('.md-block, .md-tail, .code-block, .code-pending, .code-segment'))]) {
    el.removeAttribute('class');
  }
  assertInert(copy, label);
}

const EVENTS = ['click', 'dblclick', 'mouseover', 'mouseenter', 'focus', 'blur', 'error', 'load', 'toggle', 'begin', 'start', 'animationstart', 'submit', 'input'];

async function fireEverything(w: TestWindow, root: Element): Promise<void> {
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    for (const type of EVENTS) el.dispatchEvent(new w.Event(type, { bubbles: true }));
    if (el instanceof w.HTMLElement) el.click();
  }
  await (w as unknown as { happyDOM: { waitUntilComplete(): Promise<void> } }).happyDOM.waitUntilComplete();
}

function pwned(w: TestWindow): unknown {
  return (w as unknown as Record<string, unknown>).__pwned;
}

// Two windows, as in the browser: the page renders (parses and sanitizes) in `page`; the result is then
// serialized and parsed again into `live`, where scripts and handlers run, and everything is fired there.
// (happy-dom runs scripts in documents a browser keeps inert, such as DOMParser's and cloned scripts,
// and lets ids of such documents leak onto the window: rendering in a script-free window avoids those
// false alarms; the round trip through innerHTML also catches output that changes when parsed again.)
describe('webview sanitizing (model output rendered in happy-dom)', () => {
  let page: TestWindow;
  let w: TestWindow;
  let md: MarkdownRenderer;

  before(() => {
    page = createBrowserLikeWindow();
    w = createBrowserLikeWindow({ javascript: true });
    md = createMarkdownRenderer(page);
  });
  after(async () => {
    await closeWindow(page);
    await closeWindow(w);
  });
  beforeEach(() => {
    delete (w as unknown as Record<string, unknown>).__pwned;
    w.document.body.replaceChildren();
  });

  /** Renders in the page window, then moves the markup into the live window. */
  function mount(node: Node): HTMLElement {
    const holder = page.document.createElement('div');
    holder.append(node);
    assertInert(holder, 'rendered');
    const live = w.document.createElement('div');
    w.document.body.append(live);
    live.innerHTML = holder.innerHTML;
    return live;
  }

  it('has at least 30 payloads', () => {
    assert.ok(XSS_PAYLOADS.length >= 30, `only ${XSS_PAYLOADS.length}`);
  });

  it('the harness does detect a handler that runs (control)', async () => {
    const div = w.document.createElement('div');
    w.document.body.append(div);
    div.innerHTML = '<div onclick="window.__pwned=1">unsanitized</div>';
    await fireEverything(w, div);
    assert.equal(pwned(w), 1);
  });

  for (const payload of XSS_PAYLOADS) {
    it(`renders inert: ${payload.name}`, async () => {
      const container = mount(md.render(payload.markdown));
      assertInert(container, payload.name);
      await fireEverything(w, container);
      assert.equal(pwned(w), undefined, `${payload.name}: a handler ran`);
      assert.equal(w.document.querySelectorAll('script, iframe, object, embed, base, meta, form').length, 0);
    });
  }

  it('streams every payload inert too (split into 3-character chunks)', async function () {
    // Thousands of flushes through happy-dom's DOM: ~3 s alone, over 10 s on a loaded machine. Nothing
    // here is timed; the limit only has to outlast the slow DOM.
    this.timeout(60_000);
    const all = XSS_PAYLOADS.map((p) => p.markdown).join('\n\n');
    const stream = new StreamingMarkdown(page.document, md);
    page.document.body.append(stream.element);
    for (let i = 0, n = 0; i < all.length; i += 3, n++) {
      stream.append(all.slice(i, i + 3));
      stream.flush();
      // Every 16th flush: the check copies the whole answer, which is slow in happy-dom.
      if (n % 16 === 0) assertModelOutputInert(stream.element, `streamed at ${i}`);
    }
    stream.flush(true);
    assertModelOutputInert(stream.element, 'streamed final');
    const live = w.document.createElement('div');
    w.document.body.append(live);
    live.innerHTML = stream.element.innerHTML;
    await fireEverything(w, live);
    assert.equal(pwned(w), undefined);
  });

  it('keeps code inside code blocks and spans as text', () => {
    const container = page.document.createElement('div');
    container.append(md.render('`<img src=x onerror=alert(1)>`\n\n```html\n<script>alert(1)</script>\n```'));
    assert.equal(container.querySelector('p code')?.textContent, '<img src=x onerror=alert(1)>');
    assert.equal(container.querySelector('pre code')?.textContent, '<script>alert(1)</script>');
    assert.equal(container.querySelectorAll('img, script').length, 0);
  });

  it('keeps safe formatting, http(s)/file/relative links and highlight classes', () => {
    const container = w.document.createElement('div');
    container.append(
      md.render('**b** _i_ ~~s~~ <kbd>Ctrl</kbd> [web](https://example.com) [file](file:///tmp/a.ts) [rel](src/app.ts#L3)\n\n```ts\nconst a = 1;\n```\n\n| a | b |\n|---|:-:|\n| 1 | 2 |'),
    );
    assert.ok(container.querySelector('strong') && container.querySelector('em') && container.querySelector('del') && container.querySelector('kbd'));
    const hrefs = Array.from(container.querySelectorAll('a')).map((a) => a.getAttribute('href'));
    assert.deepEqual(hrefs, ['https://example.com', 'file:///tmp/a.ts', 'src/app.ts#L3']);
    assert.ok(container.querySelector('pre code.language-ts .hljs-keyword'));
    assert.ok(container.querySelector('table td'));
  });

  it('drops model-supplied classes that could mimic the page UI', () => {
    const container = page.document.createElement('div');
    container.append(md.render('<div class="chat busy message code-block hljs-string">x</div>'));
    assert.equal(container.querySelector('div')?.getAttribute('class'), 'hljs-string');
  });

  it('turns images into links instead of loading them', () => {
    const container = page.document.createElement('div');
    container.append(md.render('![diagram](https://example.com/d.png)'));
    assert.equal(container.querySelectorAll('img').length, 0);
    assert.equal(container.querySelector('a')?.getAttribute('href'), 'https://example.com/d.png');
    assert.equal(container.querySelector('a')?.textContent, 'diagram');
  });

  it('the second layer alone removes what the first would have', () => {
    const div = page.document.createElement('div');
    div.innerHTML = '<p onclick="x" style="color:red" id="a">t</p><a href="javascript:alert(1)">l</a><iframe></iframe><span class="chat hljs-title">s</span>';
    const removed = enforceInert(div);
    assert.ok(removed >= 5);
    assert.equal(div.innerHTML, '<p>t</p><a>l</a><span class="hljs-title">s</span>');
  });

  it('DOMPurify alone (first layer) already removes handlers and scripts', () => {
    const sanitizer = createSanitizer(page);
    const html = sanitizer.html('<p onclick="x">a</p><script>x</script><a href="javascript:1">b</a><img src=x onerror=1>');
    assert.equal(html, '<p>a</p><a>b</a>');
  });

  it('isSafeHref allows web, file and relative links only', () => {
    for (const ok of ['https://a.b', 'http://a.b/c?d#e', 'file:///x/y.ts', 'src/a.ts', './a.ts', '../a.ts', 'a.ts#L1', 'C:\\x\\y.ts', '/abs/path.ts']) {
      assert.ok(isSafeHref(ok), ok);
    }
    for (const bad of ['javascript:1', ' JAVASCRIPT:1', 'java\tscript:1', 'data:text/html,x', 'vbscript:x', 'command:workbench.action.quit', 'vscode://x', '//evil', '\\\\evil\\share', 'mailto:a@b.c', '']) {
      assert.ok(!isSafeHref(bad), bad);
    }
  });
});
