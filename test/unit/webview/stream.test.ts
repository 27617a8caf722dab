import * as assert from 'node:assert/strict';
import { createMarkdownRenderer, type MarkdownRenderer } from '../../../src/webview/markdown';
import { StreamingMarkdown } from '../../../src/webview/stream';
import { closeWindow, createBrowserLikeWindow, type TestWindow } from './happydom';

/** The rendered model output, block by block, without the page's wrappers and toolbars. */
function blocks(root: Element): string[] {
  const out: string[] = [];
  const take = (node: Node) => {
    if (node.nodeType === 3) {
      if (node.textContent?.trim()) out.push(node.textContent);
      return;
    }
    const el = node as Element;
    if (el.classList.contains('md-block') || el.classList.contains('md-tail')) el.childNodes.forEach(take);
    else if (el.classList.contains('code-block')) out.push(el.querySelector('pre')!.outerHTML);
    else out.push(el.outerHTML);
  };
  root.childNodes.forEach(take);
  return out;
}

const DOC = [
  '# Title',
  '',
  'A paragraph with **bold**, `code` and a [link](https://example.com).',
  '',
  '- one',
  '- two',
  '  - nested',
  '',
  '1. first',
  '2. second',
  '',
  '> a quote',
  '> on two lines',
  '',
  '```ts',
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '```',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | 2 |',
  '',
  '~~~python',
  'print("tilde fence with ``` inside")',
  '```',
  '~~~',
  '',
  'Closing words.',
  '',
].join('\n');

/** Deterministic pseudo-random chunk sizes. */
function* chunks(text: string, seed: number): Generator<string> {
  let x = seed;
  for (let i = 0; i < text.length; ) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const n = 1 + (x % 9);
    yield text.slice(i, i + n);
    i += n;
  }
}

describe('webview streaming renderer', () => {
  let w: TestWindow;
  let md: MarkdownRenderer;

  before(() => {
    w = createBrowserLikeWindow();
    md = createMarkdownRenderer(w);
  });
  after(() => closeWindow(w));

  function full(text: string): string[] {
    const div = w.document.createElement('div');
    div.append(md.render(text));
    return blocks(div);
  }

  for (const seed of [1, 7, 42]) {
    it(`streams to the same result as rendering at once (chunks seed ${seed})`, () => {
      const stream = new StreamingMarkdown(w.document, md);
      for (const piece of chunks(DOC, seed)) {
        stream.append(piece);
        stream.flush();
      }
      stream.flush(true);
      assert.deepEqual(blocks(stream.element), full(DOC));
    });
  }

  it('never re-renders a finished block', () => {
    const stream = new StreamingMarkdown(w.document, md);
    stream.append('First paragraph.\n\nSecond');
    stream.flush();
    const first = stream.element.querySelector('.md-block p');
    assert.equal(first?.textContent, 'First paragraph.');
    for (let i = 0; i < 50; i++) {
      stream.append(` word${i}`);
      stream.flush();
    }
    stream.append('\n\n```js\nlet a = 1;\n```\n\nEnd.');
    stream.flush();
    stream.flush(true);
    assert.equal(stream.element.querySelector('.md-block p'), first, 'the first paragraph is the same node');
    assert.ok(first && stream.element.contains(first));
  });

  it('does not lex an open code block on every flush, and keeps its finished stretches', () => {
    let lexCalls = 0;
    const counting: MarkdownRenderer = { ...md, lex: (t) => (lexCalls++, md.lex(t)) };
    const stream = new StreamingMarkdown(w.document, counting);
    stream.append('Intro.\n\n```python\n');
    stream.flush();
    const pre = stream.element.querySelector('pre');
    assert.ok(pre, 'an open block is shown at once');
    const before = lexCalls;
    let firstSegment: Element | null = null;
    for (let i = 0; i < 160; i++) {
      stream.append(`value_${i} = compute(${i})  # line ${i}\n${i % 20 === 19 ? '\n' : ''}`);
      if (i % 2 === 1) stream.flush();
      firstSegment ??= stream.element.querySelector('.code-segment');
    }
    assert.equal(lexCalls, before, 'no lexing while the block is open');
    assert.equal(stream.element.querySelector('pre'), pre, 'the same <pre> throughout');
    assert.ok(firstSegment, 'finished stretches are frozen');
    assert.equal(stream.element.querySelector('.code-segment'), firstSegment, 'and never replaced');
    assert.ok(stream.element.querySelector('.code-segment .hljs-built_in, .code-segment .hljs-comment'), 'and highlighted');
    stream.append('```\n\nAfter.\n');
    stream.flush(true);
    const code = stream.element.querySelector('pre code');
    assert.ok(code?.textContent?.startsWith('value_0 = compute(0)'));
    assert.ok(code?.textContent?.trimEnd().endsWith('# line 159'));
    assert.equal(stream.element.querySelectorAll('pre').length, 1);
    assert.equal(Array.from(stream.element.querySelectorAll('p')).pop()?.textContent, 'After.');
  });

  it('keeps the streamed DOM of a very long block when it closes (no re-highlight hitch) with the exact code', function () {
    // 1,500 highlighted lines in happy-dom: seconds alone, more when the machine is busy. The assertions
    // are about DOM identity and text, not time.
    this.timeout(60_000);
    const lines = Array.from({ length: 1500 }, (_, i) => `const v${i} = ${i}; // ${'x'.repeat(i % 30)}`);
    const stream = new StreamingMarkdown(w.document, md);
    stream.append('```ts\n');
    stream.flush();
    const pre = stream.element.querySelector('pre');
    for (let i = 0; i < lines.length; i += 60) {
      stream.append(lines.slice(i, i + 60).join('\n') + '\n');
      stream.flush();
    }
    stream.append('```\n');
    stream.flush(true);
    assert.equal(stream.element.querySelector('pre'), pre);
    assert.equal(stream.element.querySelector('pre code')?.textContent, lines.join('\n'));
    assert.ok(!stream.element.querySelector('.code-block.streaming'));
  });

  it('does not show a half-typed closing fence as code', () => {
    const stream = new StreamingMarkdown(w.document, md);
    stream.append('```sh\necho hi\n``');
    stream.flush();
    assert.equal(stream.element.querySelector('pre code')?.textContent, 'echo hi\n');
    stream.append('`\nDone.');
    stream.flush(true);
    assert.equal(stream.element.querySelector('pre code')?.textContent, 'echo hi');
    assert.equal(stream.element.querySelector('p')?.textContent, 'Done.');
  });

  it('renders an unclosed block when the answer ends (cut at the length limit)', () => {
    const stream = new StreamingMarkdown(w.document, md);
    stream.append('```go\nfunc main() {\n\tfmt.Println("x")\n');
    stream.flush();
    stream.flush(true);
    assert.equal(stream.element.querySelector('pre code')?.textContent, 'func main() {\n\tfmt.Println("x")');
    assert.ok(stream.element.querySelector('.code-toolbar'), 'with its toolbar');
  });

  it('a fence inside a longer fence does not close it', () => {
    const stream = new StreamingMarkdown(w.document, md);
    for (const piece of chunks('````md\n```js\nx\n```\n````\n\nafter', 3)) {
      stream.append(piece);
      stream.flush();
    }
    stream.flush(true);
    assert.equal(stream.element.querySelectorAll('pre').length, 1);
    assert.equal(stream.element.querySelector('pre code')?.textContent, '```js\nx\n```');
  });

  it('setText replaces what was shown; CRLF is normalized', () => {
    const stream = new StreamingMarkdown(w.document, md);
    stream.append('old text');
    stream.flush(true);
    stream.setText('new\r\n\r\n- a\r\n- b');
    stream.flush(true);
    assert.ok(!stream.element.textContent?.includes('old'));
    assert.equal(stream.element.querySelectorAll('li').length, 2);
    assert.equal(stream.source, 'new\n\n- a\n- b');
  });

  it('adds a toolbar to every code block', () => {
    const stream = new StreamingMarkdown(w.document, md);
    stream.append('```ts\nconst a = 1;\n```\n\ntext\n\n```\nplain\n```\n');
    stream.flush(true);
    const bars = stream.element.querySelectorAll('.code-block > .code-toolbar');
    assert.equal(bars.length, 2);
    const actions = Array.from(bars[0].querySelectorAll('button')).map((b) => (b as HTMLElement).dataset.codeAction);
    assert.deepEqual(actions, ['copy', 'insert', 'apply', 'newFile']);
    assert.equal(bars[0].querySelector('.code-lang')?.textContent, 'ts');
    for (const b of Array.from(bars[0].querySelectorAll('button'))) assert.ok(b.getAttribute('aria-label'));
  });
});
