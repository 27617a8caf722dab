// The models Qwen Local knows how to size: data only, plus the memory arithmetic over it. Pure.
//
// Sizes are the Q4_K_M downloads as Ollama's library lists them (decimal bytes, as `ollama list`
// shows them). Architectures are from each model's config.json (Qwen2.5-Coder model cards;
// Qwen3-Coder-30B-A3B-Instruct card): layers, KV heads (GQA) and head size set the KV cache.

export type ModelRole = 'completion' | 'chat';

export interface CatalogModel {
  /** The Ollama tag, e.g. `qwen2.5-coder:7b-base`. */
  tag: string;
  family: 'qwen2.5-coder' | 'qwen3-coder';
  /** Parameter count in billions, for people ("7b"); for MoE models the total count. */
  paramsB: number;
  /** Base models are trained for fill-in-the-middle; instruct models for chat. */
  variant: 'base' | 'instruct';
  /**
   * Quality order among the catalog for chat (higher is better). Qwen3-Coder-30B-A3B ranks above
   * Qwen2.5-Coder-32B: newer, far better on agentic benchmarks, and only 3.3B parameters active.
   */
  rank: number;
  /** Download size of the Q4_K_M weights, bytes (decimal, as Ollama lists it). */
  downloadBytes: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  /** The model's native context length in tokens. */
  contextLength: number;
  /** Serves inline completions through Ollama's `suffix` (insert capability) or raw FIM. */
  fim: 'native' | 'rawOnly';
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** What the runtime adds beside weights and KV cache (CUDA/Metal context, compute buffers). */
export const RUNTIME_OVERHEAD_BYTES = 1 * GiB;

/** Context windows the extension asks for; the memory arithmetic assumes these. */
export const COMPLETION_NUM_CTX = 8192;
export const CHAT_NUM_CTX = 16384;

/** Completion models above this size are slow for ghost text; larger only with allowLargeModels. */
export const COMPLETION_CAP_B = 7;
/** On the CPU alone, completion stays at this size and chat at the next. */
export const CPU_COMPLETION_CAP_B = 1.5;
export const CPU_CHAT_CAP_B = 3;

interface Arch {
  paramsB: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  contextLength: number;
  downloadBytes: number;
}

// Qwen2.5-Coder: 0.5B 24 layers, 14 Q / 2 KV heads, hidden 896 → head 64; 1.5B 28 layers, 12/2,
// head 128; 3B 36 layers, 16/2; 7B 28 layers, 28/4; 14B 48 layers, 40/8; 32B 64 layers, 40/8.
// Ollama's GGUFs carry a 32,768-token context (YaRN to 128K is not enabled there).
const QWEN25: Arch[] = [
  { paramsB: 0.5, layers: 24, kvHeads: 2, headDim: 64, contextLength: 32768, downloadBytes: 398e6 },
  { paramsB: 1.5, layers: 28, kvHeads: 2, headDim: 128, contextLength: 32768, downloadBytes: 986e6 },
  { paramsB: 3, layers: 36, kvHeads: 2, headDim: 128, contextLength: 32768, downloadBytes: 1.9e9 },
  { paramsB: 7, layers: 28, kvHeads: 4, headDim: 128, contextLength: 32768, downloadBytes: 4.7e9 },
  { paramsB: 14, layers: 48, kvHeads: 8, headDim: 128, contextLength: 32768, downloadBytes: 9.0e9 },
  { paramsB: 32, layers: 64, kvHeads: 8, headDim: 128, contextLength: 32768, downloadBytes: 20e9 },
];

function qwen25(arch: Arch, variant: 'base' | 'instruct'): CatalogModel {
  const size = `${arch.paramsB}b`;
  return {
    tag: variant === 'base' ? `qwen2.5-coder:${size}-base` : `qwen2.5-coder:${size}`,
    family: 'qwen2.5-coder',
    variant,
    rank: arch.paramsB,
    fim: 'native',
    ...arch,
  };
}

export const CATALOG: readonly CatalogModel[] = [
  ...QWEN25.map((a) => qwen25(a, 'base')),
  ...QWEN25.map((a) => qwen25(a, 'instruct')),
  {
    // Qwen3-Coder-30B-A3B-Instruct: 48 layers, 32 Q / 4 KV heads, head 128, 262,144 tokens native.
    tag: 'qwen3-coder:30b',
    family: 'qwen3-coder',
    variant: 'instruct',
    paramsB: 30,
    rank: 40,
    downloadBytes: 19e9,
    layers: 48,
    kvHeads: 4,
    headDim: 128,
    contextLength: 262144,
    fim: 'rawOnly',
  },
];

/** KV cache in f16: K and V (2) × layers × KV heads × head size × tokens × 2 bytes. */
export function kvCacheBytes(model: CatalogModel, numCtx: number): number {
  const ctx = Math.min(numCtx, model.contextLength);
  return 2 * model.layers * model.kvHeads * model.headDim * ctx * 2;
}

/** Memory one loaded model needs: weights + KV cache at `numCtx` + the runtime's own share. */
export function memoryNeed(model: CatalogModel, numCtx: number): number {
  return model.downloadBytes + kvCacheBytes(model, numCtx) + RUNTIME_OVERHEAD_BYTES;
}

/** Ollama treats `name` and `name:latest` as one model; tags compare case-insensitively. */
export function normalizeTag(tag: string): string {
  const t = tag.trim().toLowerCase();
  const slash = t.lastIndexOf('/');
  return t.indexOf(':', slash + 1) === -1 ? `${t}:latest` : t;
}

export function sameModel(a: string, b: string): boolean {
  return normalizeTag(a) === normalizeTag(b);
}

// Ollama's library publishes one model under several tags (same digest): `7b` = `7b-instruct` =
// `7b-instruct-q4_K_M`, `7b-base` = `7b-base-q4_K_M`, `latest` = `7b` (qwen3-coder: `30b`).
const LATEST: Record<string, string> = { 'qwen2.5-coder': 'qwen2.5-coder:7b', 'qwen3-coder': 'qwen3-coder:30b' };

/** The catalog spelling of a tag that is an alias of a catalog model; otherwise the normalized tag. */
export function canonicalTag(tag: string): string {
  const n = normalizeTag(tag);
  const colon = n.lastIndexOf(':');
  const name = n.slice(0, colon);
  let variant = n.slice(colon + 1);
  if (name !== 'qwen2.5-coder' && name !== 'qwen3-coder') return n;
  if (variant === 'latest') return LATEST[name];
  variant = variant.replace(/-q4_k_m$/, '').replace(/-instruct$/, '');
  return `${name}:${variant}`;
}

/** Same model for Ollama: equal names, or two library aliases of one catalog model. */
export function equivalentModel(a: string, b: string): boolean {
  return canonicalTag(a) === canonicalTag(b);
}

export function findModel(tag: string): CatalogModel | undefined {
  const c = canonicalTag(tag);
  return CATALOG.find((m) => m.tag === c);
}

/** Models that can serve a role, largest (best) first. */
export function modelsFor(role: ModelRole): CatalogModel[] {
  const list =
    role === 'completion'
      ? CATALOG.filter((m) => m.variant === 'base')
      : CATALOG.filter((m) => m.variant === 'instruct');
  return [...list].sort((a, b) => b.rank - a.rank);
}
