// The editor the overhead and memory benchmarks pretend to be: one large real source file being
// edited (the first 5,000 lines of TypeScript's own compiler when installed) and 20 other real
// files open beside it, with a few recent edits, all from node_modules (nothing written for the test).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { EditorContextSource, OpenDocument, RecentEdit } from '../../src/completion/context';
import type { CompletionSettings } from '../../src/completion/engine';
import { DEFAULT_EXCLUDE } from '../../src/settings';
import { ROOT } from './lib';

export const MODEL = 'qwen2.5-coder:1.5b-base';

export const SETTINGS: CompletionSettings = {
  enabled: true,
  debounceMs: 180,
  exclude: DEFAULT_EXCLUDE,
  maxLines: 'auto',
  contextFromOtherFiles: true,
  keepAlive: '30m',
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

export interface Workspace {
  /** The file being edited. */
  path: string;
  languageId: string;
  text: string;
  lines: number;
  docs: OpenDocument[];
  context: EditorContextSource;
  /** Cursor offsets spread over the file, each a fresh position (a cache miss). */
  positions(count: number): number[];
}

/** `openFiles` other files open as context; their text is loaded now (it is in memory in an editor too). */
export function workspace(openFiles = 20): Workspace {
  const others = sourceFiles(join(ROOT, 'node_modules/eslint/lib'), openFiles);
  const mainPath = [join(ROOT, 'node_modules/typescript/lib/typescript.js'), ...others].find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
  if (!mainPath) throw new Error('no large source file found in node_modules');
  const text = readFileSync(mainPath, 'utf8').split('\n').slice(0, 5000).join('\n');
  const docs: OpenDocument[] = others.map((path, i) => {
    const content = readFileSync(path, 'utf8');
    return { path, languageId: 'javascript', version: i + 1, getText: () => content };
  });
  // A few recent edits in the open files, as the VS Code adapter records them.
  const edits: RecentEdit[] = docs.slice(0, 10).map((d, i) => ({ path: d.path, line: 20 + i * 7 }));
  const context: EditorContextSource = {
    openDocuments: () => docs,
    recentEdits: () => edits,
    readFile: async (path, maxBytes) => {
      try {
        if (statSync(path).size > maxBytes) return undefined;
        return await readFile(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    displayPath: (p) => relative(ROOT, p),
    workspaceFolders: () => [ROOT],
  };
  return {
    path: mainPath,
    languageId: 'javascript',
    text,
    lines: text.split('\n').length,
    docs,
    context,
    positions(count) {
      // After the first "(" of evenly spaced lines (or at the line's end): never inside a word.
      const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const lineStart = starts[Math.floor(((i + 0.5) * starts.length) / count)] as number;
        const lineEnd = text.indexOf('\n', lineStart);
        const paren = text.indexOf('(', lineStart);
        out.push(paren !== -1 && paren < lineEnd ? paren + 1 : lineEnd === -1 ? text.length : lineEnd);
      }
      return out;
    },
  };
}
