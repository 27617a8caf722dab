// Which models fit this machine, and why, in words a person understands. Pure.
//
// The rule:
// - Usable memory: free VRAM summed over GPUs (plus what Ollama's loaded models hold, since Ollama
//   evicts them for ours); on Apple Silicon Metal's share of RAM (or the wired limit); with no GPU,
//   three quarters of RAM. Models may use 85 % of it; the rest is headroom.
// - Completion: the largest base model that fits, capped at 7b (ghost text must be quick) unless
//   `allowLargeModels`. Chat: the best instruct model that fits beside it, no weaker than it.
// - When no such pair fits, or one instruct model would be better than the pair's completion model
//   (and no worse than its chat model), that one instruct model serves both.
// - CPU only: completion at most 1.5b, chat at most 3b, with an honest word about speed.

import {
  CHAT_NUM_CTX,
  COMPLETION_CAP_B,
  COMPLETION_NUM_CTX,
  CPU_CHAT_CAP_B,
  CPU_COMPLETION_CAP_B,
  memoryNeed,
  modelsFor,
  type CatalogModel,
} from './catalog';
import type { HardwareInfo } from './types';
import { formatMemory } from './units';

export const BUDGET_SHARE = 0.85;
export const CPU_RAM_SHARE = 0.75;

export interface ChooseOptions {
  allowLargeModels: boolean;
  /** Memory held by models Ollama has loaded now (sum of /api/ps `size_vram`): Ollama frees it for ours. */
  reclaimableBytes?: number;
  completionNumCtx?: number;
  chatNumCtx?: number;
}

export interface ModelPick {
  model: CatalogModel;
  tag: string;
  /** Weights + KV cache at `numCtx` + runtime overhead. */
  needBytes: number;
  /** The context window the need was computed for: requests should ask for this `num_ctx`. */
  numCtx: number;
}

export interface Choice {
  device: 'gpu' | 'cpu';
  completion: ModelPick;
  chat: ModelPick;
  /** One instruct model serves both roles. */
  shared: boolean;
  /** False when even the smallest models exceed the budget (they are picked anyway, with a warning). */
  fits: boolean;
  usableBytes: number;
  budgetBytes: number;
  /** "NVIDIA GeForce RTX 4090, 22.1 GB free". */
  memoryLabel: string;
  /** One line: memory → models with their needs. */
  summary: string;
  /** Further sentences: why one model serves both, speed on the CPU, a larger model that would fit. */
  reasons: string[];
}

interface Usable {
  device: 'gpu' | 'cpu';
  bytes: number;
  label: string;
}

function describeGpus(hw: HardwareInfo): string {
  const names = hw.gpus.map((g) => g.name);
  const distinct = [...new Set(names)];
  if (names.length === 1) return names[0];
  if (distinct.length === 1) return `${names.length} × ${distinct[0]}`;
  return names.join(' + ');
}

export function usableMemory(hw: HardwareInfo, reclaimableBytes = 0): Usable {
  if (hw.apple) {
    const a = hw.apple;
    const limit = a.wiredLimitBytes ? `GPU wired limit ${formatMemory(a.wiredLimitBytes)}` : `${formatMemory(a.gpuUsableBytes)} usable by the GPU`;
    return { device: 'gpu', bytes: a.gpuUsableBytes, label: `${a.chip}, ${formatMemory(a.ramBytes)} unified memory, ${limit}` };
  }
  if (hw.gpus.length > 0) {
    const total = hw.gpus.reduce((sum, g) => sum + g.totalBytes, 0);
    const free = hw.gpus.reduce((sum, g) => sum + (g.freeBytes ?? g.totalBytes), 0);
    const bytes = Math.min(total, free + Math.max(0, reclaimableBytes));
    const allKnown = hw.gpus.every((g) => g.freeBytes !== undefined);
    const what = allKnown ? 'free' : 'usable';
    const inTotal = hw.gpus.length > 1 ? ' in total' : '';
    const held = reclaimableBytes > 0 ? ` (counting ${formatMemory(Math.min(reclaimableBytes, total - free))} held by models Ollama has loaded)` : '';
    return { device: 'gpu', bytes, label: `${describeGpus(hw)}, ${formatMemory(bytes)} ${what}${inTotal}${held}` };
  }
  return cpuUsable(hw, 'No GPU that Ollama can use');
}

function cpuUsable(hw: HardwareInfo, why: string): Usable {
  const ram = hw.system.totalRamBytes;
  return {
    device: 'cpu',
    bytes: Math.round(ram * CPU_RAM_SHARE),
    label: `${why}; ${formatMemory(ram)} RAM, ${hw.system.cpuCores} CPU cores`,
  };
}

function pick(model: CatalogModel, numCtx: number): ModelPick {
  return { model, tag: model.tag, needBytes: memoryNeed(model, numCtx), numCtx };
}

interface Plan {
  completion: ModelPick;
  chat: ModelPick;
  shared: boolean;
}

function plan(budget: number, completionCap: number, chatCap: number, cCtx: number, hCtx: number): Plan | undefined {
  const bases = modelsFor('completion').filter((m) => m.paramsB <= completionCap);
  const chats = modelsFor('chat').filter((m) => m.paramsB <= chatCap);
  let pair: Plan | undefined;
  for (const base of bases) {
    const c = pick(base, cCtx);
    if (c.needBytes > budget) continue;
    const chat = chats.map((m) => pick(m, hCtx)).find((h) => h.model.rank >= base.rank && h.needBytes <= budget - c.needBytes);
    if (chat) {
      pair = { completion: c, chat, shared: false };
      break;
    }
  }
  // One model for both: it must fill in the middle natively and respect the completion cap. Both
  // roles then ask for the same num_ctx, else Ollama would reload the model on every switch.
  const sharedModel = modelsFor('chat')
    .filter((m) => m.fim === 'native' && m.paramsB <= completionCap && m.paramsB <= chatCap)
    .map((m) => pick(m, hCtx))
    .find((s) => s.needBytes <= budget);
  const shared: Plan | undefined = sharedModel && { completion: sharedModel, chat: sharedModel, shared: true };
  if (!pair) return shared;
  if (shared && shared.chat.model.rank > pair.completion.model.rank && shared.chat.model.rank >= pair.chat.model.rank) {
    return shared;
  }
  return pair;
}

function smallest(cCtx: number, hCtx: number): Plan {
  const bases = modelsFor('completion');
  const chats = modelsFor('chat');
  return { completion: pick(bases[bases.length - 1], cCtx), chat: pick(chats[chats.length - 1], hCtx), shared: false };
}

function need(p: ModelPick): string {
  return `${p.tag} (needs ${formatMemory(p.needBytes)})`;
}

export function chooseModels(hw: HardwareInfo, options: ChooseOptions): Choice {
  const cCtx = options.completionNumCtx ?? COMPLETION_NUM_CTX;
  const hCtx = options.chatNumCtx ?? CHAT_NUM_CTX;
  const reasons: string[] = [];
  let usable = usableMemory(hw, options.reclaimableBytes);
  let budget = usable.bytes * BUDGET_SHARE;
  const cap = options.allowLargeModels ? Infinity : COMPLETION_CAP_B;

  let chosen: Plan | undefined;
  if (usable.device === 'gpu') {
    chosen = plan(budget, cap, Infinity, cCtx, hCtx);
    if (!chosen) {
      reasons.push(`The GPU's ${formatMemory(usable.bytes)} is too little even for the smallest models, so they run on the CPU.`);
      usable = cpuUsable(hw, `${describeGpus(hw)} too small`);
      budget = usable.bytes * BUDGET_SHARE;
    }
  }
  if (!chosen) {
    chosen = plan(budget, Math.min(cap, CPU_COMPLETION_CAP_B), CPU_CHAT_CAP_B, cCtx, hCtx);
  }
  let fits = true;
  if (!chosen) {
    fits = false;
    chosen = smallest(cCtx, hCtx);
    reasons.push(
      `Even the smallest models need more than the ${formatMemory(budget)} this machine can spare; expect swapping and slow answers. Close other programs, or point Qwen Local at a bigger machine running Ollama (setting qwenLocal.ollamaHost).`,
    );
  }

  const { completion, chat, shared } = chosen;
  const summary = shared
    ? `${usable.label} → ${need(chat)} for both completion and chat`
    : `${usable.label} → completion ${need(completion)}, chat ${need(chat)}`;

  if (shared) {
    reasons.push(
      `One instruct model serves both: a separate base model for completion would not stay loaded beside a chat model this good. Qwen notes that instruct models fill in the middle slightly worse than base models.`,
    );
  }
  if (usable.device === 'cpu') {
    reasons.push(
      `Models run on the CPU here: expect a completion to take a second or more and chat to write a few words a second. A GPU with 8 GB or more makes both many times faster.`,
    );
  }
  if (!options.allowLargeModels && usable.device === 'gpu') {
    const larger = modelsFor('completion').find(
      (m) => m.paramsB > COMPLETION_CAP_B && memoryNeed(m, cCtx) + (shared ? 0 : chat.needBytes) <= budget,
    );
    if (larger) {
      reasons.push(
        `${larger.tag} would also fit for completion; turn on qwenLocal.completion.allowLargeModels to use it (slower ghost text).`,
      );
    }
  }
  reasons.push(
    `Models may use ${Math.round(BUDGET_SHARE * 100)} % of ${formatMemory(usable.bytes)} (${formatMemory(budget)}); the rest is headroom for the display and other programs.`,
  );
  return {
    device: usable.device,
    completion,
    chat,
    shared,
    fits,
    usableBytes: usable.bytes,
    budgetBytes: budget,
    memoryLabel: usable.label,
    summary,
    reasons,
  };
}

/** Before detection ends: the choice for a CPU-only machine with this much RAM (a safe default). */
export function fallbackChoice(totalRamBytes: number, cpuCores = 1, allowLargeModels = false): Choice {
  const hw: HardwareInfo = {
    gpus: [],
    system: { platform: 'unknown', arch: 'unknown', totalRamBytes, freeRamBytes: totalRamBytes, cpuCores, cpuModel: 'unknown' },
    notes: [],
    detectedAt: 0,
  };
  return chooseModels(hw, { allowLargeModels });
}

/** Does this model fit next to nothing else? Used by the model pickers. */
export function fitsAlone(model: CatalogModel, budgetBytes: number, numCtx: number): boolean {
  return memoryNeed(model, numCtx) <= budgetBytes;
}
