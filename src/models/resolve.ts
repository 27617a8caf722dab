// Which model each role uses now. Pure.
// An explicit setting wins. `auto` takes the hardware choice; when the installed models are known
// and the recommended one is missing, the best installed catalog model that fits stands in (never
// a larger one than recommended), so completions work before the user agrees to a download.

import { CATALOG, CHAT_NUM_CTX, COMPLETION_NUM_CTX, equivalentModel, memoryNeed, sameModel, type ModelRole } from '../hardware/catalog';
import type { Choice } from '../hardware/choose';

export const AUTO = 'auto';

export type ModelSource = 'setting' | 'auto' | 'installed';

export interface RoleResolution {
  tag: string;
  numCtx: number;
  source: ModelSource;
  /** The hardware recommendation for this role (differs from `tag` unless source is 'auto'). */
  recommended: string;
}

export interface Resolved {
  completion: RoleResolution;
  chat: RoleResolution;
}

export interface ModelSettings {
  completion: { model: string };
  chat: { model: string };
}

export function isAuto(value: string | undefined): boolean {
  return value === undefined || value.trim() === '' || value.trim().toLowerCase() === AUTO;
}

/** The installed name under which `tag` (or a library alias of it) is installed, exact name first. */
export function installedName(tag: string, installed: readonly string[]): string | undefined {
  return installed.find((name) => sameModel(name, tag)) ?? installed.find((name) => equivalentModel(name, tag));
}

export function isInstalled(tag: string, installed: readonly string[]): boolean {
  return installedName(tag, installed) !== undefined;
}

function standIn(role: ModelRole, choice: Choice, installed: readonly string[]): string | undefined {
  const recommended = role === 'completion' ? choice.completion : choice.chat;
  const numCtx = recommended.numCtx;
  const candidates = CATALOG.filter(
    (m) =>
      isInstalled(m.tag, installed) &&
      m.rank <= recommended.model.rank &&
      memoryNeed(m, numCtx) <= choice.budgetBytes &&
      (role === 'chat' ? m.variant === 'instruct' : m.fim === 'native'),
  );
  // Best first; for completion a base model beats an instruct model of the same size.
  candidates.sort((a, b) => b.rank - a.rank || (a.variant === 'base' ? -1 : 1) - (b.variant === 'base' ? -1 : 1));
  return candidates[0] && installedName(candidates[0].tag, installed);
}

function resolveRole(role: ModelRole, setting: string, choice: Choice, installed?: readonly string[]): RoleResolution {
  const recommended = role === 'completion' ? choice.completion : choice.chat;
  const fallbackCtx = role === 'completion' ? COMPLETION_NUM_CTX : CHAT_NUM_CTX;
  if (!isAuto(setting)) return { tag: setting.trim(), numCtx: fallbackCtx, source: 'setting', recommended: recommended.tag };
  if (installed) {
    // Installed under the catalog tag or a library alias of it: ask for the name Ollama knows.
    const name = installedName(recommended.tag, installed);
    if (name) return { tag: name, numCtx: recommended.numCtx, source: 'auto', recommended: recommended.tag };
    const tag = standIn(role, choice, installed);
    if (tag) return { tag, numCtx: recommended.numCtx, source: 'installed', recommended: recommended.tag };
  }
  return { tag: recommended.tag, numCtx: recommended.numCtx, source: 'auto', recommended: recommended.tag };
}

export function resolveModels(settings: ModelSettings, choice: Choice, installed?: readonly string[]): Resolved {
  const completion = resolveRole('completion', settings.completion.model, choice, installed);
  const chat = resolveRole('chat', settings.chat.model, choice, installed);
  // One model serving both roles must be asked for with one num_ctx, or Ollama reloads it each switch.
  if (sameModel(completion.tag, chat.tag)) {
    const numCtx = Math.max(completion.numCtx, chat.numCtx);
    return { completion: { ...completion, numCtx }, chat: { ...chat, numCtx } };
  }
  return { completion, chat };
}
