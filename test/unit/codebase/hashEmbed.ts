// A deterministic stand-in for an embedding model: a bag of identifiers and their parts hashed
// into a fixed number of dimensions (the hashing trick), weighted by 1 + log(count). Texts sharing
// words land near each other, which is all the index's vector path needs to be tested and measured.
// The benchmark uses it too, so that its numbers do not depend on a model being installed.

import { identifiers, termsOf } from '../../../src/codebase/lexical';
import type { EmbedFn } from '../../../src/codebase/vectors';
import { fnv1a as hash } from '../../sim/embeddings';

export function hashEmbedding(text: string, dims = 256): Float32Array {
  const counts = new Map<string, number>();
  for (const word of identifiers(text)) for (const term of termsOf(word)) counts.set(term, (counts.get(term) ?? 0) + 1);
  const vector = new Float32Array(dims);
  for (const [term, count] of counts) {
    const h = hash(term);
    // The sign bit spreads collisions out instead of piling them up.
    vector[h % dims] += (h & 0x80000000 ? -1 : 1) * (1 + Math.log(count));
  }
  return vector;
}

/** An `EmbedFn` over `hashEmbedding`, recording how many texts it was asked for. */
export function hashEmbedder(dims = 256): EmbedFn & { calls: string[][] } {
  const calls: string[][] = [];
  const embed = async (texts: string[], signal: AbortSignal): Promise<Float32Array[]> => {
    signal.throwIfAborted();
    calls.push(texts);
    return texts.map((text) => hashEmbedding(text, dims));
  };
  return Object.assign(embed, { calls });
}
