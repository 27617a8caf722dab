// What the completion engine itself costs per keystroke, model time excluded: cache lookup,
// context ranking over open editors, budget, prompt, post-processing.
//
//   npx tsx test/bench/completion-overhead.ts
//
// The backend answers at once; the file is a large real source file (TypeScript's own checker
// when installed), with 20 other real files open as context.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, GenerateRequest, StreamChunk } from '../../src/backend/backend';
import type { EditorContextSource, OpenDocument } from '../../src/completion/context';
import { CompletionEngine } from '../../src/completion/engine';
import { percentile } from '../../src/completion/stats';
import { DEFAULT_EXCLUDE } from '../../src/settings';

const instant: Backend = {
  host: 'bench',
  generate: (_request: GenerateRequest): AsyncIterable<StreamChunk> =>
    (async function* () {
      yield { text: 'value);\n', done: false };
      yield { text: '', done: true };
    })(),
  chat: () => {
    throw new Error('unused');
  },
  listModels: () => Promise.resolve([]),
  loadedModels: () => Promise.resolve([]),
  show: () => Promise.reject(new Error('unused')),
  pull: () => {
    throw new Error('unused');
  },
  version: () => Promise.resolve('bench'),
};

function sourceFiles(root: string, limit: number): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') && st && st.size > 5_000 && st.size < 200_000) out.push(path);
    }
  };
  walk(root);
  return out;
}

async function main(): Promise<void> {
  const others = sourceFiles('node_modules/eslint/lib', 20);
  const mainPath = ['node_modules/typescript/lib/typescript.js', ...others].find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
  if (!mainPath) throw new Error('no source file found');
  const full = readFileSync(mainPath, 'utf8');
  // A large but realistic file: the first 5,000 lines.
  const text = full.split('\n').slice(0, 5000).join('\n');
  const docs: OpenDocument[] = others.map((path, i) => ({ path, languageId: 'javascript', version: i, getText: () => readFileSync(path, 'utf8') }));
  const context: EditorContextSource = {
    openDocuments: () => docs,
    recentEdits: () => [],
    readFile: () => Promise.resolve(undefined),
    displayPath: (p) => p,
  };
  const engine = new CompletionEngine({ backend: () => instant, context });
  const settings = { enabled: true, debounceMs: 0, exclude: DEFAULT_EXCLUDE, maxLines: 'auto' as const, contextFromOtherFiles: true, keepAlive: '30m' };

  const times: number[] = [];
  const lineStarts = [...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1).filter((_, i) => i % 50 === 25);
  for (const lineStart of lineStarts) {
    const offset = text.indexOf('(', lineStart) + 1 || lineStart;
    const started = performance.now();
    await engine.complete({
      path: '/bench/main.js',
      languageId: 'javascript',
      text,
      offset,
      indentation: { insertSpaces: true, tabSize: 4 },
      model: 'qwen2.5-coder:7b-base',
      settings,
      explicit: true,
      signal: new AbortController().signal,
    });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`${times.length} completions in a ${text.length}-char file with ${docs.length} open files of context`);
  console.log(`engine overhead per request (model excluded): p50 ${ms(percentile(times, 0.5))}, p90 ${ms(percentile(times, 0.9))}, max ${ms(times[times.length - 1] ?? 0)}`);
  engine.dispose();
}

void main();
