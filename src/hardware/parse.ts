// Pure parsers of what the GPU tools print, and the ground truth from Ollama's /api/ps.
// Never throw: unreadable input gives no GPUs and a note saying why.

import type { LoadedModel } from '../backend/backend';
import { GiB, MiB } from './catalog';
import type { AppleSilicon, Gpu } from './types';

export interface ParsedGpus {
  gpus: Gpu[];
  notes: string[];
}

/** Devices with less memory than this are integrated GPUs sharing system RAM: not worth a model. */
export const MIN_GPU_BYTES = 1 * GiB;

const NA = /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions|GPU is lost)\]?$/i;

function mibField(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!value || NA.test(value)) return undefined;
  // `nounits` should leave a bare number; tolerate "24564 MiB" from a run without it.
  const m = /^(\d+(?:\.\d+)?)(?:\s*MiB)?$/i.exec(value);
  return m ? Math.round(Number(m[1]) * MiB) : undefined;
}

/**
 * `nvidia-smi --query-gpu=index,name,memory.total,memory.used,memory.free --format=csv,noheader,nounits`
 * prints one line per GPU: `0, NVIDIA GeForce RTX 4090, 24564, 1089, 23053` (MiB).
 * Also handles the driver failure text, "No devices were found", MIG/vGPU "[N/A]" fields,
 * Windows line ends and a header line from a run without `noheader`.
 */
export function parseNvidiaSmi(stdout: string): ParsedGpus {
  const gpus: Gpu[] = [];
  const notes: string[] = [];
  const text = stdout.replace(/\r/g, '');
  if (/couldn't communicate with the NVIDIA driver|NVIDIA-SMI has failed/i.test(text)) {
    notes.push(
      'nvidia-smi could not talk to the NVIDIA driver: the driver is missing, not loaded, or does not match the kernel. Ollama will run on the CPU until that is fixed.',
    );
    return { gpus, notes };
  }
  if (/No devices were found/i.test(text)) {
    notes.push('nvidia-smi found no NVIDIA GPU.');
    return { gpus, notes };
  }
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || /^index\s*,/i.test(trimmed)) continue;
    const fields = trimmed.split(',').map((f) => f.trim());
    if (fields.length < 5 || !/^\d+$/.test(fields[0])) {
      notes.push(`Ignored a line of nvidia-smi output that is not a GPU: "${clip(trimmed)}".`);
      continue;
    }
    const index = Number(fields[0]);
    // The name may itself contain a comma; the three memory columns are always the last three.
    const name = fields.slice(1, fields.length - 3).join(', ') || `NVIDIA GPU ${index}`;
    const [totalRaw, usedRaw, freeRaw] = fields.slice(-3);
    const totalBytes = mibField(totalRaw);
    if (totalBytes === undefined) {
      notes.push(`nvidia-smi did not report the memory of GPU ${index} (${name}); it is left out.`);
      continue;
    }
    const usedBytes = mibField(usedRaw);
    let freeBytes = mibField(freeRaw);
    if (freeBytes === undefined && usedBytes !== undefined) freeBytes = Math.max(0, totalBytes - usedBytes);
    if (freeBytes === undefined) {
      notes.push(
        `nvidia-smi reports no free memory for GPU ${index} (${name}) — a MIG slice or virtual GPU; its total is used instead.`,
      );
    }
    if (totalBytes < MIN_GPU_BYTES) continue;
    gpus.push({ vendor: 'nvidia', index, name, totalBytes, usedBytes, freeBytes, source: 'nvidia-smi' });
  }
  if (gpus.length === 0 && notes.length === 0 && text.trim()) {
    notes.push(`nvidia-smi printed nothing Qwen Local could read: "${clip(text.trim())}".`);
  }
  return { gpus, notes };
}

function byteField(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function stringField(record: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const hit = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
    const value = hit === undefined ? undefined : record[hit];
    if (typeof value === 'string' && value.trim() && !NA.test(value.trim())) return value.trim();
  }
  return undefined;
}

/**
 * `rocm-smi --showmeminfo vram --json`: `{"card0": {"VRAM Total Memory (B)": "…", "VRAM Total Used
 * Memory (B)": "…"}, …}` (byte counts as strings; some versions add a "system" entry, print
 * warnings before the JSON, or add the product name when asked for it).
 */
export function parseRocmSmi(stdout: string): ParsedGpus {
  const gpus: Gpu[] = [];
  const notes: string[] = [];
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start === -1 || end <= start) {
    notes.push(`rocm-smi printed no JSON${stdout.trim() ? `: "${clip(stdout.trim())}"` : ''}.`);
    return { gpus, notes };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.slice(start, end + 1));
  } catch {
    notes.push('rocm-smi printed JSON that could not be read.');
    return { gpus, notes };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    notes.push('rocm-smi printed JSON of an unexpected shape.');
    return { gpus, notes };
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const card = /^card(\d+)$/i.exec(key);
    if (!card || typeof value !== 'object' || value === null) continue;
    const record = value as Record<string, unknown>;
    const index = Number(card[1]);
    const totalBytes = byteField(record['VRAM Total Memory (B)']);
    const usedBytes = byteField(record['VRAM Total Used Memory (B)']);
    if (totalBytes === undefined) {
      notes.push(`rocm-smi did not report the VRAM of ${key}; it is left out.`);
      continue;
    }
    if (totalBytes < MIN_GPU_BYTES) continue; // an integrated GPU's small carve-out
    const name = stringField(record, ['Card Series', 'Card series', 'Device Name', 'Card Model', 'Card SKU']) ?? `AMD GPU ${index}`;
    gpus.push({
      vendor: 'amd',
      index,
      name,
      totalBytes,
      usedBytes,
      freeBytes: usedBytes === undefined ? undefined : Math.max(0, totalBytes - usedBytes),
      source: 'rocm-smi',
    });
  }
  if (gpus.length === 0 && notes.length === 0) notes.push('rocm-smi found no AMD GPU with dedicated memory.');
  return { gpus, notes };
}

/** One `/sys/class/drm/cardN/device` as read by the runner: raw file contents or undefined. */
export interface SysfsCard {
  card: string;
  vendor?: string;
  vramTotal?: string;
  vramUsed?: string;
}

const AMD_PCI_VENDOR = '0x1002';

/** The amdgpu driver's `mem_info_vram_total` / `mem_info_vram_used` files (bytes, decimal). */
export function parseSysfsAmd(cards: SysfsCard[]): ParsedGpus {
  const gpus: Gpu[] = [];
  const notes: string[] = [];
  for (const c of cards) {
    const m = /^card(\d+)$/.exec(c.card);
    if (!m) continue;
    if (c.vendor !== undefined && c.vendor.trim().toLowerCase() !== AMD_PCI_VENDOR) continue;
    const totalBytes = byteField(c.vramTotal);
    if (totalBytes === undefined) continue;
    if (totalBytes < MIN_GPU_BYTES) continue;
    const usedBytes = byteField(c.vramUsed);
    const index = Number(m[1]);
    gpus.push({
      vendor: 'amd',
      index,
      name: `AMD GPU ${index}`,
      totalBytes,
      usedBytes,
      freeBytes: usedBytes === undefined ? undefined : Math.max(0, totalBytes - usedBytes),
      source: 'sysfs',
    });
  }
  return { gpus, notes };
}

/** `sysctl a b c` prints `name: value` lines (unknown names go to stderr). */
export function parseSysctl(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.replace(/\r/g, '').split('\n')) {
    const m = /^([\w.]+):\s*(.*)$/.exec(line.trim());
    if (m) values.set(m[1], m[2].trim());
  }
  return values;
}

/**
 * Metal lets the GPU wire about two thirds of RAM on machines up to 36 GB and three quarters above
 * (`recommendedMaxWorkingSetSize`), unless `iogpu.wired_limit_mb` raises or lowers it.
 */
export function appleGpuShare(ramBytes: number, wiredLimitBytes?: number): number {
  if (wiredLimitBytes !== undefined && wiredLimitBytes > 0) return Math.min(wiredLimitBytes, ramBytes);
  return Math.round(ramBytes * (ramBytes <= 36 * GiB ? 0.67 : 0.75));
}

export interface ParsedMac {
  /** Present on Apple Silicon only: Intel Macs run Ollama on the CPU. */
  apple?: AppleSilicon;
  ramBytes?: number;
  cpuModel?: string;
  notes: string[];
}

/** The output of `sysctl hw.memsize hw.optional.arm64 machdep.cpu.brand_string iogpu.wired_limit_mb …`. */
export function parseMacSysctl(stdout: string): ParsedMac {
  const values = parseSysctl(stdout);
  const notes: string[] = [];
  const ramBytes = byteField(values.get('hw.memsize'));
  const brand = values.get('machdep.cpu.brand_string');
  const arm64 = values.get('hw.optional.arm64');
  // Under Rosetta process.arch says x64; hw.optional.arm64 and the brand still tell the truth.
  const appleSilicon = arm64 === '1' || (brand !== undefined && /^Apple\b/.test(brand));
  if (ramBytes === undefined) {
    notes.push('sysctl did not report hw.memsize.');
    return { notes, cpuModel: brand };
  }
  if (!appleSilicon) {
    notes.push('This Mac has an Intel processor: Ollama runs models on the CPU there.');
    return { notes, ramBytes, cpuModel: brand };
  }
  let wiredLimitBytes: number | undefined;
  const mb = byteField(values.get('iogpu.wired_limit_mb'));
  const bytes = byteField(values.get('debug.iogpu.wired_limit'));
  if (mb !== undefined && mb > 0) wiredLimitBytes = mb * MiB;
  else if (bytes !== undefined && bytes > 0) wiredLimitBytes = bytes;
  const apple: AppleSilicon = {
    chip: brand ?? 'Apple Silicon',
    ramBytes,
    wiredLimitBytes,
    gpuUsableBytes: appleGpuShare(ramBytes, wiredLimitBytes),
  };
  return { apple, ramBytes, cpuModel: brand, notes };
}

export interface GpuSplit {
  /** 0..1, the share of the loaded model in GPU memory; undefined when the size is unknown. */
  gpuFraction?: number;
  label: string;
}

/** Ground truth once a model is loaded: `/api/ps` reports `size` and `size_vram`. */
export function gpuSplit(model: Pick<LoadedModel, 'sizeBytes' | 'sizeVramBytes'>): GpuSplit {
  const { sizeBytes, sizeVramBytes } = model;
  if (!(sizeBytes > 0)) return { label: 'size unknown' };
  const gpuFraction = Math.min(1, Math.max(0, sizeVramBytes / sizeBytes));
  if (gpuFraction >= 0.995) return { gpuFraction, label: 'fully on GPU' };
  if (gpuFraction <= 0.005) return { gpuFraction, label: 'on CPU only' };
  const cpuPercent = Math.max(1, Math.round((1 - gpuFraction) * 100));
  return { gpuFraction, label: `${cpuPercent} % on CPU` };
}

function clip(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
