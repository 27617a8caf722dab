// The codebase index as the editor uses it, without `vscode`: a full build over the workspace's
// files (cancellable, pausing while the user types, saved as it goes so that a server gone away
// mid-way resumes later instead of starting from zero), incremental updates on save, rename and
// delete (debounced), search, and the facts Show Index Status prints. The adapter supplies the file
// listing and reading, the exclusion rule, the embedder and the typing signal.

import type { Logger } from '../log';
import { CodebaseIndex, type SearchOptions, type SearchResult } from './codebaseIndex';
import { skipByPath, type FileLimits } from './filter';
import type { IndexStore, LoadResult } from './store';
import type { EmbedFn } from './vectors';

export interface FileRef {
  /** Workspace-relative, forward slashes (what chunks, globs and citations use). */
  path: string;
  /** For the adapter (a URI string). */
  uri: string;
}

export interface WorkspaceSource {
  /** Candidate files: `truncated` when the cap on the number of files cut the list. */
  list(signal: AbortSignal): Promise<{ files: FileRef[]; truncated: boolean }>;
  /** The text, `too-large` without reading it, or undefined when it is gone or unreadable. */
  read(file: FileRef, maxBytes: number): Promise<string | 'too-large' | undefined>;
}

export interface Embedder {
  model: string | undefined;
  embed?: EmbedFn;
  /** Which model and why, or why none (a hint for the user). */
  why: string;
}

export interface CodebaseServiceDeps {
  source: WorkspaceSource;
  /** Undefined without workspace storage (no folder open): nothing is persisted. */
  store: IndexStore | undefined;
  /** The user's exclusions (secrets, the extension's list), read at each use. */
  excluded(path: string): boolean;
  embedder(signal: AbortSignal): Promise<Embedder>;
  /** True while the user is typing: indexing waits. */
  busy?(): boolean;
  log: Logger;
  limits?: Partial<FileLimits>;
  maxChunks?: number;
  /** Incremental updates wait this long for more events. */
  debounceMs?: number;
}

export interface IndexProgress {
  phase: 'reading' | 'embedding';
  done: number;
  total: number;
  paused: boolean;
}

export interface BuildReport {
  listed: number;
  truncated: boolean;
  indexed: number;
  unchanged: number;
  removed: number;
  skipped: Record<string, number>;
  embedded: number;
  pending: number;
  embedError?: string;
  saveError?: string;
  cancelled: boolean;
  ms: number;
  finishedAt: string;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Files per turn of the event loop while reading: the extension host stays responsive. */
const FILES_PER_TURN = 20;
/** Embedded chunks between saves: a server gone away loses at most this much work. */
const SAVE_EVERY = 512;
const BUSY_POLL_MS = 250;

export class CodebaseService {
  readonly index: CodebaseIndex;
  private embedderNow: Embedder = { model: undefined, why: 'The server has not been asked yet.' };
  /** Embedding after a save failed (model removed, server gone): saves stop trying until the embedder is asked again. */
  private saveEmbeddingFailed = false;
  private loading: Promise<LoadResult | undefined> | undefined;
  private running: AbortController | undefined;
  private readonly queued = new Map<string, 'update' | 'remove'>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private paused = false;
  private asked = false;
  lastBuild: BuildReport | undefined;
  lastLoad: LoadResult | undefined;

  constructor(private readonly deps: CodebaseServiceDeps) {
    this.index = new CodebaseIndex({ exclude: (path) => deps.excluded(path), limits: deps.limits, maxChunks: deps.maxChunks });
  }

  get embedder(): Embedder {
    return this.embedderNow;
  }

  get indexing(): boolean {
    return this.running !== undefined;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Asks the server which embedding model to use; an unreachable server leaves words only. */
  async refreshEmbedder(signal: AbortSignal): Promise<Embedder> {
    this.saveEmbeddingFailed = false;
    try {
      this.embedderNow = await this.deps.embedder(signal);
    } catch (error) {
      this.embedderNow = { model: undefined, why: `The server could not be asked for an embedding model (${error instanceof Error ? error.message : String(error)}): search by words only for now.` };
    }
    const embed = this.embedderNow.embed;
    // Between a build's batches, indexing waits while the user types (the server is theirs first);
    // a question's embedding (another signal) never waits.
    const paced: EmbedFn | undefined =
      embed &&
      (async (texts, s) => {
        if (s === this.running?.signal) await this.whileBusy(s);
        return embed(texts, s);
      });
    // Without a model now (server away, none installed), stored vectors stay for when it is back.
    if (this.embedderNow.model !== undefined) this.index.setEmbedder(paced, this.embedderNow.model);
    else this.index.setEmbedder(undefined, this.index.model);
    this.asked = true;
    return this.embedderNow;
  }

  /** Loads the saved index once (a corrupt one is set aside by the store and rebuilt later). */
  ensureLoaded(): Promise<LoadResult | undefined> {
    this.loading ??= (async () => {
      if (this.deps.store === undefined) return undefined;
      const result = await this.deps.store.load(this.index);
      this.lastLoad = result;
      if (result.status === 'corrupt') this.deps.log.warn(`The codebase index was corrupt (${result.detail ?? ''}); set aside as ${result.setAside ?? '?'}. It will be rebuilt.`);
      else this.deps.log.info(`Codebase index ${result.status}: ${result.files} files, ${result.chunks} chunks, ${result.pending} waiting for vectors.`);
      return result;
    })();
    return this.loading;
  }

  /** The whole workspace: new and changed files read, vanished ones dropped, vectors computed. */
  async build(onProgress: (p: IndexProgress) => void = () => {}, signal?: AbortSignal): Promise<BuildReport> {
    if (this.running) throw new Error('The workspace is being indexed already.');
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal?.addEventListener('abort', stop);
    this.running = controller;
    const started = performance.now();
    const report: BuildReport = { listed: 0, truncated: false, indexed: 0, unchanged: 0, removed: 0, skipped: {}, embedded: 0, pending: 0, cancelled: false, ms: 0, finishedAt: '' };
    try {
      await this.ensureLoaded();
      await this.refreshEmbedder(controller.signal);
      await this.readAll(report, controller.signal, onProgress);
      report.saveError = await this.save();
      if (!controller.signal.aborted) await this.embedAll(report, controller.signal, onProgress);
      report.cancelled = controller.signal.aborted;
    } finally {
      signal?.removeEventListener('abort', stop);
      this.running = undefined;
      this.paused = false;
      report.pending = this.index.pendingCount;
      report.ms = Math.round(performance.now() - started);
      report.finishedAt = new Date().toISOString();
      this.lastBuild = report;
    }
    return report;
  }

  cancel(): void {
    this.running?.abort();
  }

  private async readAll(report: BuildReport, signal: AbortSignal, onProgress: (p: IndexProgress) => void): Promise<void> {
    const { files, truncated } = await this.deps.source.list(signal);
    report.listed = files.length;
    report.truncated = truncated;
    const skip = (reason: string) => (report.skipped[reason] = (report.skipped[reason] ?? 0) + 1);
    const seen = new Set<string>();
    const maxBytes = this.deps.limits?.maxFileChars ?? DEFAULT_MAX_BYTES;
    for (let i = 0; i < files.length && !signal.aborted; i++) {
      if (i % FILES_PER_TURN === 0) {
        onProgress({ phase: 'reading', done: i, total: files.length, paused: this.paused });
        await new Promise((resolve) => setImmediate(resolve));
        await this.whileBusy(signal, () => onProgress({ phase: 'reading', done: i, total: files.length, paused: true }));
      }
      const file = files[i];
      seen.add(file.path);
      const byPath = this.deps.excluded(file.path) ? 'excluded' : skipByPath(file.path);
      if (byPath !== undefined) {
        if (this.index.removeFile(file.path)) report.removed++;
        skip(byPath);
        continue;
      }
      const text = await this.deps.source.read(file, maxBytes).catch(() => undefined);
      if (text === undefined) continue;
      if (text === 'too-large') {
        this.index.removeFile(file.path);
        skip('too-large');
        continue;
      }
      const result = this.index.upsertFile(file.path, text);
      if (result.status === 'skipped') skip(result.reason);
      else report[result.status]++;
    }
    if (signal.aborted) return;
    // Files deleted while the editor was closed, or newly excluded.
    for (const path of this.index.paths()) {
      if (!seen.has(path) && this.index.removeFile(path)) report.removed++;
    }
    onProgress({ phase: 'reading', done: files.length, total: files.length, paused: false });
  }

  private async embedAll(report: BuildReport, signal: AbortSignal, onProgress: (p: IndexProgress) => void): Promise<void> {
    if (this.embedderNow.embed === undefined || this.index.pendingCount === 0) return;
    const total = this.index.pendingCount;
    let sinceSave = 0;
    const result = await this.index.embedPending(signal, 32, (p) => {
      sinceSave += 32;
      onProgress({ phase: 'embedding', done: total - p.pending, total, paused: this.paused });
      if (sinceSave >= SAVE_EVERY) {
        sinceSave = 0;
        void this.save();
      }
    });
    report.embedded = result.embedded;
    if (result.error !== undefined && !signal.aborted) report.embedError = result.error;
    report.saveError = (await this.save()) ?? report.saveError;
  }

  // ---- incremental updates ----------------------------------------------------------------------

  /** A file was saved or created. */
  changed(path: string): void {
    this.enqueue(path, 'update');
  }

  deleted(path: string): void {
    this.enqueue(path, 'remove');
  }

  renamed(from: string, to: string): void {
    if (!this.index.renameFile(from, to)) this.enqueue(from, 'remove');
    this.enqueue(to, 'update');
  }

  private enqueue(path: string, action: 'update' | 'remove'): void {
    // Only an index that exists is kept up to date: a workspace never opted in is never read.
    if (this.index.fileCount === 0 && this.lastBuild === undefined) return;
    this.queued.set(path, action);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.deps.debounceMs ?? 1500);
  }

  /** Applies the queued updates now; resolves when they are saved. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.applyQueued()).catch((e: unknown) => this.deps.log.error('Updating the codebase index failed', e));
    return this.flushing;
  }

  private async applyQueued(): Promise<void> {
    if (this.queued.size === 0) return;
    const batch = [...this.queued];
    this.queued.clear();
    const maxBytes = this.deps.limits?.maxFileChars ?? DEFAULT_MAX_BYTES;
    for (const [path, action] of batch) {
      if (action === 'remove' || this.deps.excluded(path) || skipByPath(path) !== undefined) {
        this.index.removeFile(path);
        continue;
      }
      const text = await this.deps.source.read({ path, uri: '' }, maxBytes).catch(() => undefined);
      if (text === undefined || text === 'too-large') this.index.removeFile(path);
      else this.index.upsertFile(path, text);
    }
    if (this.embedderNow.embed !== undefined && this.index.pendingCount > 0 && !this.indexing && !this.saveEmbeddingFailed) {
      const result = await this.index.embedPending(AbortSignal.timeout(120_000));
      this.saveEmbeddingFailed = result.error !== undefined;
      if (result.error) this.deps.log.warn(`Codebase index: ${result.pending} chunks wait for vectors (${result.error}); the next Index Workspace tries again.`);
    }
    const error = await this.save();
    if (error) this.deps.log.warn(error);
  }

  // ---- queries and upkeep -----------------------------------------------------------------------

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    await this.ensureLoaded();
    if (!this.asked && this.index.fileCount > 0) await this.refreshEmbedder(AbortSignal.timeout(3000));
    return this.index.search(query, options);
  }

  /** Removes the saved index and empties the one in memory. */
  async deleteIndex(): Promise<void> {
    this.cancel();
    this.queued.clear();
    for (const path of this.index.paths()) this.index.removeFile(path);
    this.lastBuild = undefined;
    await this.deps.store?.delete();
  }

  private save(): Promise<string | undefined> {
    return this.deps.store?.save(this.index) ?? Promise.resolve(undefined);
  }

  private async whileBusy(signal: AbortSignal, onPause?: () => void): Promise<void> {
    if (!this.deps.busy?.()) return;
    this.paused = true;
    onPause?.();
    while (this.deps.busy() && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
    this.paused = false;
  }

  dispose(): void {
    this.cancel();
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

/** A rough duration for the opt-in question: reading is fast, embedding dominates when there is a model. */
export function estimateSeconds(files: number, withVectors: boolean): number {
  const chunks = files * 4;
  return Math.max(1, Math.round(files * 0.002 + (withVectors ? chunks * 0.015 : 0)));
}
