// The codebase index: files in, chunks out. Files are added, updated, renamed and removed one at a
// time (the editor re-indexes on save); a search fuses three rankings: chunks that define a name
// the query spells out, BM25 over words and identifier parts, and vector similarity when an
// embedding model is available. Excluded paths are refused when added and filtered again when
// searched (the exclusions may have grown since). Chunks whose vector is missing (the model was
// busy or the server went away) are remembered and embedded later, never re-chunked.

import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { estimateTokens } from '../completion/budget';
import { chunkFile, type ChunkOptions } from './chunker';
import { DEFAULT_FILE_LIMITS, skipReason, type FileLimits, type SkipReason } from './filter';
import { reciprocalRankFusion, type Ranking } from './fusion';
import { LexicalIndex } from './lexical';
import { chunkLocation, type Chunk } from './types';
import { VectorStore, type EmbedFn } from './vectors';

export interface CodebaseIndexOptions {
  /** True for paths the user excluded (secrets, `files.exclude`, the extension's list). */
  exclude?: (path: string) => boolean;
  limits?: Partial<FileLimits>;
  chunkOptions?: Partial<ChunkOptions>;
  /** The index holds at most this many chunks; files beyond are skipped as `index-full`. */
  maxChunks?: number;
}

/** About 150 MB of 768-dimension vectors plus the text index: what a large monorepo may take. */
export const DEFAULT_MAX_CHUNKS = 50_000;

export type UpsertResult =
  | { status: 'indexed' | 'unchanged'; chunks: number }
  | { status: 'skipped'; reason: SkipReason | 'excluded' | 'index-full' };

export interface SearchOptions {
  limit?: number;
  /** Only paths matching this glob (workspace-relative, e.g. `src/**\/*.ts`). */
  pathGlob?: string;
  signal?: AbortSignal;
}

export type Retriever = 'symbol' | 'lexical' | 'vector';

export interface SearchHit {
  chunk: Chunk;
  /** `path:start-end`. */
  location: string;
  score: number;
  /** Which retrievers found it. */
  via: Retriever[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** `none`: no embedding model or no vectors yet; `failed`: the query could not be embedded. */
  vectors: 'used' | 'none' | 'failed';
  /** Why vectors were not used when they should have been, for the user. */
  note?: string;
}

export interface EmbedProgress {
  embedded: number;
  pending: number;
  /** The error that stopped embedding (the pending chunks are kept for the next attempt). */
  error?: string;
}

/** One chunk as stored: its id, and its vector if it has one. */
export interface StoredChunk {
  id: number;
  chunk: Chunk;
  vector?: ArrayLike<number>;
}

interface IndexedFile {
  hash: string;
  ids: number[];
}

/** How many candidates each retriever contributes to the fusion, per result wanted. */
const DEPTH_PER_RESULT = 5;
const MIN_DEPTH = 50;
/** Chunks defining a name the query spells out are placed first when there are at most this many. */
const PINNED_SYMBOL_HITS = 3;

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export class CodebaseIndex {
  readonly lexical = new LexicalIndex();
  readonly vectors = new VectorStore();
  private readonly chunks = new Map<number, Chunk>();
  private readonly files = new Map<string, IndexedFile>();
  private readonly pending = new Set<number>();
  private nextId = 1;
  private embedFn: EmbedFn | undefined;
  /** The embedding model the stored vectors come from. */
  private modelName: string | undefined;
  private readonly limits: FileLimits;

  constructor(private readonly options: CodebaseIndexOptions = {}) {
    this.limits = { ...DEFAULT_FILE_LIMITS, ...options.limits };
  }

  get fileCount(): number {
    return this.files.size;
  }

  get chunkCount(): number {
    return this.chunks.size;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get model(): string | undefined {
    return this.modelName;
  }

  /**
   * Sets (or, with `undefined`, removes) the embedding function. Another model's vectors live in
   * another space: they are dropped and every chunk is queued to be embedded again.
   */
  setEmbedder(embed: EmbedFn | undefined, model: string | undefined): void {
    this.embedFn = embed;
    if (model === this.modelName) return;
    this.modelName = model;
    this.vectors.clear();
    for (const id of this.chunks.keys()) this.pending.add(id);
  }

  chunk(id: number): Chunk | undefined {
    return this.chunks.get(id);
  }

  isExcluded(path: string): boolean {
    return this.options.exclude?.(path) === true;
  }

  hasFile(path: string): boolean {
    return this.files.has(path);
  }

  fileHash(path: string): string | undefined {
    return this.files.get(path)?.hash;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  /** Indexes a file's new content; unchanged chunks keep their vectors. */
  upsertFile(path: string, content: string): UpsertResult {
    if (this.isExcluded(path)) {
      this.removeFile(path);
      return { status: 'skipped', reason: 'excluded' };
    }
    const reason = skipReason(path, content, this.limits);
    if (reason !== undefined) {
      this.removeFile(path);
      return { status: 'skipped', reason };
    }
    const hash = contentHash(content);
    const existing = this.files.get(path);
    if (existing?.hash === hash) return { status: 'unchanged', chunks: existing.ids.length };
    const reusable = new Map<string, Float32Array>();
    for (const id of existing?.ids ?? []) {
      const vector = this.vectors.get(id);
      const chunk = this.chunks.get(id);
      if (vector !== undefined && chunk !== undefined) reusable.set(chunk.text, Float32Array.from(vector));
    }
    const chunks = chunkFile(path, content, this.options.chunkOptions);
    const room = (this.options.maxChunks ?? DEFAULT_MAX_CHUNKS) - this.chunks.size + (existing?.ids.length ?? 0);
    if (chunks.length > room) {
      this.removeFile(path);
      return { status: 'skipped', reason: 'index-full' };
    }
    this.removeFile(path);
    const ids: number[] = [];
    for (const chunk of chunks) {
      const id = this.nextId++;
      this.insert({ id, chunk, vector: reusable.get(chunk.text) });
      ids.push(id);
    }
    this.files.set(path, { hash, ids });
    return { status: 'indexed', chunks: ids.length };
  }

  removeFile(path: string): boolean {
    const file = this.files.get(path);
    if (file === undefined) return false;
    for (const id of file.ids) {
      const chunk = this.chunks.get(id);
      if (chunk !== undefined) this.lexical.remove(id, chunk);
      this.chunks.delete(id);
      this.vectors.delete(id);
      this.pending.delete(id);
    }
    this.files.delete(path);
    return true;
  }

  /** Moves a file's chunks to a new path without re-chunking or re-embedding them. */
  renameFile(from: string, to: string): boolean {
    const file = this.files.get(from);
    if (file === undefined) return false;
    this.removeFile(to);
    if (this.isExcluded(to)) {
      this.removeFile(from);
      return false;
    }
    for (const id of file.ids) {
      const chunk = this.chunks.get(id);
      if (chunk === undefined) continue;
      this.lexical.remove(id, chunk);
      const moved = { ...chunk, path: to };
      this.chunks.set(id, moved);
      this.lexical.add(id, moved);
    }
    this.files.delete(from);
    this.files.set(to, file);
    return true;
  }

  /**
   * Embeds chunks that have no vector yet, in batches. Stops at the first failure (a server gone,
   * a model unloaded) or abort and keeps the rest pending: calling it again resumes there.
   */
  async embedPending(signal: AbortSignal, batchSize = 32, onProgress?: (progress: EmbedProgress) => void): Promise<EmbedProgress> {
    let embedded = 0;
    const embed = this.embedFn;
    if (embed === undefined) return { embedded, pending: this.pending.size, error: 'No embedding model is set.' };
    while (this.pending.size > 0 && !signal.aborted) {
      const batch = [...take(this.pending, batchSize)];
      let result: ArrayLike<number>[];
      try {
        result = await embed(
          batch.map((id) => embeddingText(this.chunks.get(id))),
          signal,
        );
        if (result.length !== batch.length) throw new Error(`The embedding server returned ${result.length} vectors for ${batch.length} texts.`);
        // The file may have changed while the request ran: only chunks still pending take a vector.
        batch.forEach((id, i) => {
          if (!this.pending.has(id)) return;
          this.vectors.set(id, result[i]);
          this.pending.delete(id);
          embedded++;
        });
      } catch (error) {
        return { embedded, pending: this.pending.size, error: error instanceof Error ? error.message : String(error) };
      }
      onProgress?.({ embedded, pending: this.pending.size });
    }
    return { embedded, pending: this.pending.size };
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const limit = options.limit ?? 10;
    const depth = Math.max(MIN_DEPTH, limit * DEPTH_PER_RESULT);
    const glob = options.pathGlob ? picomatch(options.pathGlob, { dot: true }) : undefined;
    const accept = (id: number): boolean => {
      const chunk = this.chunks.get(id);
      return chunk !== undefined && !this.isExcluded(chunk.path) && (glob === undefined || glob(chunk.path));
    };
    const lexical = this.lexical.search(query, depth, accept);
    const lexicalRank = new Map(lexical.map((hit, rank) => [hit.id, rank]));
    const symbols = this.lexical
      .exactSymbols(query, accept)
      .sort((a, b) => (lexicalRank.get(a) ?? Infinity) - (lexicalRank.get(b) ?? Infinity));
    const rankings: Ranking[] = [{ ids: symbols }, { ids: lexical.map((hit) => hit.id) }];
    let vectors: SearchResult['vectors'] = 'none';
    let note: string | undefined;
    if (this.embedFn !== undefined && this.vectors.size > 0) {
      try {
        const [queryVector] = await this.embedFn([query], options.signal ?? new AbortController().signal);
        rankings.push({ ids: this.vectors.search(queryVector, depth, accept).map((hit) => hit.id) });
        vectors = 'used';
      } catch (error) {
        vectors = 'failed';
        note = `Searched by words only: the question could not be embedded (${error instanceof Error ? error.message : String(error)}).`;
      }
    }
    const fused = reciprocalRankFusion(rankings);
    if (symbols.length > 0 && symbols.length <= PINNED_SYMBOL_HITS) {
      const pinned = new Set(symbols);
      fused.sort((a, b) => Number(pinned.has(b.id)) - Number(pinned.has(a.id)));
    }
    const names: Retriever[] = ['symbol', 'lexical', 'vector'];
    const hits = fused.slice(0, limit).map((item): SearchHit => {
      const chunk = this.chunks.get(item.id) as Chunk; // accept() checked it exists
      return { chunk, location: chunkLocation(chunk), score: item.score, via: item.from.map((i) => names[i]) };
    });
    return note === undefined ? { hits, vectors } : { hits, vectors, note };
  }

  // ---- persistence (store.ts) ------------------------------------------------------------------

  /** Everything the store writes: files with their hashes and chunks (vectors where present). */
  *storedFiles(): IterableIterator<{ path: string; hash: string; chunks: StoredChunk[] }> {
    for (const [path, file] of this.files) {
      const chunks = file.ids.flatMap((id) => {
        const chunk = this.chunks.get(id);
        return chunk === undefined ? [] : [{ id, chunk, vector: this.vectors.get(id) }];
      });
      yield { path, hash: file.hash, chunks };
    }
  }

  /** Puts back one stored file (chunks without a vector become pending). */
  restoreFile(path: string, hash: string, chunks: readonly StoredChunk[]): void {
    if (this.isExcluded(path)) return;
    this.removeFile(path);
    for (const stored of chunks) {
      this.insert(stored);
      this.nextId = Math.max(this.nextId, stored.id + 1);
    }
    this.files.set(path, { hash, ids: chunks.map((stored) => stored.id) });
  }

  /** Sets the model the restored vectors come from, without queueing them again. */
  restoreModel(model: string | undefined): void {
    this.modelName = model;
  }

  private insert(stored: StoredChunk): void {
    this.chunks.set(stored.id, stored.chunk);
    this.lexical.add(stored.id, stored.chunk);
    if (stored.vector !== undefined && stored.vector.length > 0 && (this.vectors.dims === 0 || stored.vector.length === this.vectors.dims)) {
      this.vectors.set(stored.id, stored.vector);
    } else {
      this.pending.add(stored.id);
    }
  }
}

/** The text embedded for a chunk: its path and names first, so that they count even in long bodies. */
export function embeddingText(chunk: Chunk | undefined): string {
  if (chunk === undefined) return '';
  const names = chunk.container === undefined ? chunk.symbols : [chunk.container, ...chunk.symbols];
  return `${chunk.path}\n${names.join(' ')}\n${chunk.text}`;
}

function* take<T>(set: Set<T>, count: number): IterableIterator<T> {
  let n = 0;
  for (const item of set) {
    if (n++ >= count) return;
    yield item;
  }
}

export interface BudgetCut {
  kept: SearchHit[];
  dropped: SearchHit[];
  tokens: number;
}

/**
 * Takes hits best first while they fit `maxTokens` (each costs its text plus `perHitTokens` for the
 * `path:line` header and fences); a hit too large to fit is skipped for smaller ones after it.
 */
export function fitHitsToBudget(hits: readonly SearchHit[], maxTokens: number, perHitTokens = 12): BudgetCut {
  const kept: SearchHit[] = [];
  const dropped: SearchHit[] = [];
  let tokens = 0;
  for (const hit of hits) {
    const cost = estimateTokens(hit.chunk.text) + perHitTokens;
    if (tokens + cost <= maxTokens) {
      kept.push(hit);
      tokens += cost;
    } else dropped.push(hit);
  }
  return { kept, dropped, tokens };
}
