// The simulators' embedding model: a deterministic bag of words (identifiers split on camelCase and
// snake_case, lower-cased) hashed into a fixed number of dimensions, then scaled to unit length as
// Ollama does (server/routes.go EmbedHandler calls `normalize`). Texts sharing words land near each
// other: enough for the extension's vector retrieval to be tested end to end through real clients.

/** nomic-embed-text's dimension (its GGUF `nomic-bert.embedding_length`). */
export const SIM_EMBEDDING_DIMS = 768;

/** Names that look like embedding models (Ollama's library and Hugging Face ids). */
export function looksLikeEmbeddingModel(name: string): boolean {
  return /embed|minilm|bge-|e5-|gte-/i.test(name);
}

/** FNV-1a, 32 bits (also the codebase tests' hashed embedding). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function words(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    out.push(word.toLowerCase());
    const parts = word
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .split(/[\s_]+/)
      .filter((p) => p.length > 1);
    if (parts.length > 1) for (const part of parts) out.push(part.toLowerCase());
  }
  return out;
}

/** One unit-length vector (all zeros for a text without words, as a real model never gives, but harmless). */
export function simEmbedding(text: string, dims = SIM_EMBEDDING_DIMS): number[] {
  const counts = new Map<string, number>();
  for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vector = new Array<number>(dims).fill(0);
  for (const [w, count] of counts) {
    const h = fnv1a(w);
    vector[h % dims] += (h & 0x80000000 ? -1 : 1) * (1 + Math.log(count));
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm > 0 ? vector.map((v) => v / norm) : vector;
}

/** A rough token count for `prompt_eval_count` / `usage` (about four characters a token). */
export function simTokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
