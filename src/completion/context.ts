// Context from other files: snippets from open editors, recently edited places and files the
// current one imports, ranked by how much their identifiers overlap the code around the cursor.
// Gathering has a hard time budget; whatever is found by then is used, the rest is dropped.

import * as nodePath from 'node:path';
import { LRUCache } from 'lru-cache';
import { insideWorkspace } from '../workspace/containment';
import { excludeMatcher } from '../workspace/exclude';
import type { Snippet } from './budget';
import { sleep, type Clock } from './clock';
import { cursorWindow, identifiers, jaccard, postings, windowsOf, type Window } from './similarity';

export { cursorWindow, identifiers, jaccard } from './similarity';

/** An open editor's document, as the core needs it. `getText` is only called for files that may be read. */
export interface OpenDocument {
  /** File system path (or the untitled name); also what the exclude globs are matched against. */
  path: string;
  languageId: string;
  /** Increases on every change: lets the ranking reuse its work on unchanged documents. */
  version: number;
  getText(): string;
}

export interface RecentEdit {
  path: string;
  /** Zero-based line of the edit. */
  line: number;
}

/** What the completion core needs from the editor; the VS Code adapter implements it. */
export interface EditorContextSource {
  openDocuments(): readonly OpenDocument[];
  /** Most recent first. */
  recentEdits(): readonly RecentEdit[];
  /** A file's text, or undefined when it does not exist or is larger than `maxBytes`. */
  readFile(path: string, maxBytes: number, signal: AbortSignal): Promise<string | undefined>;
  /** The path as shown to the model: relative to its workspace folder when it has one. */
  displayPath(path: string): string;
  /**
   * The workspace folders' paths. Imported files are read only from inside them (after resolving
   * links); without this, or with no folder open, no imported file is read.
   */
  workspaceFolders?(): readonly string[];
}

export interface ContextRequest {
  path: string;
  languageId: string;
  text: string;
  offset: number;
  exclude: readonly string[];
  signal: AbortSignal;
}

export interface ContextOptions {
  /** Hard limit for gathering, in milliseconds. */
  budgetMs: number;
  clock: Clock;
}

const MAX_SNIPPETS = 6;
const MIN_SCORE = 0.08;
const MAX_IMPORTS = 8;
const MAX_IMPORT_BYTES = 64 * 1024;
const RECENT_EDIT_BONUS = 0.1;
const IMPORT_BONUS = 0.05;

// ---- languages and imports ----------------------------------------------------------------

const LANGUAGE_GROUPS: readonly (readonly string[])[] = [
  ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'vue', 'svelte'],
  ['c', 'cpp', 'cuda-cpp', 'objective-c', 'objective-cpp'],
  ['java', 'kotlin', 'scala'],
];

/** Snippets from another language are mostly noise (a JSON file next to a TS one). */
export function sameLanguageGroup(a: string, b: string): boolean {
  if (a === b) return true;
  return LANGUAGE_GROUPS.some((group) => group.includes(a) && group.includes(b));
}

const JS_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.vue', '.svelte'];

/** Files the current one imports, as candidate paths (existence is checked by reading them). */
export function importCandidates(path: string, languageId: string, text: string): string[][] {
  const dir = nodePath.dirname(path);
  const head = text.slice(0, 20_000);
  const found: string[][] = [];
  const add = (candidates: string[]) => {
    if (candidates.length > 0 && found.length < MAX_IMPORTS) found.push(candidates);
  };
  if (LANGUAGE_GROUPS[0]?.includes(languageId)) {
    const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
    for (const m of head.matchAll(re)) {
      const spec = m[1] as string;
      const base = nodePath.join(dir, spec);
      const ext = nodePath.extname(spec);
      if (JS_EXTENSIONS.includes(ext)) {
        // TypeScript ESM imports name the emitted `.js`; the source is the `.ts` beside it.
        const stem = base.slice(0, -ext.length);
        add([...new Set([stem + '.ts', stem + '.tsx', base])]);
      } else {
        add([...['.ts', '.tsx', '.js', '.jsx'].map((e) => base + e), nodePath.join(base, 'index.ts'), nodePath.join(base, 'index.js')]);
      }
    }
  } else if (languageId === 'python') {
    for (const m of head.matchAll(/^\s*(?:from\s+(\.*)([\w.]*)\s+import|import\s+([\w.]+))/gm)) {
      const dots = (m[1] ?? '').length;
      const module = (m[2] || m[3] || '').replace(/\./g, '/');
      let base = dir;
      for (let i = 1; i < dots; i++) base = nodePath.dirname(base);
      if (!module) continue;
      const target = nodePath.join(base, module);
      add([target + '.py', nodePath.join(target, '__init__.py')]);
    }
  } else if (LANGUAGE_GROUPS[1]?.includes(languageId)) {
    for (const m of head.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)) add([nodePath.join(dir, m[1] as string)]);
  } else if (languageId === 'rust') {
    const stem = nodePath.basename(path, '.rs');
    for (const m of head.matchAll(/^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;/gm)) {
      const name = m[1] as string;
      add([nodePath.join(dir, name + '.rs'), nodePath.join(dir, name, 'mod.rs'), nodePath.join(dir, stem, name + '.rs')]);
    }
  } else if (languageId === 'java') {
    // The package declaration tells where the source root is: strip its folders from our path.
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(head)?.[1];
    const pkgDir = pkg ? pkg.split('.').join(nodePath.sep) : '';
    if (pkg && dir.endsWith(pkgDir)) {
      const root = dir.slice(0, dir.length - pkgDir.length);
      for (const m of head.matchAll(/^\s*import\s+(?!static)([\w.]+)\s*;/gm)) {
        add([nodePath.join(root, ...(m[1] as string).split('.')) + '.java']);
      }
    }
  }
  return found;
}

// ---- gathering ------------------------------------------------------------------------------

interface Candidate {
  path: string;
  windows: Window[];
  /** Lines edited recently: windows touching them get the bonus. Undefined: every window gets it. */
  bonusLines?: ReadonlySet<number>;
  bonus: number;
}

/**
 * Ranks snippets from other files for the code around the cursor. Caches window analyses by
 * document version, and imported files (found or not) for a short while; a read that misses the
 * time budget goes on in the background and serves the next request.
 */
export class ContextGatherer {
  private readonly windowsByVersion = new LRUCache<string, Window[]>({ max: 64 });
  /** The last ranking, and where it was made: the snippet set stays while the user types there. */
  private lastRanking: Ranking | undefined;
  private readonly importedText = new LRUCache<string, { text: string | undefined }>({ max: 128, ttl: 30_000 });
  private readonly pendingReads = new Map<string, Promise<string | undefined>>();
  private readonly lifetime = new AbortController();

  constructor(
    private readonly source: EditorContextSource,
    private readonly options: ContextOptions,
  ) {}

  dispose(): void {
    this.lifetime.abort();
  }

  async gather(request: ContextRequest): Promise<Snippet[]> {
    const { clock } = this.options;
    const deadline = clock.now() + this.options.budgetMs;
    const excluded = excludeMatcher(request.exclude, (p) => this.source.displayPath(p));
    const target = identifiers(cursorWindow(request.text, request.offset));
    if (target.size === 0) return [];

    const candidates: Candidate[] = [];
    const edits = this.source.recentEdits();
    const openPaths = new Set<string>();
    for (const doc of this.source.openDocuments()) {
      openPaths.add(doc.path);
      if (clock.now() > deadline) continue;
      if (doc.path === request.path || !sameLanguageGroup(doc.languageId, request.languageId) || excluded(doc.path)) continue;
      const key = `${doc.path}@${doc.version}`;
      let windows = this.windowsByVersion.get(key);
      if (!windows) {
        windows = windowsOf(doc.getText());
        this.windowsByVersion.set(key, windows);
      }
      const editedLines = new Set(edits.filter((e) => e.path === doc.path).map((e) => e.line));
      candidates.push({ path: doc.path, windows, bonusLines: editedLines, bonus: RECENT_EDIT_BONUS });
    }

    const imports = importCandidates(request.path, request.languageId, request.text)
      .map((group) => group.filter((path) => path !== request.path && !openPaths.has(path) && !excluded(path)))
      .filter((group) => group.length > 0);
    if (imports.length > 0) {
      const found: { path: string; text: string }[] = [];
      const all = Promise.all(
        imports.map(async (group) => {
          const hit = await this.firstReadable(group);
          if (hit) found.push(hit);
        }),
      );
      const remaining = Math.max(0, deadline - clock.now());
      await Promise.race([all, sleep(clock, remaining, request.signal)]);
      for (const { path, text } of [...found]) candidates.push({ path, windows: windowsOf(text), bonus: IMPORT_BONUS });
    }
    if (request.signal.aborted) return [];
    const candidatesKey = candidates.map((c) => `${c.path}:${c.windows.length}:${c.bonusLines ? [...c.bonusLines].join(',') : 'import'}`).join('\u0000');
    const sameCandidates = (last: Ranking) => last.candidatesKey === candidatesKey && candidates.every((c) => c.windows === last.windows.get(c.path));
    const line = lineOf(request.text, request.offset);
    const last = this.lastRanking;
    // The snippets open the prompt: a new set makes the server evaluate the whole prompt again.
    // Within one line of one file (the identifiers under the cursor change with every keystroke),
    // the set stays the same; see also `keepPrevious` across lines.
    if (last && sameCandidates(last) && last.path === request.path && last.line === line) return last.snippets;

    const ranked = this.rank(target, candidates, deadline);
    // A ranking cut short by the deadline (a loaded machine) is used once, never reused.
    if (this.options.clock.now() > deadline) return ranked.map((c) => this.snippetOf(c));
    const kept = last && last.path === request.path && sameCandidates(last) ? keepPrevious(last.chosen, ranked, target, candidates) : undefined;
    const chosen = kept ?? ranked;
    const snippets = kept && last ? last.snippets : chosen.map((c) => this.snippetOf(c));
    this.lastRanking = { path: request.path, line, candidatesKey, windows: new Map(candidates.map((c) => [c.path, c.windows])), chosen, snippets };
    return snippets;
  }

  private snippetOf(c: Chosen): Snippet {
    return { path: this.source.displayPath(c.path), content: c.window.text, score: c.score };
  }

  private async firstReadable(paths: readonly string[]): Promise<{ path: string; text: string } | undefined> {
    for (const path of paths) {
      const text = await this.read(path);
      if (text !== undefined) return { path, text };
    }
    return undefined;
  }

  private read(path: string): Promise<string | undefined> {
    const cached = this.importedText.get(path);
    if (cached) return Promise.resolve(cached.text);
    let pending = this.pendingReads.get(path);
    if (!pending) {
      // Only from inside the workspace: an `#include "../../../etc/passwd"` must not be read.
      pending = insideWorkspace(path, this.source.workspaceFolders?.() ?? [])
        .then((inside) => (inside ? this.source.readFile(path, MAX_IMPORT_BYTES, this.lifetime.signal) : undefined))
        .catch(() => undefined)
        .then((text) => {
          this.importedText.set(path, { text });
          this.pendingReads.delete(path);
          return text;
        });
      this.pendingReads.set(path, pending);
    }
    return pending;
  }

  private rank(target: Set<string>, candidates: Candidate[], deadline: number): Chosen[] {
    const scored: Chosen[] = [];
    for (const candidate of candidates) {
      if (this.options.clock.now() > deadline) break;
      // Jaccard needs the shared count only: count it through the postings instead of comparing
      // the cursor's identifiers with every window (the same scores, a fraction of the work).
      const shared = new Map<number, number>();
      const index = postings(candidate.windows);
      for (const id of target) for (const i of index.get(id) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
      const visit = new Set(shared.keys());
      // A recent-edit bonus can lift a window with nothing shared over the bar.
      if (candidate.bonus >= MIN_SCORE) {
        candidate.windows.forEach((window, i) => {
          if (candidate.bonusLines === undefined || touches(window, candidate.bonusLines)) visit.add(i);
        });
      }
      for (const i of visit) {
        const window = candidate.windows[i]!;
        const boosted = candidate.bonusLines === undefined || touches(window, candidate.bonusLines);
        const n = shared.get(i) ?? 0;
        const similarity = n === 0 ? 0 : n / (target.size + window.ids.size - n);
        const score = similarity + (boosted ? candidate.bonus : 0);
        if (score >= MIN_SCORE) scored.push({ path: candidate.path, window, score });
      }
    }
    scored.sort((a, b) => b.score - a.score);
    const chosen: Chosen[] = [];
    for (const item of scored) {
      if (chosen.length >= MAX_SNIPPETS) break;
      const overlaps = chosen.some(
        (c) => c.path === item.path && c.window.startLine < item.window.endLine && item.window.startLine < c.window.endLine,
      );
      if (!overlaps) chosen.push(item);
    }
    return chosen;
  }
}

/** A window the ranking chose, with its file's path (as the editor names it) and its score. */
interface Chosen {
  path: string;
  window: Window;
  score: number;
}

interface Ranking {
  /** The file and line of the cursor it was made for. */
  path: string;
  line: number;
  candidatesKey: string;
  /** The windows it scored, by path: a new document version gives new windows. */
  windows: Map<string, Window[]>;
  chosen: Chosen[];
  snippets: Snippet[];
}

/**
 * The previous set is kept (on another line of the same file, with the same candidates) while it
 * still scores at least this share of the new best set's total under the new cursor window: a
 * small drift in scores is not worth a prompt the server must evaluate from its start again.
 */
export const KEEP_SNIPPETS_SHARE = 0.8;

/** The previous choice, when the new ranking is not materially better; undefined: use the new one. */
export function keepPrevious(previous: readonly Chosen[], ranked: readonly Chosen[], target: ReadonlySet<string>, candidates: readonly Candidate[]): Chosen[] | undefined {
  if (previous.length === 0) return undefined;
  if (sameChoice(previous, ranked)) return [...previous];
  let before = 0;
  for (const item of previous) {
    const candidate = candidates.find((c) => c.path === item.path);
    if (!candidate) return undefined;
    before += scoreOf(target, candidate, item.window);
  }
  const now = ranked.reduce((sum, item) => sum + item.score, 0);
  return before >= KEEP_SNIPPETS_SHARE * now ? [...previous] : undefined;
}

function sameChoice(a: readonly Chosen[], b: readonly Chosen[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => y.path === x.path && y.window === x.window));
}

/** A window's score for the cursor's identifiers: shared identifiers (Jaccard) plus its candidate's bonus. */
function scoreOf(target: ReadonlySet<string>, candidate: Candidate, window: Window): number {
  const boosted = candidate.bonusLines === undefined || touches(window, candidate.bonusLines);
  return jaccard(target, window.ids) + (boosted ? candidate.bonus : 0);
}

/** Zero-based line number of `offset`. */
function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function touches(window: Window, lines: ReadonlySet<number>): boolean {
  for (const line of lines) if (line >= window.startLine && line < window.endLine) return true;
  return false;
}
