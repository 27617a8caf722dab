// Persistence of the codebase index in a folder (the extension's workspace storage):
//
//   codebase-index.json.gz   header (format, embedding model, dimensions, vectors file) + files + chunks
//   vectors-<generation>.bin the chunks' vectors, Float32 rows in the order the header names them
//
// Every file is written to a temporary name and renamed over the old one; the vectors file gets a
// new name each time and is written first, and the old one is deleted only after the header that
// names the new one is in place, so a crash at any moment leaves a consistent pair. The lexical
// index is rebuilt from the chunks on load (cheaper to rebuild than to store and validate).
// Nothing here throws to the caller: a corrupt file is set aside (`.corrupt-<time>`, the newest 3
// kept) and the caller re-indexes; another format version is discarded; another embedding model
// keeps the chunks and queues them to be embedded again.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { CodebaseIndex, StoredChunk } from './codebaseIndex';
import type { Chunk } from './types';

export const FORMAT_VERSION = 1;
export const HEADER_FILE = 'codebase-index.json.gz';
const CORRUPT_KEPT = 3;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A chunk on disk: [id, startLine, endLine, text, symbols, container, language, vector row or -1]. */
type ChunkRow = [number, number, number, string, string[], string | null, string, number];

interface Header {
  format: number;
  /** The embedding model of the vectors; null: none. */
  model: string | null;
  dims: number;
  /** The vectors file's name in the folder; null: no vectors. */
  vectors: string | null;
  files: { path: string; hash: string; chunks: ChunkRow[] }[];
}

export type LoadStatus = 'loaded' | 'empty' | 'corrupt' | 'outdated' | 'model-changed';

export interface LoadResult {
  status: LoadStatus;
  files: number;
  chunks: number;
  /** Chunks still waiting for a vector (the next `embedPending` resumes with them). */
  pending: number;
  /** Where a corrupt index was moved. */
  setAside?: string;
  /** What went wrong, for the log. */
  detail?: string;
}

export class IndexStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly folder: string) {}

  /**
   * Fills `index` (which should be empty) from the folder. The model the index expects (set with
   * `setEmbedder` before) decides whether stored vectors are kept; with none set, they are kept
   * and tagged with their model.
   */
  load(index: CodebaseIndex): Promise<LoadResult> {
    return this.serialize(() => this.loadNow(index));
  }

  /** Writes the index; resolves to an error message instead of throwing (a full disk, a read-only folder). */
  save(index: CodebaseIndex): Promise<string | undefined> {
    return this.serialize(async () => {
      try {
        await this.saveNow(index);
        return undefined;
      } catch (error) {
        return `Could not save the codebase index in ${this.folder}: ${error instanceof Error ? error.message : String(error)}`;
      }
    });
  }

  /** Removes the index files (the Delete Index command); corrupt copies set aside go too. */
  delete(): Promise<void> {
    return this.serialize(async () => {
      for (const name of await this.names()) {
        if (name.startsWith(HEADER_FILE) || /^vectors-.*\.bin$/.test(name) || name.startsWith('.tmp-')) {
          await fs.rm(path.join(this.folder, name), { force: true }).catch(() => undefined);
        }
      }
    });
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadNow(index: CodebaseIndex): Promise<LoadResult> {
    const headerPath = path.join(this.folder, HEADER_FILE);
    let raw: Buffer;
    try {
      raw = await fs.readFile(headerPath);
    } catch {
      return { status: 'empty', files: 0, chunks: 0, pending: 0 };
    }
    let header: Header;
    let vectors: Float32Array | undefined;
    try {
      const parsed: unknown = JSON.parse((await gunzipAsync(raw)).toString('utf8'));
      if (isRecord(parsed) && typeof parsed.format === 'number' && parsed.format !== FORMAT_VERSION) {
        await this.removeFiles();
        return { status: 'outdated', files: 0, chunks: 0, pending: 0, detail: `format ${parsed.format}, expected ${FORMAT_VERSION}` };
      }
      header = checkHeader(parsed);
      vectors = header.vectors === null ? undefined : await this.readVectors(header);
    } catch (error) {
      const setAside = await this.setAside(headerPath);
      const detail = error instanceof Error ? error.message : String(error);
      return { status: 'corrupt', files: 0, chunks: 0, pending: 0, setAside, detail };
    }
    const modelChanged = index.model !== undefined && header.model !== index.model;
    if (!modelChanged) index.restoreModel(header.model ?? undefined);
    let chunks = 0;
    for (const file of header.files) {
      const stored = file.chunks.map((row): StoredChunk => {
        const [id, startLine, endLine, text, symbols, container, language, vectorRow] = row;
        const chunk: Chunk = { path: file.path, startLine, endLine, text, symbols, language };
        if (container !== null) chunk.container = container;
        const vector =
          modelChanged || vectors === undefined || vectorRow < 0 ? undefined : vectors.subarray(vectorRow * header.dims, (vectorRow + 1) * header.dims);
        return vector === undefined ? { id, chunk } : { id, chunk, vector };
      });
      index.restoreFile(file.path, file.hash, stored);
      chunks += stored.length;
    }
    const status = modelChanged ? 'model-changed' : 'loaded';
    return { status, files: index.fileCount, chunks, pending: index.pendingCount };
  }

  private async readVectors(header: Header): Promise<Float32Array> {
    const name = header.vectors as string;
    if (!/^vectors-[\w-]+\.bin$/.test(name)) throw new Error(`bad vectors file name ${name}`);
    const bytes = await fs.readFile(path.join(this.folder, name));
    let rows = 0;
    for (const file of header.files) for (const row of file.chunks) rows = Math.max(rows, row[7] + 1);
    if (bytes.byteLength !== rows * header.dims * 4) {
      throw new Error(`${name} holds ${bytes.byteLength} bytes, the header names ${rows} vectors of ${header.dims} dimensions`);
    }
    // Copied into an aligned buffer: a Buffer may start at any offset of a shared pool.
    const floats = new Float32Array(rows * header.dims);
    new Uint8Array(floats.buffer).set(bytes);
    return floats;
  }

  private async saveNow(index: CodebaseIndex): Promise<void> {
    await fs.mkdir(this.folder, { recursive: true });
    const dims = index.vectors.dims;
    const files: Header['files'] = [];
    const parts: Float32Array[] = [];
    for (const file of index.storedFiles()) {
      const chunks = file.chunks.map(({ id, chunk, vector }): ChunkRow => {
        let row = -1;
        if (vector !== undefined) {
          row = parts.length;
          parts.push(Float32Array.from(vector));
        }
        return [id, chunk.startLine, chunk.endLine, chunk.text, chunk.symbols, chunk.container ?? null, chunk.language, row];
      });
      files.push({ path: file.path, hash: file.hash, chunks });
    }
    let vectorsName: string | null = null;
    if (parts.length > 0) {
      vectorsName = `vectors-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.bin`;
      const all = new Float32Array(parts.length * dims);
      parts.forEach((vector, row) => all.set(vector, row * dims));
      await this.writeAtomic(vectorsName, new Uint8Array(all.buffer));
    }
    const header: Header = { format: FORMAT_VERSION, model: index.model ?? null, dims, vectors: vectorsName, files };
    await this.writeAtomic(HEADER_FILE, await gzipAsync(JSON.stringify(header)));
    for (const name of await this.names()) {
      if (/^vectors-.*\.bin$/.test(name) && name !== vectorsName) await fs.rm(path.join(this.folder, name), { force: true }).catch(() => undefined);
    }
  }

  private async writeAtomic(name: string, data: Uint8Array): Promise<void> {
    const target = path.join(this.folder, name);
    const temp = path.join(this.folder, `.tmp-${name}-${randomBytes(4).toString('hex')}`);
    try {
      const handle = await fs.open(temp, 'w', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Renames a corrupt header aside and keeps only the newest few such copies. */
  private async setAside(headerPath: string): Promise<string | undefined> {
    const aside = `${headerPath}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await fs.rename(headerPath, aside);
    } catch {
      await fs.rm(headerPath, { force: true }).catch(() => undefined);
      return undefined;
    }
    const corrupt = (await this.names()).filter((name) => name.startsWith(`${HEADER_FILE}.corrupt-`)).sort();
    for (const old of corrupt.slice(0, Math.max(0, corrupt.length - CORRUPT_KEPT))) {
      await fs.rm(path.join(this.folder, old), { force: true }).catch(() => undefined);
    }
    for (const name of await this.names()) {
      if (/^vectors-.*\.bin$/.test(name)) await fs.rm(path.join(this.folder, name), { force: true }).catch(() => undefined);
    }
    return aside;
  }

  private async removeFiles(): Promise<void> {
    for (const name of await this.names()) {
      if (name === HEADER_FILE || /^vectors-.*\.bin$/.test(name)) await fs.rm(path.join(this.folder, name), { force: true }).catch(() => undefined);
    }
  }

  private async names(): Promise<string[]> {
    try {
      return await fs.readdir(this.folder);
    } catch {
      return [];
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a parsed header; throws with what is wrong (the caller sets the file aside). */
function checkHeader(value: unknown): Header {
  if (!isRecord(value)) throw new Error('the header is not an object');
  const { model, dims, vectors, files } = value;
  if (model !== null && typeof model !== 'string') throw new Error('bad model');
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 0) throw new Error('bad dims');
  if (vectors !== null && typeof vectors !== 'string') throw new Error('bad vectors');
  if (!Array.isArray(files)) throw new Error('bad files');
  for (const file of files) {
    if (!isRecord(file) || typeof file.path !== 'string' || typeof file.hash !== 'string' || !Array.isArray(file.chunks)) {
      throw new Error('bad file entry');
    }
    for (const row of file.chunks) {
      if (!isChunkRow(row)) throw new Error(`bad chunk in ${file.path}`);
    }
  }
  return value as unknown as Header;
}

function isChunkRow(row: unknown): row is ChunkRow {
  return (
    Array.isArray(row) &&
    row.length === 8 &&
    Number.isInteger(row[0]) &&
    Number.isInteger(row[1]) &&
    Number.isInteger(row[2]) &&
    typeof row[3] === 'string' &&
    Array.isArray(row[4]) &&
    (row[4] as unknown[]).every((symbol) => typeof symbol === 'string') &&
    (row[5] === null || typeof row[5] === 'string') &&
    typeof row[6] === 'string' &&
    Number.isInteger(row[7])
  );
}
