// Which embedding model to offer to pull when the index searches by words only, its size, whether
// it fits next to the models in use, and what to say. Pure: the glue (vscodeEmbeddingOffer.ts)
// gathers the facts from the model manager and shows the result.
//
// - A local Ollama: the best model of EMBEDDING_MODELS that fits in what the hardware choice
//   leaves beside the completion and chat models in use (hardware/choose.ts's budget); none fits:
//   no offer, and the reason.
// - A remote Ollama: its memory is not known here, so the best model is offered with its size.
// - An OpenAI-compatible server cannot pull: the setting that names the model, and the admin.
// - The setting names a model the server lacks: that model is offered (its size if known).

import { findModel, memoryNeed, MiB, RUNTIME_OVERHEAD_BYTES, equivalentModel } from '../hardware/catalog';
import { formatDownload, formatMemory } from '../hardware/units';

export interface EmbeddingCatalogModel {
  tag: string;
  /** Download size as Ollama's library lists it (decimal bytes). */
  downloadBytes: number;
}

/**
 * Best first for code search. qwen3-embedding:0.6b ranks first on code retrieval (MTEB Code) among
 * small models; nomic-embed-text is the common default; all-minilm is the smallest that helps.
 */
export const EMBEDDING_MODELS: readonly EmbeddingCatalogModel[] = [
  { tag: 'qwen3-embedding:0.6b', downloadBytes: 639e6 },
  { tag: 'nomic-embed-text', downloadBytes: 274e6 },
  { tag: 'all-minilm', downloadBytes: 46e6 },
];

/**
 * What a loaded embedding model needs beside its weights: the runner and its compute buffers at
 * an embedding's short context (far less than a chat model's RUNTIME_OVERHEAD_BYTES).
 */
export const EMBEDDING_OVERHEAD_BYTES = 300 * MiB;

export function embeddingNeedBytes(downloadBytes: number): number {
  return downloadBytes + EMBEDDING_OVERHEAD_BYTES;
}

/** A model the extension uses now (completion, chat) and the memory it takes when loaded. */
export interface ModelInUse {
  tag: string;
  needBytes: number;
}

/**
 * The completion and chat models in use, each once, with their memory: the catalog's arithmetic
 * at the num_ctx they run with, else the installed size plus the runtime's share, else unknown (0).
 */
export function modelsInUse(roles: readonly { tag: string; numCtx: number }[], installed: readonly { name: string; sizeBytes: number }[] = []): ModelInUse[] {
  const out: ModelInUse[] = [];
  for (const { tag, numCtx } of roles) {
    if (out.some((m) => equivalentModel(m.tag, tag))) continue;
    const known = findModel(tag);
    const listed = installed.find((m) => equivalentModel(m.name, tag));
    const needBytes = known ? memoryNeed(known, numCtx) : listed ? listed.sizeBytes + RUNTIME_OVERHEAD_BYTES : 0;
    out.push({ tag, needBytes });
  }
  return out;
}

export type ServerFacts =
  | { kind: 'local-ollama'; host: string; budgetBytes: number; memoryLabel: string; inUse: readonly ModelInUse[] }
  | { kind: 'remote-ollama'; host: string }
  | { kind: 'openai'; host: string };

export interface OfferFacts {
  server: ServerFacts;
  /** qwenLocal.codebase.embeddingModel. */
  setting: string;
  /** The embedding model the index uses now; set: nothing to offer. */
  model: string | undefined;
}

export type EmbeddingOffer =
  /** The index has vectors already, or the setting switched them off: nothing to say. */
  | { kind: 'none' }
  /** No pull is possible or sensible: `message` says why and what to do. */
  | { kind: 'explain'; message: string }
  /** Offer `tag`: `message` asks, `button` is the action (it names the size). */
  | { kind: 'pull'; tag: string; downloadBytes?: number; message: string; button: string };

const SETTING = 'qwenLocal.codebase.embeddingModel';

function sizeWords(bytes: number | undefined): string {
  return bytes === undefined ? 'size unknown' : formatDownload(bytes);
}

export function embeddingOffer(f: OfferFacts): EmbeddingOffer {
  const setting = f.setting.trim();
  if (f.model !== undefined || setting === 'none') return { kind: 'none' };
  const named = setting !== '' && setting !== 'auto' ? setting : undefined;
  const { server } = f;
  const wordsOnly = `${server.host} has no ${named ? `model "${named}" (${SETTING})` : 'embedding model'}, so the codebase index searches by words only.`;
  if (server.kind === 'openai') {
    return {
      kind: 'explain',
      message: `${wordsOnly} It is an OpenAI-compatible server: Qwen Local cannot download models to it. Ask its admin to serve an embedding model (e.g. Qwen/Qwen3-Embedding-0.6B) and name it in ${SETTING}.`,
    };
  }
  const button = (tag: string, bytes: number | undefined) => `Pull ${tag} (${sizeWords(bytes)})`;
  if (named) {
    const bytes = EMBEDDING_MODELS.find((m) => equivalentModel(m.tag, named))?.downloadBytes;
    return { kind: 'pull', tag: named, ...(bytes === undefined ? {} : { downloadBytes: bytes }), message: `${wordsOnly} Pull ${named} (${sizeWords(bytes)}) for search by meaning too?`, button: button(named, bytes) };
  }
  if (server.kind === 'remote-ollama') {
    const best = EMBEDDING_MODELS[0];
    return {
      kind: 'pull',
      tag: best.tag,
      downloadBytes: best.downloadBytes,
      message: `${wordsOnly} Pull ${best.tag} (${formatDownload(best.downloadBytes)}) onto that server for search by meaning too? Its free memory cannot be checked from here.`,
      button: button(best.tag, best.downloadBytes),
    };
  }
  const used = server.inUse.reduce((sum, m) => sum + m.needBytes, 0);
  const free = server.budgetBytes - used;
  const names = server.inUse.map((m) => m.tag).join(' and ') || 'the models in use';
  const fitting = EMBEDDING_MODELS.find((m) => embeddingNeedBytes(m.downloadBytes) <= free);
  if (!fitting) {
    const smallest = EMBEDDING_MODELS[EMBEDDING_MODELS.length - 1];
    return {
      kind: 'explain',
      message: `${wordsOnly} No embedding model fits next to ${names} in ${server.memoryLabel}: even ${smallest.tag} needs ${formatMemory(embeddingNeedBytes(smallest.downloadBytes))} and ${formatMemory(Math.max(0, free))} is left. Choose smaller models (Select Completion/Chat Model) to make room.`,
    };
  }
  return {
    kind: 'pull',
    tag: fitting.tag,
    downloadBytes: fitting.downloadBytes,
    message: `${wordsOnly} Pull ${fitting.tag} (${formatDownload(fitting.downloadBytes)}) for search by meaning too? It fits next to ${names} (${server.memoryLabel}).`,
    button: button(fitting.tag, fitting.downloadBytes),
  };
}
