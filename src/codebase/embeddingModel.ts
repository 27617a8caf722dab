// Which embedding model the index uses: the one the setting names, else the best one the server
// already has, else none (the index searches by words only, and says so with a hint).

import type { Backend } from '../backend/backend';
import type { Embedder } from './service';

/** Embedding models, best first for code search (names as Ollama's library spells them). */
const PREFERRED = ['qwen3-embedding', 'nomic-embed-code', 'nomic-embed-text', 'mxbai-embed-large', 'bge-m3', 'snowflake-arctic-embed', 'embeddinggemma', 'all-minilm'];

export type EmbeddingChoice = { model: string; why: string } | { model: undefined; why: string };

/** Names that look like embedding models (Ollama tags and Hugging Face ids alike). */
export function isEmbeddingModelName(name: string): boolean {
  return /embed|minilm|(?:^|\/)bge-|(?:^|\/)e5-|(?:^|\/)gte-/i.test(name);
}

/**
 * `setting`: `auto` (or empty) picks from `installed`; `none` switches vectors off; any other value
 * is used as given when the server has it.
 */
export function chooseEmbeddingModel(setting: string, installed: readonly string[]): EmbeddingChoice {
  const wanted = setting.trim();
  if (wanted === 'none') return { model: undefined, why: 'qwenLocal.codebase.embeddingModel is "none": search by words only.' };
  if (wanted !== '' && wanted !== 'auto') {
    const found = installed.find((name) => sameModel(name, wanted));
    return found
      ? { model: found, why: `${found}, set in qwenLocal.codebase.embeddingModel.` }
      : { model: undefined, why: `The server has no model "${wanted}" (qwenLocal.codebase.embeddingModel): search by words only. Pull it (ollama pull ${wanted}) or change the setting.` };
  }
  const candidates = installed.filter(isEmbeddingModelName);
  const rank = (name: string) => {
    const i = PREFERRED.findIndex((family) => name.toLowerCase().includes(family));
    return i === -1 ? PREFERRED.length : i;
  };
  const best = [...candidates].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  if (best !== undefined) return { model: best, why: `${best}, found on the server.` };
  return {
    model: undefined,
    why: 'The server has no embedding model: search by words only. For search by meaning too, pull one (e.g. `ollama pull nomic-embed-text`, 274 MB) and run "Qwen Local: Index Workspace".',
  };
}

/** Ollama names: `nomic-embed-text` is `nomic-embed-text:latest`. */
function sameModel(a: string, b: string): boolean {
  const norm = (n: string) => (n.includes(':') || n.includes('/') ? n : `${n}:latest`).toLowerCase();
  return norm(a) === norm(b);
}

/** The embedder for the index from a server: its installed models decide; vectors come from `backend.embed`. */
export async function embedderFrom(backend: Pick<Backend, 'listModels' | 'embed'>, setting: string, signal: AbortSignal): Promise<Embedder> {
  if (setting.trim() === 'none') return { model: undefined, why: chooseEmbeddingModel(setting, []).why };
  const installed = (await backend.listModels(signal)).map((m) => m.name);
  const choice = chooseEmbeddingModel(setting, installed);
  if (choice.model === undefined) return choice;
  const model = choice.model;
  return { model, why: choice.why, embed: (texts, s) => backend.embed(model, texts, s) };
}
