// What detection found, as plain data. Pure types.

export type GpuVendor = 'nvidia' | 'amd' | 'apple';

export interface Gpu {
  vendor: GpuVendor;
  /** Index as the tool numbers it (nvidia-smi index, rocm-smi/sysfs card number). */
  index: number;
  name: string;
  totalBytes: number;
  /** Undefined when the tool does not report it (MIG slices, vGPU). */
  usedBytes?: number;
  freeBytes?: number;
  /** Where the numbers came from: "nvidia-smi", "rocm-smi", "sysfs", "sysctl". */
  source: string;
}

export interface AppleSilicon {
  chip: string;
  ramBytes: number;
  /** `iogpu.wired_limit_mb` (or the older `debug.iogpu.wired_limit`) when set to a non-zero value. */
  wiredLimitBytes?: number;
  /** Memory the GPU may use: the wired limit when set, else Metal's usual share of RAM. */
  gpuUsableBytes: number;
}

export interface SystemInfo {
  platform: string;
  arch: string;
  totalRamBytes: number;
  freeRamBytes: number;
  cpuCores: number;
  cpuModel: string;
}

export interface HardwareInfo {
  /** Discrete GPUs found (integrated ones under 1 GiB are left out); Apple Silicon as one GPU. */
  gpus: Gpu[];
  apple?: AppleSilicon;
  system: SystemInfo;
  /** Things a person may want to know: a missing driver, a tool that hung, unreadable output. */
  notes: string[];
  /** Epoch milliseconds. */
  detectedAt: number;
}
