// Chat panel rendering cost: a 2,000-line answer streamed token by token into the real page code
// (ChatApp), rendered in batches per animation frame. Prints ms per frame batch.
//
//   npx tsx test/bench/chat-render.ts [--lines 2000] [--tokens-per-frame 8] [--chromium] [--no-happy-dom]
//
// By default in happy-dom. happy-dom is far slower than a browser at DOM work (parsing HTML above
// all), so its figures are an upper bound. --chromium also runs the same code in headless Chromium
// (/usr/bin/chromium through playwright-core, the page's own CSS loaded), which is what the VS Code
// webview is. What matters in both: the cost per frame stays flat as the answer grows (only the
// tail is rendered again), unlike the full re-render shown for comparison.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeWindow, createBrowserLikeWindow } from '../unit/webview/happydom';
import { makeAnswer, runStreaming, tokenize, type RunResult } from './chat-render-core';
import { argValue, emitResult, hasFlag, quantile, ROOT } from './lib';

const LINES = Number(argValue('lines') ?? 2000);
const PER_FRAME = Number(argValue('tokens-per-frame') ?? 8);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function summarize(name: string, r: RunResult) {
  const v = r.frameMs;
  const sum = v.reduce((a, b) => a + b, 0);
  return {
    name,
    frames: v.length,
    meanMs: sum / v.length,
    p50Ms: quantile(v, 0.5),
    p95Ms: quantile(v, 0.95),
    p99Ms: quantile(v, 0.99),
    maxMs: Math.max(...v),
    over16msPct: (100 * v.filter((x) => x > 16.7).length) / v.length,
    totalMs: sum,
    quarterMeansMs: r.quarterMeansMs,
    finalMs: r.finalMs,
    codeBlocks: r.codeBlocks,
    naive: r.naive,
    slowest: r.slowest,
  };
}

function runHappyDom(): RunResult {
  const w = createBrowserLikeWindow();
  const container = w.document.createElement('div');
  w.document.body.append(container);
  const result = runStreaming(w, container, makeAnswer(LINES), PER_FRAME);
  void closeWindow(w);
  return result;
}

async function runChromium(): Promise<RunResult> {
  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const bundle = await esbuild.build({
    entryPoints: [join(__dirname, 'chat-render-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    await page.setContent('<!DOCTYPE html><html><head></head><body><div id="app"></div></body></html>');
    await page.addStyleTag({ content: readFileSync(join(ROOT, 'media', 'chat.css'), 'utf8') });
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    return (await page.evaluate(([lines, perFrame]) => (globalThis as unknown as { runChatBench: (l: number, p: number) => RunResult }).runChatBench(lines, perFrame), [LINES, PER_FRAME])) as RunResult;
  } finally {
    await browser.close();
  }
}

function print(s: ReturnType<typeof summarize>): void {
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(`${s.name.padEnd(12)} ${f(s.meanMs)} ${f(s.p50Ms)} ${f(s.p95Ms)} ${f(s.p99Ms)} ${f(s.maxMs)} ${s.over16msPct.toFixed(1).padStart(7)}%`);
}

async function main(): Promise<void> {
  const answer = makeAnswer(LINES);
  const tokens = tokenize(answer);
  const lineCount = (answer.match(/\n/g) ?? []).length;
  const results = hasFlag('no-happy-dom') ? [] : [summarize('happy-dom', runHappyDom())];
  if (hasFlag('chromium')) {
    if (existsSync(CHROMIUM)) results.push(summarize('chromium', await runChromium()));
    else console.log(`(no Chromium at ${CHROMIUM}: set CHROMIUM_PATH)`);
  }
  if (results.length === 0) return;
  console.log(`Chat render benchmark: ${lineCount} lines, ${answer.length.toLocaleString('en-US')} chars, ${tokens.length.toLocaleString('en-US')} tokens, ${results[0].codeBlocks} code blocks`);
  console.log(`${PER_FRAME} tokens per frame batch, ${results[0].frames} frames`);
  console.log('');
  console.log('ms per frame     mean      p50      p95      p99      max   >16.7ms');
  for (const s of results) print(s);
  console.log('');
  for (const s of results) {
    console.log(`${s.name}: mean by quarter of the answer ${s.quarterMeansMs.map((q) => q.toFixed(2)).join(' / ')} ms; final flush ${s.finalMs.toFixed(1)} ms`);
    console.log(`${s.name}: slowest frames ${s.slowest.map((x) => `#${x.frame} ${x.ms.toFixed(1)} ms ${JSON.stringify(x.text)}`).join(', ')}`);
    console.log(`${s.name}: a naive full re-render of the text so far would cost per frame: ${s.naive.map((n) => `${n.at} ${n.ms.toFixed(1)} ms`).join(', ')}`);
  }
  emitResult({ bench: 'chat-render', lines: lineCount, chars: answer.length, tokens: tokens.length, tokensPerFrame: PER_FRAME, results });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
