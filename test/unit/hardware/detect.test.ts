import * as assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GiB, MiB } from '../../../src/hardware/catalog';
import {
  COMMAND_TIMEOUT_MS,
  detectHardware,
  nvidiaSmiCandidates,
  runCommand,
  type DetectEnv,
  type ExecResult,
} from '../../../src/hardware/detect';

const FIXTURES = path.resolve(__dirname, '../../fixtures/hardware');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

type Script = Record<string, ExecResult | (() => Promise<ExecResult>)>;

const notFound: ExecResult = { stdout: '', stderr: '', code: null, failure: 'notFound', message: 'spawn ENOENT' };
const ok = (stdout: string, code = 0, stderr = ''): ExecResult => ({ stdout, stderr, code });

/** A machine made of recorded answers; records each command it was asked to run. */
function fakeEnv(platform: NodeJS.Platform, script: Script, files: Record<string, string> = {}, dirs: Record<string, string[]> = {}) {
  const calls: string[] = [];
  const env: DetectEnv = {
    platform,
    arch: platform === 'darwin' ? 'arm64' : 'x64',
    exec: async (file, args, options) => {
      calls.push(file);
      assert.equal(options.timeoutMs, COMMAND_TIMEOUT_MS);
      assert.ok(options.maxBytes > 0);
      const answer = script[file] ?? (args.length ? script[`${file} ${args.join(' ')}`] : undefined);
      if (!answer) return notFound;
      return typeof answer === 'function' ? answer() : answer;
    },
    readFile: async (file) => files[file],
    readDir: async (dir) => dirs[dir] ?? [],
    totalMem: () => 32 * GiB,
    freeMem: () => 20 * GiB,
    cpuCores: () => 16,
    cpuModel: () => 'Test CPU',
    now: () => 1_700_000_000_000,
  };
  return { env, calls };
}

/** Reads the recorded sysfs tree under test/fixtures/hardware/sysfs as if it were /sys/class/drm. */
async function sysfsEnv(): Promise<{ files: Record<string, string>; dirs: Record<string, string[]> }> {
  const root = path.join(FIXTURES, 'sysfs');
  const files: Record<string, string> = {};
  const entries = await fs.readdir(root);
  for (const card of entries) {
    for (const name of ['vendor', 'mem_info_vram_total', 'mem_info_vram_used']) {
      try {
        files[`/sys/class/drm/${card}/device/${name}`] = await fs.readFile(path.join(root, card, 'device', name), 'utf8');
      } catch {
        // not every card has every file, as on a real machine
      }
    }
  }
  return { files, dirs: { '/sys/class/drm': entries } };
}

/** True once `pid` no longer exists (signal 0 throws ESRCH); waits up to 2 s for the OS to reap it. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      throw error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('hardware/detect', () => {
  it('Linux with nvidia-smi on PATH: one RTX 4090, system facts, no notes', async () => {
    const { env, calls } = fakeEnv('linux', { 'nvidia-smi': ok(fixture('nvidia-smi/single-rtx4090.csv')) });
    const hw = await detectHardware(env);
    assert.equal(hw.gpus.length, 1);
    assert.equal(hw.gpus[0].name, 'NVIDIA GeForce RTX 4090');
    assert.equal(hw.gpus[0].freeBytes, 22630 * MiB);
    assert.deepEqual(hw.system, {
      platform: 'linux',
      arch: 'x64',
      totalRamBytes: 32 * GiB,
      freeRamBytes: 20 * GiB,
      cpuCores: 16,
      cpuModel: 'Test CPU',
    });
    assert.deepEqual(hw.notes, []);
    assert.equal(hw.detectedAt, 1_700_000_000_000);
    assert.deepEqual(calls, ['nvidia-smi', 'rocm-smi']);
  });

  it('finds nvidia-smi in the usual install paths when it is not on PATH (Linux and Windows)', async () => {
    const linux = fakeEnv('linux', { '/usr/local/nvidia/bin/nvidia-smi': ok(fixture('nvidia-smi/single-rtx4090.csv')) });
    const hwLinux = await detectHardware(linux.env);
    assert.equal(hwLinux.gpus.length, 1);
    assert.deepEqual(linux.calls.slice(0, 3), ['nvidia-smi', '/usr/bin/nvidia-smi', '/usr/local/nvidia/bin/nvidia-smi']);

    const win = fakeEnv('win32', {
      'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe': ok(fixture('nvidia-smi/two-rtx3090-windows.csv')),
    });
    const hwWin = await detectHardware(win.env);
    assert.equal(hwWin.gpus.length, 2);
    // Windows runs no rocm-smi and reads no sysfs.
    assert.deepEqual(win.calls, nvidiaSmiCandidates('win32'));
  });

  it('a driver failure (exit 9, text on stdout) becomes a note and the machine counts as CPU only', async () => {
    const { env } = fakeEnv('linux', { 'nvidia-smi': ok(fixture('nvidia-smi/driver-failure.txt'), 9) });
    const hw = await detectHardware(env);
    assert.deepEqual(hw.gpus, []);
    assert.equal(hw.notes.length, 1);
    assert.match(hw.notes[0], /NVIDIA driver/);
  });

  it('a hanging nvidia-smi becomes a note, detection goes on to AMD', async () => {
    const { env } = fakeEnv('linux', {
      'nvidia-smi': { stdout: '', stderr: '', code: null, failure: 'timeout' },
      'rocm-smi': ok(fixture('rocm-smi/rocm-5.7-two-cards.json')),
    });
    const hw = await detectHardware(env);
    assert.equal(hw.gpus.length, 2);
    assert.ok(hw.gpus.every((g) => g.vendor === 'amd'));
    assert.deepEqual(hw.notes, ['nvidia-smi did not answer within 3 s and was stopped.']);
  });

  it('AMD without ROCm: the sysfs fallback, skipping the Intel iGPU and the APU carve-out', async () => {
    const { files, dirs } = await sysfsEnv();
    const { env } = fakeEnv('linux', {}, files, dirs);
    const hw = await detectHardware(env);
    assert.deepEqual(
      hw.gpus.map((g) => [g.vendor, g.index, g.totalBytes, g.freeBytes, g.source]),
      [['amd', 0, 25753026560, 25753026560 - 1073741824, 'sysfs']],
    );
    assert.deepEqual(hw.notes, []);
  });

  it('a broken rocm-smi is rescued by sysfs; its complaint is kept only when sysfs finds nothing', async () => {
    const { files, dirs } = await sysfsEnv();
    const rescued = await detectHardware(fakeEnv('linux', { 'rocm-smi': ok(fixture('rocm-smi/rocm-error.txt'), 1) }, files, dirs).env);
    assert.equal(rescued.gpus.length, 1);
    assert.deepEqual(rescued.notes, []);
    const lost = await detectHardware(fakeEnv('linux', { 'rocm-smi': ok(fixture('rocm-smi/rocm-error.txt'), 1) }).env);
    assert.deepEqual(lost.gpus, []);
    assert.match(lost.notes[0], /rocm-smi printed no JSON/);
  });

  it('macOS on Apple Silicon: one sysctl call, the GPU share of unified memory', async () => {
    const { env, calls } = fakeEnv('darwin', { '/usr/sbin/sysctl': ok(fixture('sysctl/m3-max-128gb-wired-limit.txt')) });
    const hw = await detectHardware(env);
    assert.deepEqual(calls, ['/usr/sbin/sysctl']);
    assert.ok(hw.apple);
    assert.equal(hw.apple.gpuUsableBytes, 120000 * MiB);
    assert.equal(hw.gpus.length, 1);
    assert.equal(hw.gpus[0].vendor, 'apple');
    assert.equal(hw.system.totalRamBytes, 128 * GiB);
    assert.equal(hw.system.cpuModel, 'Apple M3 Max');
  });

  it('Intel Mac: sysctl exits 1 for unknown names but its stdout still counts; CPU only', async () => {
    const { env } = fakeEnv('darwin', {
      '/usr/sbin/sysctl': ok(fixture('sysctl/intel-mac.txt'), 1, fixture('sysctl/intel-mac.stderr.txt')),
    });
    const hw = await detectHardware(env);
    assert.deepEqual(hw.gpus, []);
    assert.equal(hw.apple, undefined);
    assert.equal(hw.system.totalRamBytes, 16 * GiB);
    assert.match(hw.notes.join(' '), /Intel processor/);
  });

  it('never throws, even when the injected exec does', async () => {
    const { env } = fakeEnv('linux', {
      'nvidia-smi': () => Promise.reject(new Error('boom')),
    });
    const hw = await detectHardware(env);
    assert.deepEqual(hw.gpus, []);
    assert.match(hw.notes[0], /Hardware detection failed: boom/);
  });

  describe('runCommand (real processes)', () => {
    it('returns stdout and the exit code', async () => {
      const result = await runCommand(process.execPath, ['-e', 'process.stdout.write("0, GPU, 1, 2, 3\\n"); process.exit(3)'], {
        timeoutMs: COMMAND_TIMEOUT_MS,
        maxBytes: 1024,
      });
      assert.equal(result.stdout, '0, GPU, 1, 2, 3\n');
      assert.equal(result.code, 3);
      assert.equal(result.failure, undefined);
    });

    it('reports a missing tool as notFound', async () => {
      const result = await runCommand('qwen-local-no-such-tool', [], { timeoutMs: COMMAND_TIMEOUT_MS, maxBytes: 1024 });
      assert.equal(result.failure, 'notFound');
      assert.equal(result.code, null);
    });

    it('kills a command that hangs, within about the 3 s timeout', async function () {
      this.timeout(10000);
      const started = Date.now();
      const result = await runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], {
        timeoutMs: COMMAND_TIMEOUT_MS,
        maxBytes: 1024,
      });
      const elapsed = Date.now() - started;
      assert.equal(result.failure, 'timeout');
      assert.ok(elapsed >= COMMAND_TIMEOUT_MS - 100, `returned after ${elapsed} ms, before the timeout`);
      assert.ok(elapsed < COMMAND_TIMEOUT_MS + 2000, `took ${elapsed} ms`);
      assert.ok(result.pid);
      assert.ok(await gone(result.pid as number), 'the hung process is still alive');
    });

    it('kills a command whose output passes the cap', async () => {
      const result = await runCommand(process.execPath, ['-e', 'setInterval(() => process.stdout.write("x".repeat(4096)), 1)'], {
        timeoutMs: COMMAND_TIMEOUT_MS,
        maxBytes: 64 * 1024,
      });
      assert.equal(result.failure, 'tooLarge');
      assert.ok(result.stdout.length <= 64 * 1024);
      assert.ok(await gone(result.pid as number), 'the chatty process is still alive');
    });
  });
});
