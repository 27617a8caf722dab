// The part of the chat render benchmark that runs inside a page (happy-dom or Chromium):
// a long answer streamed into the real ChatApp, one frame batch at a time. DOM only, no Node.

import { ChatApp } from '../../src/webview/app';
import { createMarkdownRenderer } from '../../src/webview/markdown';
import type { HostMessage } from '../../src/protocol';
import { PROTOCOL_VERSION } from '../../src/protocol';

/** mulberry32, as in lib.ts (duplicated: this file must not import Node modules). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A long, realistic answer: prose, lists, headings, tables and code blocks of every size. */
export function makeAnswer(lines: number, seed = 42): string {
  const random = prng(seed);
  const out: string[] = [];
  let block = 0;
  const languages = ['ts', 'python', 'go', 'rust', 'bash', 'json'];
  while (out.length < lines) {
    const kind = block++ % 6;
    if (kind === 0) out.push(`## Step ${block}: refactor the module`, '');
    if (kind === 1 || kind === 4) {
      out.push(`This part explains **why** the \`handler\` changes, with a [link](https://example.com/${block}) and some *emphasis*. The function now returns early when the input is empty, which avoids an allocation.`, '');
    }
    if (kind === 2) {
      for (let i = 0; i < 6; i++) out.push(`- item ${i}: \`option${i}\` controls the ${i % 2 ? 'cache' : 'retry'} policy`);
      out.push('');
    }
    if (kind === 3 || kind === 5) {
      // One very long block in the middle, others 20-200 lines.
      const size = block === 9 ? 600 : 20 + Math.floor(random() * 180);
      const lang = languages[block % languages.length];
      out.push(`\`\`\`${lang}`);
      for (let i = 0; i < size; i++) {
        const indent = '  '.repeat(i % 4);
        out.push(i % 15 === 14 ? '' : `${indent}const value${i} = compute("${lang}", ${i}, [${i % 7}, ${i % 3}]); // step ${i}`);
      }
      out.push('```', '');
    }
    if (kind === 4) out.push('| name | value |', '|---|---|', '| a | 1 |', '| b | 2 |', '');
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/** Splits like a BPE tokenizer roughly does: words with their leading space, numbers, symbols, newlines. */
export function tokenize(text: string): string[] {
  return text.match(/ ?[A-Za-z]+| ?\d+|\n| +|[^\sA-Za-z\d]/g) ?? [];
}

export interface RunResult {
  frameMs: number[];
  quarterMeansMs: number[];
  finalMs: number;
  codeBlocks: number;
  naive: { at: string; ms: number }[];
  /** The slowest frames and the text that arrived in them (to see what is expensive). */
  slowest: { frame: number; ms: number; text: string }[];
}

/** Streams `answer` into a fresh ChatApp in `container`; each frame gets `perFrame` tokens. */
export function runStreaming(window: Window, container: HTMLElement, answer: string, perFrame: number): RunResult {
  const tokens = tokenize(answer);
  const frames: (() => void)[] = [];
  const app = new ChatApp({
    window,
    api: { postMessage: () => undefined, getState: () => undefined, setState: () => undefined },
    requestFrame: (cb) => frames.push(cb),
  });
  app.start(container);
  const post = (m: HostMessage) => app.handle(m);
  post({
    type: 'init',
    protocol: PROTOCOL_VERSION,
    conversation: { id: 'c', title: 'bench', messages: [] },
    conversations: [],
    models: ['m'],
    model: 'm',
    chips: [],
    budget: { usedTokens: 0, limitTokens: 6144 },
    busy: true,
  });
  post({ type: 'messageAdded', message: { id: 'u', role: 'user', content: 'Refactor it all', createdAt: 0 } });
  post({ type: 'messageAdded', message: { id: 'a', role: 'assistant', content: '', status: 'streaming', createdAt: 1 } });

  const frameMs: number[] = [];
  const quarters: number[][] = [[], [], [], []];
  let sent = 0;
  for (let i = 0; i < tokens.length; i += perFrame) {
    const start = performance.now();
    for (const t of tokens.slice(i, i + perFrame)) {
      post({ type: 'chunk', messageId: 'a', content: t, done: false });
      sent += t.length;
    }
    // The frame callback renders the batch and scrolls to the end (which forces style and layout).
    while (frames.length) frames.shift()!();
    const ms = performance.now() - start;
    frameMs.push(ms);
    quarters[Math.min(3, Math.floor((4 * sent) / answer.length))].push(ms);
  }
  const endStart = performance.now();
  post({ type: 'chunk', messageId: 'a', content: '', done: true, end: { status: 'done' } });
  void app.transcript.scrollHeight;
  const finalMs = performance.now() - endStart;
  const codeBlocks = container.querySelectorAll('article[data-id="a"] pre').length;

  // For comparison: rendering the whole text so far again, as a naive renderer would per frame.
  const md = createMarkdownRenderer(window);
  const naive: { at: string; ms: number }[] = [];
  for (const fraction of [0.25, 0.5, 1]) {
    const holder = window.document.createElement('div');
    container.append(holder);
    const start = performance.now();
    holder.append(md.render(answer.slice(0, Math.floor(answer.length * fraction))));
    void holder.offsetHeight;
    naive.push({ at: `${fraction * 100}%`, ms: performance.now() - start });
    holder.remove();
  }
  const slowest = frameMs
    .map((ms, frame) => ({ frame, ms, text: tokens.slice(frame * perFrame, frame * perFrame + perFrame).join('') }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  return { frameMs, quarterMeansMs: quarters.map(mean), finalMs, codeBlocks, naive, slowest };
}
