import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GiB, MiB } from '../../../src/hardware/catalog';
import {
  appleGpuShare,
  gpuSplit,
  parseMacSysctl,
  parseNvidiaSmi,
  parseRocmSmi,
  parseSysfsAmd,
  parseSysctl,
} from '../../../src/hardware/parse';

const FIXTURES = path.resolve(__dirname, '../../fixtures/hardware');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'latin1');

describe('hardware/parse', () => {
  describe('parseNvidiaSmi', () => {
    it('reads a single GPU', () => {
      const { gpus, notes } = parseNvidiaSmi(fixture('nvidia-smi/single-rtx4090.csv'));
      assert.deepEqual(notes, []);
      assert.equal(gpus.length, 1);
      assert.deepEqual(gpus[0], {
        vendor: 'nvidia',
        index: 0,
        name: 'NVIDIA GeForce RTX 4090',
        totalBytes: 24564 * MiB,
        usedBytes: 1541 * MiB,
        freeBytes: 22630 * MiB,
        source: 'nvidia-smi',
      });
    });

    it('reads two GPUs with Windows line ends', () => {
      const { gpus, notes } = parseNvidiaSmi(fixture('nvidia-smi/two-rtx3090-windows.csv'));
      assert.deepEqual(notes, []);
      assert.deepEqual(
        gpus.map((g) => [g.index, g.name, g.freeBytes]),
        [
          [0, 'NVIDIA GeForce RTX 3090', 23099 * MiB],
          [1, 'NVIDIA GeForce RTX 3090', 24222 * MiB],
        ],
      );
    });

    it('keeps a MIG GPU whose free memory is [N/A], with a note, and uses its total', () => {
      const { gpus, notes } = parseNvidiaSmi(fixture('nvidia-smi/mig-a100.csv'));
      assert.equal(gpus.length, 2);
      assert.equal(gpus[0].totalBytes, 81920 * MiB);
      assert.equal(gpus[0].freeBytes, undefined);
      assert.equal(gpus[0].usedBytes, undefined);
      assert.equal(gpus[1].freeBytes, 81037 * MiB);
      assert.equal(notes.length, 1);
      assert.match(notes[0], /MIG/);
    });

    it('explains a driver that cannot be reached, with no GPU', () => {
      const { gpus, notes } = parseNvidiaSmi(fixture('nvidia-smi/driver-failure.txt'));
      assert.deepEqual(gpus, []);
      assert.match(notes[0], /driver/);
      assert.match(notes[0], /CPU/);
    });

    it('says so when no device is found', () => {
      const { gpus, notes } = parseNvidiaSmi(fixture('nvidia-smi/no-devices.txt'));
      assert.deepEqual(gpus, []);
      assert.deepEqual(notes, ['nvidia-smi found no NVIDIA GPU.']);
    });

    it('survives garbled output: reads what it can and notes the rest', () => {
      const { gpus, notes } = parseNvidiaSmi(fixture('nvidia-smi/garbled.txt'));
      assert.equal(gpus.length, 1);
      assert.equal(gpus[0].name, 'NVIDIA GeForce RTX 3060');
      // The free column is corrupt: free is derived from total - used.
      assert.equal(gpus[0].freeBytes, (12288 - 310) * MiB);
      assert.equal(notes.length, 1);
      assert.match(notes[0], /Unable to determine/);
    });

    it('ignores a GPU under 1 GiB and keeps the real one', () => {
      const { gpus } = parseNvidiaSmi(fixture('nvidia-smi/small-and-a4000.csv'));
      assert.deepEqual(
        gpus.map((g) => g.name),
        ['NVIDIA RTX A4000'],
      );
    });

    it('handles empty output and a header line, and names with commas', () => {
      assert.deepEqual(parseNvidiaSmi(''), { gpus: [], notes: [] });
      const { gpus } = parseNvidiaSmi('index, name, memory.total [MiB], memory.used [MiB], memory.free [MiB]\n0, Quadro, Special, 8192, 100, 8092\n');
      assert.equal(gpus.length, 1);
      assert.equal(gpus[0].name, 'Quadro, Special');
      assert.equal(gpus[0].freeBytes, 8092 * MiB);
    });
  });

  describe('parseRocmSmi', () => {
    it('reads two cards from a ROCm 5.x JSON', () => {
      const { gpus, notes } = parseRocmSmi(fixture('rocm-smi/rocm-5.7-two-cards.json'));
      assert.deepEqual(notes, []);
      assert.deepEqual(
        gpus.map((g) => [g.index, g.name, g.totalBytes, g.freeBytes]),
        [
          [0, 'AMD GPU 0', 25753026560, 25753026560 - 1294336000],
          [1, 'AMD GPU 1', 17163091968, 17163091968 - 10223616],
        ],
      );
    });

    it('skips a warning before the JSON, the APU carve-out and the system entry (ROCm 6.x)', () => {
      const { gpus, notes } = parseRocmSmi(fixture('rocm-smi/rocm-6.2-apu-with-warning.json'));
      assert.deepEqual(notes, []);
      assert.equal(gpus.length, 1);
      assert.equal(gpus[0].name, 'AMD Radeon RX 7800 XT');
      assert.equal(gpus[0].freeBytes, 17163091968 - 1589837824);
    });

    it('notes an error run and broken JSON, never throws', () => {
      const err = parseRocmSmi(fixture('rocm-smi/rocm-error.txt'));
      assert.deepEqual(err.gpus, []);
      assert.match(err.notes[0], /no JSON.*Driver not initialized/);
      const broken = parseRocmSmi('{"card0": {"VRAM Total Memory (B)": ');
      assert.deepEqual(broken.gpus, []);
      assert.equal(broken.notes.length, 1);
      const wrong = parseRocmSmi('{"card0": {"VRAM Total Memory (B)": "lots"}}');
      assert.deepEqual(wrong.gpus, []);
      assert.match(wrong.notes[0], /did not report the VRAM of card0/);
    });
  });

  describe('parseSysfsAmd', () => {
    it('reads AMD cards, skips other vendors, connectors and small carve-outs', () => {
      const { gpus } = parseSysfsAmd([
        { card: 'card0', vendor: '0x1002\n', vramTotal: '25753026560\n', vramUsed: '1073741824\n' },
        { card: 'card0-DP-1' },
        { card: 'card1', vendor: '0x8086\n', vramTotal: '34359738368' },
        { card: 'card2', vendor: '0x1002', vramTotal: '536870912', vramUsed: '0' },
        { card: 'card3', vendor: '0x1002', vramTotal: 'garbage' },
      ]);
      assert.deepEqual(
        gpus.map((g) => [g.index, g.totalBytes, g.freeBytes, g.source]),
        [[0, 25753026560, 25753026560 - 1073741824, 'sysfs']],
      );
    });
  });

  describe('sysctl on macOS', () => {
    it('parses name: value lines', () => {
      const values = parseSysctl('hw.memsize: 8589934592\r\nmachdep.cpu.brand_string: Apple M1\n');
      assert.equal(values.get('hw.memsize'), '8589934592');
      assert.equal(values.get('machdep.cpu.brand_string'), 'Apple M1');
    });

    it('M1 8 GB: two thirds of RAM for the GPU', () => {
      const mac = parseMacSysctl(fixture('sysctl/m1-8gb.txt'));
      assert.ok(mac.apple);
      assert.equal(mac.apple.chip, 'Apple M1');
      assert.equal(mac.apple.ramBytes, 8 * GiB);
      assert.equal(mac.apple.wiredLimitBytes, undefined);
      assert.equal(mac.apple.gpuUsableBytes, Math.round(8 * GiB * 0.67));
    });

    it('M3 Max 128 GB with iogpu.wired_limit_mb set: the limit wins', () => {
      const mac = parseMacSysctl(fixture('sysctl/m3-max-128gb-wired-limit.txt'));
      assert.ok(mac.apple);
      assert.equal(mac.apple.chip, 'Apple M3 Max');
      assert.equal(mac.apple.wiredLimitBytes, 120000 * MiB);
      assert.equal(mac.apple.gpuUsableBytes, 120000 * MiB);
    });

    it('M2 Pro 32 GB on macOS 13 (older debug.iogpu.wired_limit key, 0): two thirds, as under 36 GB', () => {
      const mac = parseMacSysctl(fixture('sysctl/m2-pro-32gb-macos13.txt'));
      assert.ok(mac.apple);
      assert.equal(mac.apple.gpuUsableBytes, Math.round(32 * GiB * 0.67));
    });

    it('Intel Mac: no Apple GPU, a note, RAM still read', () => {
      const mac = parseMacSysctl(fixture('sysctl/intel-mac.txt'));
      assert.equal(mac.apple, undefined);
      assert.equal(mac.ramBytes, 16 * GiB);
      assert.match(mac.cpuModel ?? '', /Intel/);
      assert.match(mac.notes[0], /Intel processor/);
    });

    it('missing hw.memsize gives a note, not a throw', () => {
      const mac = parseMacSysctl('garbage\n');
      assert.equal(mac.apple, undefined);
      assert.match(mac.notes[0], /hw\.memsize/);
    });

    it('appleGpuShare: 0.67 up to 36 GB, 0.75 above, the wired limit when set', () => {
      assert.equal(appleGpuShare(36 * GiB), Math.round(36 * GiB * 0.67));
      assert.equal(appleGpuShare(64 * GiB), 48 * GiB);
      assert.equal(appleGpuShare(64 * GiB, 60 * GiB), 60 * GiB);
      assert.equal(appleGpuShare(64 * GiB, 0), 48 * GiB);
      // A limit above RAM cannot be used.
      assert.equal(appleGpuShare(16 * GiB, 32 * GiB), 16 * GiB);
    });
  });

  describe('gpuSplit (from /api/ps)', () => {
    it('says fully on GPU, N % on CPU, or on CPU only', () => {
      assert.deepEqual(gpuSplit({ sizeBytes: 6e9, sizeVramBytes: 6e9 }), { gpuFraction: 1, label: 'fully on GPU' });
      assert.equal(gpuSplit({ sizeBytes: 10e9, sizeVramBytes: 7.5e9 }).label, '25 % on CPU');
      assert.equal(gpuSplit({ sizeBytes: 10e9, sizeVramBytes: 9.99e9 }).label, 'fully on GPU');
      assert.equal(gpuSplit({ sizeBytes: 10e9, sizeVramBytes: 9.9e9 }).label, '1 % on CPU');
      assert.equal(gpuSplit({ sizeBytes: 10e9, sizeVramBytes: 0 }).label, 'on CPU only');
      assert.deepEqual(gpuSplit({ sizeBytes: 0, sizeVramBytes: 0 }), { label: 'size unknown' });
    });
  });
});
