// The vector retriever's store: one growable Float32Array of unit-length rows, searched by dot
// product (= cosine on unit vectors) with a small top-k selection. A flat scan of 50,000 × 768
// floats takes tens of milliseconds, with no approximate index to build, persist or get wrong.
// The vectors come from an injected `embed` function (the server's embedding endpoint), so this
// module never talks to a network.

import type { Ranked } from './lexical';

/** Embeds texts in one request; the result has one vector per text, in order. */
export type EmbedFn = (texts: string[], signal: AbortSignal) => Promise<ArrayLike<number>[]>;

/** Scales to unit length in place; a zero vector stays zero (it matches nothing). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < vector.length; i++) vector[i] *= scale;
  }
  return vector;
}

export class VectorStore {
  private data = new Float32Array(0);
  private rowIds: number[] = [];
  private readonly rowOf = new Map<number, number>();
  private dimsValue = 0;

  /** Dimensions of the stored vectors; 0 until the first one. */
  get dims(): number {
    return this.dimsValue;
  }

  get size(): number {
    return this.rowIds.length;
  }

  has(id: number): boolean {
    return this.rowOf.has(id);
  }

  /** Stores (a normalized copy of) the vector for `id`; vectors of another length are refused. */
  set(id: number, vector: ArrayLike<number>): void {
    if (this.dimsValue === 0) this.dimsValue = vector.length;
    if (vector.length !== this.dimsValue || vector.length === 0) {
      throw new Error(`Embedding has ${vector.length} dimensions, the index holds ${this.dimsValue}: the embedding model changed.`);
    }
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.rowIds.length;
      this.grow(row + 1);
      this.rowIds.push(id);
      this.rowOf.set(id, row);
    }
    const target = this.data.subarray(row * this.dimsValue, (row + 1) * this.dimsValue);
    target.set(vector);
    normalize(target);
  }

  /** The stored (normalized) vector, a view: copy it before the store changes. */
  get(id: number): Float32Array | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.data.subarray(row * this.dimsValue, (row + 1) * this.dimsValue);
  }

  /** Removes by moving the last row into the hole, so rows stay dense. */
  delete(id: number): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    const last = this.rowIds.length - 1;
    if (row !== last) {
      const d = this.dimsValue;
      this.data.copyWithin(row * d, last * d, (last + 1) * d);
      const moved = this.rowIds[last];
      this.rowIds[row] = moved;
      this.rowOf.set(moved, row);
    }
    this.rowIds.pop();
    this.rowOf.delete(id);
  }

  clear(): void {
    this.data = new Float32Array(0);
    this.rowIds = [];
    this.rowOf.clear();
    this.dimsValue = 0;
  }

  /** The `limit` rows most similar to the query (normalized here), best first. */
  search(query: ArrayLike<number>, limit: number, accept: (id: number) => boolean): Ranked[] {
    const d = this.dimsValue;
    if (d === 0 || query.length !== d || limit <= 0) return [];
    const q = normalize(Float32Array.from(query));
    const top: Ranked[] = [];
    const data = this.data;
    const d4 = d - (d % 4);
    for (let row = 0; row < this.rowIds.length; row++) {
      const base = row * d;
      // Four running sums: independent additions the CPU can overlap (about 2× a plain loop in V8).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i < d4; i += 4) {
        s0 += data[base + i] * q[i];
        s1 += data[base + i + 1] * q[i + 1];
        s2 += data[base + i + 2] * q[i + 2];
        s3 += data[base + i + 3] * q[i + 3];
      }
      for (; i < d; i++) s0 += data[base + i] * q[i];
      const dot = s0 + s1 + s2 + s3;
      if (top.length === limit && dot <= top[top.length - 1].score) continue;
      const id = this.rowIds[row];
      if (!accept(id)) continue;
      insertSorted(top, { id, score: dot }, limit);
    }
    return top;
  }

  /** Rows in storage order, for persistence. */
  *entries(): IterableIterator<[number, Float32Array]> {
    for (let row = 0; row < this.rowIds.length; row++) yield [this.rowIds[row], this.data.subarray(row * this.dimsValue, (row + 1) * this.dimsValue)];
  }

  private grow(rows: number): void {
    const needed = rows * this.dimsValue;
    if (needed <= this.data.length) return;
    const next = new Float32Array(Math.max(needed, this.data.length * 2, 64 * this.dimsValue));
    next.set(this.data);
    this.data = next;
  }
}

/** Inserts into a list sorted by descending score, keeping at most `limit`. */
function insertSorted(top: Ranked[], item: Ranked, limit: number): void {
  let at = top.length;
  while (at > 0 && top[at - 1].score < item.score) at--;
  top.splice(at, 0, item);
  if (top.length > limit) top.pop();
}
