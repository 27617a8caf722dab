// The items of the "Select Completion/Chat Model" quick picks, as plain data. Pure.

import type { InstalledModel } from '../backend/backend';
import { CATALOG, CHAT_NUM_CTX, COMPLETION_CAP_B, COMPLETION_NUM_CTX, equivalentModel, findModel, memoryNeed, sameModel, type CatalogModel, type ModelRole } from '../hardware/catalog';
import type { Choice } from '../hardware/choose';
import { formatDownload, formatMemory } from '../hardware/units';
import { traitsOf } from './remoteChoice';
import { installedName, isAuto } from './resolve';

export type PickEntry =
  | { kind: 'separator'; label: string }
  | { kind: 'auto'; label: string; description: string; detail: string; current: boolean }
  | {
      kind: 'model';
      label: string;
      description: string;
      detail: string;
      tag: string;
      installed: boolean;
      downloadBytes?: number;
      current: boolean;
    }
  | { kind: 'other'; label: string; description: string };

export interface PickInput {
  role: ModelRole;
  choice: Choice;
  /** Undefined when Ollama could not be asked. */
  installed: readonly InstalledModel[] | undefined;
  /** The raw setting value ("auto" or a tag). */
  setting: string;
  /** What `auto` resolves to now. */
  autoTag: string;
  /**
   * A server that serves only what it was started with (vLLM, llama.cpp, LM Studio): the picks are
   * its own list, with no downloads offered, and `autoWhy` explains Auto instead of this machine's GPU.
   */
  served?: { label: string; autoWhy: string };
}

/**
 * A completion-only model by name: Qwen's and most publishers' base models carry "base" as a name
 * part (`qwen2.5-coder:7b-base`, `deepseek-coder:6.7b-base-q4_K_M`, `starcoder2:3b` aside).
 */
export function isBaseModel(name: string): boolean {
  const known = findModel(name);
  if (known) return known.variant === 'base';
  return /(^|[-:_/.])base([-:_.]|$)/i.test(name);
}

function catalogFor(role: ModelRole): CatalogModel[] {
  if (role === 'chat') return CATALOG.filter((m) => m.variant === 'instruct').sort((a, b) => b.rank - a.rank);
  // Completion: base models first (made for fill-in-the-middle), then instruct ones, which also work.
  const rank = (m: CatalogModel) => (m.variant === 'base' ? 1000 : 0) + m.rank;
  return [...CATALOG].sort((a, b) => rank(b) - rank(a));
}

function fitText(model: CatalogModel, role: ModelRole, choice: Choice, numCtx: number): string {
  const need = memoryNeed(model, numCtx);
  const parts: string[] = [];
  if (need <= choice.budgetBytes) {
    // Alone: beside the other role's model it may not fit; the recommendation accounts for both.
    parts.push(`Fits in memory (needs ${formatMemory(need)} of ${formatMemory(choice.budgetBytes)})`);
  } else {
    parts.push(`Too large here: needs ${formatMemory(need)}, ${formatMemory(choice.budgetBytes)} available — part would run on the CPU, slowly`);
  }
  if (role === 'completion') {
    if (model.variant === 'instruct' && model.fim === 'native') parts.push('instruct model: fills in the middle slightly worse than a base model');
    if (model.fim === 'rawOnly') parts.push('fills in the middle through raw prompts only');
    if (model.paramsB > COMPLETION_CAP_B) parts.push('slow for ghost text');
  }
  return parts.join(' · ');
}

export function buildModelPicks(input: PickInput): PickEntry[] {
  const { role, choice, installed, setting } = input;
  const recommended = role === 'completion' ? choice.completion : choice.chat;
  const roleCtx = role === 'completion' ? COMPLETION_NUM_CTX : CHAT_NUM_CTX;
  const names = installed?.map((m) => m.name) ?? [];
  const auto = isAuto(setting);

  const entries: PickEntry[] = [
    {
      kind: 'auto',
      label: 'Auto',
      description: `${auto ? '(current) ' : ''}→ ${input.autoTag}`,
      detail: input.served?.autoWhy ?? choice.summary,
      current: auto,
    },
  ];
  if (input.served) return [...entries, ...servedPicks(input, input.served.label)];
  entries.push({ kind: 'separator', label: 'Qwen-Coder models' });
  for (const model of catalogFor(role)) {
    // Installed under a library alias (e.g. `7b-instruct`): the setting must name what Ollama has.
    const installedAs = installedName(model.tag, names);
    const isInstalled = installedAs !== undefined;
    const current = !auto && equivalentModel(setting, model.tag);
    const isRecommended = sameModel(model.tag, recommended.tag);
    const description = [
      current ? '(current)' : undefined,
      isRecommended ? '$(star-full) recommended' : undefined,
      isInstalled ? `$(check) installed${sameModel(installedAs, model.tag) ? '' : ` as ${installedAs}`}` : `${formatDownload(model.downloadBytes)} download`,
    ]
      .filter(Boolean)
      .join(' · ');
    entries.push({
      kind: 'model',
      label: model.tag,
      description,
      // Sized as the resolver would ask for it: the recommendation's window, else the role's default.
      detail: fitText(model, role, choice, isRecommended ? recommended.numCtx : roleCtx),
      tag: installedAs ?? model.tag,
      installed: isInstalled,
      downloadBytes: model.downloadBytes,
      current,
    });
  }
  const allOthers = (installed ?? []).filter((m) => !findModel(m.name));
  // Chat: base models continue text and do not follow instructions; they go last, with a warning.
  const others = role === 'chat' ? allOthers.filter((m) => !isBaseModel(m.name)) : allOthers;
  const baseForChat =
    role === 'chat'
      ? [...(installed ?? []).filter((m) => findModel(m.name)?.variant === 'base'), ...allOthers.filter((m) => isBaseModel(m.name))]
      : [];
  if (!auto && !findModel(setting) && !allOthers.some((m) => sameModel(m.name, setting))) {
    // The current setting names a model that is neither in the catalog nor installed: still show it.
    entries.push({ kind: 'separator', label: 'Current setting' });
    entries.push({ kind: 'model', label: setting, description: '(current) · not installed', detail: 'Pull it, or pick another model.', tag: setting, installed: false, current: true });
  }
  if (others.length > 0) {
    entries.push({ kind: 'separator', label: 'Other installed models' });
    for (const m of others) {
      const current = !auto && sameModel(setting, m.name);
      const facts = [m.family, m.parameterSize, m.quantization].filter(Boolean).join(', ');
      entries.push({
        kind: 'model',
        label: m.name,
        description: [current ? '(current)' : undefined, `$(check) installed · ${formatDownload(m.sizeBytes)}`].filter(Boolean).join(' · '),
        detail: facts || 'Not a Qwen-Coder model Qwen Local knows; its fit is not computed.',
        tag: m.name,
        installed: true,
        current,
      });
    }
  }
  if (baseForChat.length > 0) {
    entries.push({ kind: 'separator', label: 'Base models (completion only)' });
    for (const m of baseForChat) {
      const current = !auto && sameModel(setting, m.name);
      entries.push({
        kind: 'model',
        label: m.name,
        description: [current ? '(current)' : undefined, '$(warning) completion only', `$(check) installed · ${formatDownload(m.sizeBytes)}`].filter(Boolean).join(' · '),
        detail: 'A base model continues text; it does not follow instructions, so chat answers ramble or repeat the question. Use it for completions.',
        tag: m.name,
        installed: true,
        current,
      });
    }
  }
  if (installed === undefined) {
    entries.push({ kind: 'separator', label: 'Ollama not reachable: installed models unknown' });
  }
  entries.push({ kind: 'other', label: '$(cloud-download) Another model…', description: 'type any Ollama tag' });
  return entries;
}

/** The models a server that cannot pull lists; base models last for chat, with the same warning. */
function servedPicks(input: PickInput, label: string): PickEntry[] {
  const { role, installed, setting } = input;
  if (installed === undefined) {
    return [
      { kind: 'separator', label: `${label} not reachable: its models unknown` },
      { kind: 'other', label: '$(edit) Another model…', description: `type a model name ${label} serves` },
    ];
  }
  const auto = isAuto(setting);
  // Hugging Face names mark instruct models ("…-Instruct"); the rest continue text only.
  const unsuited = (m: InstalledModel) => role === 'chat' && !traitsOf({ name: m.name }).instruct;
  const entries: PickEntry[] = [{ kind: 'separator', label: `Models served by ${label}` }];
  for (const m of [...installed.filter((x) => !unsuited(x)), ...installed.filter(unsuited)]) {
    const current = !auto && sameModel(setting, m.name);
    entries.push({
      kind: 'model',
      label: m.name,
      description: [current ? '(current)' : undefined, unsuited(m) ? '$(warning) completion only' : undefined, '$(check) served'].filter(Boolean).join(' · '),
      detail: unsuited(m) ? 'A base model continues text; it does not follow instructions. Use it for completions.' : [m.family, m.parameterSize].filter(Boolean).join(', ') || `Listed by ${label}.`,
      tag: m.name,
      installed: true,
      current,
    });
  }
  if (!auto && !installed.some((m) => sameModel(m.name, setting))) {
    entries.push({ kind: 'separator', label: 'Current setting' });
    entries.push({ kind: 'model', label: setting, description: `(current) · not served by ${label}`, detail: 'Start the server with it, or pick another model.', tag: setting, installed: false, current: true });
  }
  entries.push({ kind: 'other', label: '$(edit) Another model…', description: `type a model name ${label} serves` });
  return entries;
}
