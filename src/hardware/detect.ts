// Runs the GPU tools. The extension starts processes in two places only: here and git in
// actions/gitCli.ts.
// Each command: no shell, a 3 s timeout after which it is killed, output capped. The decisions are
// made by the pure parsers in parse.ts; everything the runner touches is injectable for tests.

import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMacSysctl, parseNvidiaSmi, parseRocmSmi, parseSysfsAmd, type SysfsCard } from './parse';
import type { Gpu, HardwareInfo } from './types';

export const COMMAND_TIMEOUT_MS = 3000;
export const MAX_OUTPUT_BYTES = 256 * 1024;

export interface ExecOptions {
  timeoutMs: number;
  maxBytes: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when killed or never started. */
  code: number | null;
  /** Why there is no clean exit: not installed, hung (killed), output over the cap (killed), other. */
  failure?: 'notFound' | 'timeout' | 'tooLarge' | 'error';
  message?: string;
  pid?: number;
}

export type Exec = (file: string, args: string[], options: ExecOptions) => Promise<ExecResult>;

/** Spawns `file` without a shell, kills it after `timeoutMs` or past `maxBytes` of output. */
export const runCommand: Exec = (file, args, { timeoutMs, maxBytes }) =>
  new Promise<ExecResult>((resolve) => {
    let stdout = '';
    let stderr = '';
    let bytes = 0;
    let failure: ExecResult['failure'];
    let settled = false;
    let child: ReturnType<typeof spawn>;
    const finish = (result: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const kill = (why: 'timeout' | 'tooLarge') => {
      failure ??= why;
      child.kill('SIGKILL');
      // Do not wait for 'close': a grandchild holding the pipes open would keep us waiting.
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish({ stdout, stderr, code: null, failure, pid: child.pid });
    };
    try {
      child = spawn(file, args, { shell: false, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ stdout, stderr, code: null, failure: 'error', message: String(error) });
      return;
    }
    const timer = setTimeout(() => kill('timeout'), timeoutMs);
    const take = (chunk: Buffer, into: 'out' | 'err') => {
      if (failure) return;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        kill('tooLarge');
        return;
      }
      if (into === 'out') stdout += chunk.toString('utf8');
      else stderr += chunk.toString('utf8');
    };
    child.stdout?.on('data', (c: Buffer) => take(c, 'out'));
    child.stderr?.on('data', (c: Buffer) => take(c, 'err'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const notFound = error.code === 'ENOENT';
      finish({
        stdout,
        stderr,
        code: null,
        failure: notFound ? 'notFound' : 'error',
        message: error.message,
        pid: child.pid,
      });
    });
    child.on('close', (code) => {
      finish({ stdout, stderr, code: failure ? null : code, failure, pid: child.pid });
    });
  });

/** Everything detection reads from the machine, so tests can replace any of it. */
export interface DetectEnv {
  platform: NodeJS.Platform;
  arch: string;
  exec: Exec;
  /** File contents, or undefined when missing or unreadable. */
  readFile(file: string): Promise<string | undefined>;
  /** Directory entries, or [] when missing. */
  readDir(dir: string): Promise<string[]>;
  totalMem(): number;
  freeMem(): number;
  cpuCores(): number;
  cpuModel(): string;
  now(): number;
}

export function nodeEnv(): DetectEnv {
  return {
    platform: process.platform,
    arch: process.arch,
    exec: runCommand,
    readFile: async (file) => {
      try {
        return await fs.readFile(file, 'utf8');
      } catch {
        return undefined;
      }
    },
    readDir: async (dir) => {
      try {
        return await fs.readdir(dir);
      } catch {
        return [];
      }
    },
    totalMem: () => os.totalmem(),
    freeMem: () => os.freemem(),
    cpuCores: () => os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: () => os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    now: () => Date.now(),
  };
}

const NVIDIA_QUERY = ['--query-gpu=index,name,memory.total,memory.used,memory.free', '--format=csv,noheader,nounits'];

/** Where drivers put nvidia-smi when it is not on PATH (VS Code started from a desktop has a short PATH). */
export function nvidiaSmiCandidates(platform: NodeJS.Platform): string[] {
  if (platform === 'win32') {
    return [
      'nvidia-smi',
      'C:\\Windows\\System32\\nvidia-smi.exe',
      'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe',
    ];
  }
  return ['nvidia-smi', '/usr/bin/nvidia-smi', '/usr/local/nvidia/bin/nvidia-smi', '/usr/lib/wsl/lib/nvidia-smi'];
}

const OPTIONS: ExecOptions = { timeoutMs: COMMAND_TIMEOUT_MS, maxBytes: MAX_OUTPUT_BYTES };

function failureNote(tool: string, result: ExecResult): string {
  switch (result.failure) {
    case 'timeout':
      return `${tool} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s and was stopped.`;
    case 'tooLarge':
      return `${tool} printed more than ${MAX_OUTPUT_BYTES / 1024} KiB and was stopped.`;
    default:
      return `${tool} could not be run${result.message ? `: ${result.message}` : ''}.`;
  }
}

async function detectNvidia(env: DetectEnv, notes: string[]): Promise<Gpu[]> {
  for (const file of nvidiaSmiCandidates(env.platform)) {
    const result = await env.exec(file, NVIDIA_QUERY, OPTIONS);
    if (result.failure === 'notFound') continue;
    if (result.failure) {
      notes.push(failureNote('nvidia-smi', result));
      return [];
    }
    // nvidia-smi prints its failures on stdout with a non-zero exit code: the parser reads them.
    const parsed = parseNvidiaSmi(result.stdout || result.stderr);
    notes.push(...parsed.notes);
    return parsed.gpus;
  }
  return [];
}

async function detectAmd(env: DetectEnv, notes: string[]): Promise<Gpu[]> {
  const result = await env.exec('rocm-smi', ['--showmeminfo', 'vram', '--json'], OPTIONS);
  const rocmNotes: string[] = [];
  if (!result.failure) {
    const parsed = parseRocmSmi(result.stdout);
    if (parsed.gpus.length > 0) return parsed.gpus;
    rocmNotes.push(...parsed.notes);
  } else if (result.failure !== 'notFound') {
    rocmNotes.push(failureNote('rocm-smi', result));
  }
  // The amdgpu driver's sysfs files need no ROCm install; they also rescue a broken rocm-smi.
  const sysfs = await detectAmdSysfs(env);
  if (sysfs.length === 0) notes.push(...rocmNotes);
  return sysfs;
}

const DRM = '/sys/class/drm';

async function detectAmdSysfs(env: DetectEnv): Promise<Gpu[]> {
  const entries = (await env.readDir(DRM)).filter((e) => /^card\d+$/.test(e)).sort();
  const cards: SysfsCard[] = [];
  for (const card of entries) {
    const dir = path.posix.join(DRM, card, 'device');
    cards.push({
      card,
      vendor: await env.readFile(`${dir}/vendor`),
      vramTotal: await env.readFile(`${dir}/mem_info_vram_total`),
      vramUsed: await env.readFile(`${dir}/mem_info_vram_used`),
    });
  }
  return parseSysfsAmd(cards).gpus;
}

const MAC_KEYS = ['hw.memsize', 'hw.optional.arm64', 'machdep.cpu.brand_string', 'iogpu.wired_limit_mb', 'debug.iogpu.wired_limit'];

/** Detects GPUs and memory. Never throws: whatever fails becomes a note. */
export async function detectHardware(env: DetectEnv = nodeEnv()): Promise<HardwareInfo> {
  const notes: string[] = [];
  const system = {
    platform: env.platform,
    arch: env.arch,
    totalRamBytes: env.totalMem(),
    freeRamBytes: env.freeMem(),
    cpuCores: env.cpuCores(),
    cpuModel: env.cpuModel(),
  };
  const info: HardwareInfo = { gpus: [], system, notes, detectedAt: env.now() };
  try {
    if (env.platform === 'darwin') {
      // One call: sysctl prints each known name and complains on stderr about unknown ones.
      const result = await env.exec('/usr/sbin/sysctl', MAC_KEYS, OPTIONS);
      if (result.failure) notes.push(failureNote('sysctl', result));
      const mac = parseMacSysctl(result.stdout);
      notes.push(...mac.notes);
      if (mac.cpuModel) system.cpuModel = mac.cpuModel;
      if (mac.ramBytes) system.totalRamBytes = mac.ramBytes;
      if (mac.apple) {
        info.apple = mac.apple;
        info.gpus.push({
          vendor: 'apple',
          index: 0,
          name: mac.apple.chip,
          totalBytes: mac.apple.gpuUsableBytes,
          source: 'sysctl',
        });
      }
      return info;
    }
    if (env.platform === 'linux' || env.platform === 'win32') {
      info.gpus.push(...(await detectNvidia(env, notes)));
    }
    if (env.platform === 'linux') {
      info.gpus.push(...(await detectAmd(env, notes)));
    }
  } catch (error) {
    notes.push(`Hardware detection failed: ${error instanceof Error ? error.message : String(error)}.`);
  }
  return info;
}
