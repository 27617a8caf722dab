import * as assert from 'node:assert/strict';
import {
  ContextGatherer,
  cursorWindow,
  identifiers,
  importCandidates,
  jaccard,
  keepPrevious,
  KEEP_SNIPPETS_SHARE,
  type EditorContextSource,
  type OpenDocument,
  type RecentEdit,
} from '../../../src/completion/context';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { excludeMatcher } from '../../../src/workspace/exclude';
import { FakeClock, settle } from './fakeClock';

interface FakeEditor extends EditorContextSource {
  reads: string[];
  textsRead: string[];
}

function doc(path: string, languageId: string, text: string, read?: string[]): OpenDocument {
  return {
    path,
    languageId,
    version: 1,
    getText: () => {
      read?.push(path);
      return text;
    },
  };
}

function editor(opts: { docs?: (read: string[]) => OpenDocument[]; files?: Record<string, string>; edits?: RecentEdit[]; hang?: boolean }): FakeEditor {
  const textsRead: string[] = [];
  const docs = opts.docs?.(textsRead) ?? [];
  const reads: string[] = [];
  return {
    reads,
    textsRead,
    openDocuments: () => docs,
    recentEdits: () => opts.edits ?? [],
    readFile: (path) => {
      reads.push(path);
      if (opts.hang) return new Promise(() => {});
      return Promise.resolve(opts.files?.[path]);
    },
    displayPath: (path) => path.replace(/^\/repo\//, ''),
    workspaceFolders: () => ['/repo'],
  };
}

const CURRENT = `import { parseInvoice } from './invoice';

export function totalDue(invoices: Invoice[]): number {
  return invoices.map(parseInvoice).reduce((sum, inv) => sum + inv.amountDue, 0);
}
`;

const INVOICE = `export interface Invoice {
  id: string;
  amountDue: number;
  currency: string;
}

export function parseInvoice(raw: unknown): Invoice {
  const data = raw as Record<string, unknown>;
  return { id: String(data.id), amountDue: Number(data.amountDue), currency: String(data.currency) };
}
`;

const UNRELATED = `export function renderChart(canvas: HTMLCanvasElement, points: Point[]): void {
  const ctx = canvas.getContext('2d');
  ctx?.beginPath();
}
`;

describe('completion context', () => {
  describe('similarity', () => {
    it('identifiers skips keywords and one-letter names', () => {
      assert.deepEqual([...identifiers('const total = items.reduce((a, b) => a + b, 0); return total;')].sort(), ['items', 'reduce', 'total']);
    });
    it('jaccard is shared / union', () => {
      assert.equal(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd'])), 0.5);
      assert.equal(jaccard(new Set(), new Set(['x'])), 0);
    });
    it('the cursor window is the cursor line and the 19 above it', () => {
      const text = Array.from({ length: 40 }, (_, i) => `line${i}`).join('\n');
      const offset = text.indexOf('line30') + 3;
      const window = cursorWindow(text, offset);
      assert.ok(window.startsWith('line11\n'), window.slice(0, 10));
      assert.ok(window.endsWith('line30'));
    });
  });

  describe('exclude globs', () => {
    const excluded = excludeMatcher(DEFAULT_EXCLUDE, (p) => p.replace('/home/me/app/', ''));
    for (const path of ['/home/me/app/.env', '/home/me/app/.env.local', '/home/me/.aws/credentials', '/home/me/.ssh/id_ed25519', '/srv/tls/server.key', 'C:\\work\\app\\secrets.json']) {
      it(`excludes ${path}`, () => assert.equal(excluded(path), true));
    }
    for (const path of ['/home/me/app/src/env.ts', '/home/me/app/src/keys.ts', '/home/me/app/README.md']) {
      it(`keeps ${path}`, () => assert.equal(excluded(path), false));
    }
    it('matches workspace-relative globs against the relative path', () => {
      const relative = excludeMatcher(['private/**'], (p) => p.replace('/home/me/app/', ''));
      assert.equal(relative('/home/me/app/private/notes.ts'), true);
      assert.equal(relative('/home/me/app/src/notes.ts'), false);
    });
  });

  describe('imports', () => {
    it('TypeScript: relative imports, the .js of an ESM import maps to .ts', () => {
      const groups = importCandidates('/repo/src/a.ts', 'typescript', "import { x } from './b';\nimport y from '../lib/c.js';\nimport z from 'lodash';\n");
      assert.equal(groups.length, 2);
      assert.ok(groups[0]?.includes('/repo/src/b.ts'));
      assert.ok(groups[0]?.includes('/repo/src/b/index.ts'));
      assert.deepEqual(groups[1], ['/repo/lib/c.ts', '/repo/lib/c.tsx', '/repo/lib/c.js']);
    });
    it('JavaScript: require()', () => {
      const groups = importCandidates('/repo/index.js', 'javascript', "const util = require('./util');");
      assert.ok(groups[0]?.includes('/repo/util.js'));
    });
    it('Python: relative and sibling modules', () => {
      const groups = importCandidates('/repo/pkg/main.py', 'python', 'from .models import User\nfrom ..core.db import session\nimport helpers\n');
      assert.deepEqual(groups, [
        ['/repo/pkg/models.py', '/repo/pkg/models/__init__.py'],
        ['/repo/core/db.py', '/repo/core/db/__init__.py'],
        ['/repo/pkg/helpers.py', '/repo/pkg/helpers/__init__.py'],
      ]);
    });
    it('C/C++: quoted includes only', () => {
      assert.deepEqual(importCandidates('/repo/src/main.c', 'c', '#include <stdio.h>\n#include "util.h"\n'), [['/repo/src/util.h']]);
    });
    it('Rust: mod declarations', () => {
      assert.deepEqual(importCandidates('/repo/src/main.rs', 'rust', 'mod config;\npub mod net;\n')[0], [
        '/repo/src/config.rs',
        '/repo/src/config/mod.rs',
        '/repo/src/main/config.rs',
      ]);
    });
    it('Java: imports resolved from the package root', () => {
      const text = 'package com.acme.app;\n\nimport com.acme.model.User;\nimport java.util.List;\n';
      const groups = importCandidates('/repo/src/main/java/com/acme/app/Main.java', 'java', text);
      assert.deepEqual(groups[0], ['/repo/src/main/java/com/acme/model/User.java']);
    });
  });

  describe('gathering', () => {
    const request = (extra: Partial<Parameters<ContextGatherer['gather']>[0]> = {}) => ({
      path: '/repo/src/total.ts',
      languageId: 'typescript',
      text: CURRENT,
      offset: CURRENT.indexOf('inv.amountDue'),
      exclude: DEFAULT_EXCLUDE,
      signal: new AbortController().signal,
      ...extra,
    });

    it('ranks an open related file above an unrelated one and skips other languages', async () => {
      const source = editor({
        docs: () => [
          doc('/repo/src/chart.ts', 'typescript', UNRELATED),
          doc('/repo/src/invoice.ts', 'typescript', INVOICE),
          doc('/repo/data/invoices.json', 'json', '{"amountDue": 1, "parseInvoice": true}'),
        ],
      });
      const snippets = await new ContextGatherer(source, { budgetMs: 20, clock: new FakeClock() }).gather(request());
      assert.equal(snippets[0]?.path, 'src/invoice.ts');
      assert.ok(snippets[0]?.content.includes('amountDue'));
      assert.ok(!snippets.some((s) => s.path.endsWith('.json')));
      assert.ok(!snippets.some((s) => s.path === 'src/chart.ts'), 'below the similarity threshold');
    });

    it('never reads excluded files, open or imported', async () => {
      const text = "import { key } from './.env';\nimport { secret } from './secrets';\nconst k = key + secret;\n";
      const source = editor({
        docs: (read) => [doc('/repo/src/.env', 'typescript', 'export const key = 1', read), doc('/repo/src/secrets.ts', 'typescript', 'export const secret = 2', read)],
      });
      const snippets = await new ContextGatherer(source, { budgetMs: 20, clock: new FakeClock() }).gather(
        request({ text, offset: text.length - 2 }),
      );
      assert.deepEqual(source.textsRead, []);
      const excluded = excludeMatcher(DEFAULT_EXCLUDE);
      assert.ok(source.reads.length > 0, 'other candidates (e.g. secrets/index.ts) are tried');
      assert.ok(!source.reads.some(excluded), source.reads.join());
      assert.deepEqual(snippets, []);
    });

    it('reads files the current one imports, within the time budget', async () => {
      const source = editor({ files: { '/repo/src/invoice.ts': INVOICE } });
      const snippets = await new ContextGatherer(source, { budgetMs: 20, clock: new FakeClock() }).gather(request());
      assert.ok(snippets.some((s) => s.path === 'src/invoice.ts'));
      assert.equal(source.reads[0], '/repo/src/invoice.ts');
    });

    it('gives up on reads that miss the time budget, without waiting for them', async () => {
      const clock = new FakeClock();
      const source = editor({ hang: true, docs: () => [doc('/repo/src/model.ts', 'typescript', INVOICE)] });
      const result = new ContextGatherer(source, { budgetMs: 20, clock }).gather(request());
      let done = false;
      void result.then(() => (done = true));
      await clock.advance(19);
      assert.equal(done, false);
      await clock.advance(1);
      assert.equal(done, true);
      assert.equal((await result)[0]?.path, 'src/model.ts', 'what was found in time is used');
    });

    it('a window near a recent edit gets a bonus', async () => {
      const filler = Array.from({ length: 60 }, (_, i) => `const unrelatedThing${i} = ${i};`).join('\n');
      const source = editor({
        docs: () => [doc('/repo/src/notes.ts', 'typescript', filler)],
        edits: [{ path: '/repo/src/notes.ts', line: 45 }],
      });
      const snippets = await new ContextGatherer(source, { budgetMs: 20, clock: new FakeClock() }).gather(request());
      assert.equal(snippets.length, 1);
      assert.ok(snippets[0]?.content.includes('unrelatedThing45'));
    });

    it('reuses the analysis of an unchanged document', async () => {
      const source = editor({ docs: (read) => [doc('/repo/src/invoice.ts', 'typescript', INVOICE, read)] });
      const gatherer = new ContextGatherer(source, { budgetMs: 20, clock: new FakeClock() });
      await gatherer.gather(request());
      await gatherer.gather(request());
      assert.equal(source.textsRead.length, 1);
    });

    describe('a stable snippet set (the prompt starts with it: a new set is a prompt evaluated again)', () => {
      const LINE = '  const due = invoices.map(';
      const base = `${CURRENT}\nexport function report(invoices: Invoice[]) {\n`;
      const at = (typed: string) => ({ text: `${base}${typed}\n}\n`, offset: base.length + typed.length });
      const docs = () => [doc('/repo/src/invoice.ts', 'typescript', INVOICE), doc('/repo/src/chart.ts', 'typescript', UNRELATED)];

      it('keeps the same set while the user types on one line, whatever the identifiers typed', async () => {
        const gatherer = new ContextGatherer(editor({ docs }), { budgetMs: 20, clock: new FakeClock() });
        const first = await gatherer.gather(request(at(LINE)));
        assert.ok(first.some((s) => s.path === 'src/invoice.ts'));
        assert.ok(!first.some((s) => s.path === 'src/chart.ts'));
        // Typing the chart's identifiers would rank chart.ts in: on the same line, the set stays.
        const typed = await gatherer.gather(request(at(`${LINE}renderChart(canvas, points).getContext(beginPath`)));
        assert.equal(typed, first);
        const fresh = await new ContextGatherer(editor({ docs }), { budgetMs: 20, clock: new FakeClock() }).gather(request(at(`${LINE}renderChart(canvas, points).getContext(beginPath`)));
        assert.ok(fresh.some((s) => s.path === 'src/chart.ts'), 'a fresh ranking there would take chart.ts in');
      });

      it('on another line, a materially better set replaces it', async () => {
        const gatherer = new ContextGatherer(editor({ docs }), { budgetMs: 20, clock: new FakeClock() });
        const first = await gatherer.gather(request(at(LINE)));
        const chartLines = '  renderChart(canvas, points);\n  canvas.getContext(beginPath);\n  points.getContext(canvas);\n  ';
        const next = await gatherer.gather(request({ ...at(`${LINE}0);\n${chartLines}`) }));
        assert.notEqual(next, first);
        assert.ok(next.some((s) => s.path === 'src/chart.ts'), JSON.stringify(next.map((s) => s.path)));
      });

      it('keepPrevious: kept while it scores within the share of the new best set, replaced beyond', () => {
        const window = (text: string, startLine = 0) => ({ startLine, endLine: startLine + 24, text, ids: identifiers(text) });
        const a = window('parseInvoice amountDue currency');
        const b = window('parseInvoice amountDue renderChart');
        const target = identifiers('parseInvoice amountDue currency total');
        const candidates = [
          { path: '/repo/a.ts', windows: [a], bonus: 0 },
          { path: '/repo/b.ts', windows: [b], bonus: 0 },
        ];
        const previous = [{ path: '/repo/a.ts', window: a, score: 0.75 }];
        const rescored = jaccard(target, a.ids);
        const slightlyBetter = [{ path: '/repo/b.ts', window: b, score: rescored / KEEP_SNIPPETS_SHARE - 0.01 }];
        assert.deepEqual(keepPrevious(previous, slightlyBetter, target, candidates), previous);
        const muchBetter = [{ path: '/repo/b.ts', window: b, score: rescored / KEEP_SNIPPETS_SHARE + 0.01 }];
        assert.equal(keepPrevious(previous, muchBetter, target, candidates), undefined);
        assert.equal(keepPrevious([], muchBetter, target, candidates), undefined, 'nothing to keep');
      });
    });

    it('returns nothing once the request is aborted', async () => {
      const controller = new AbortController();
      const source = editor({ docs: () => [doc('/repo/src/invoice.ts', 'typescript', INVOICE)] });
      const gatherer = new ContextGatherer(source, { budgetMs: 20, clock: new FakeClock() });
      const pending = gatherer.gather(request({ signal: controller.signal }));
      controller.abort();
      await settle();
      assert.deepEqual(await pending, []);
    });
  });
});
