import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GiB, MiB, memoryNeed, modelsFor } from '../../../src/hardware/catalog';
import { BUDGET_SHARE, chooseModels, fallbackChoice, usableMemory, type Choice } from '../../../src/hardware/choose';
import { appleGpuShare, parseNvidiaSmi, parseRocmSmi } from '../../../src/hardware/parse';
import type { Gpu, HardwareInfo } from '../../../src/hardware/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/hardware');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const system = (ramGiB: number) => ({
  platform: 'linux',
  arch: 'x64',
  totalRamBytes: ramGiB * GiB,
  freeRamBytes: ramGiB * GiB,
  cpuCores: 8,
  cpuModel: 'Test CPU',
});

function machine(gpus: Gpu[], ramGiB = 32): HardwareInfo {
  return { gpus, system: system(ramGiB), notes: [], detectedAt: 1 };
}

/** An NVIDIA card as nvidia-smi reports it: total and used in MiB (driver reserve left out). */
function nvidia(name: string, totalMiB: number, usedMiB: number, index = 0): Gpu {
  return {
    vendor: 'nvidia',
    index,
    name,
    totalBytes: totalMiB * MiB,
    usedBytes: usedMiB * MiB,
    freeBytes: (totalMiB - usedMiB) * MiB,
    source: 'nvidia-smi',
  };
}

function apple(ramGiB: number, wiredLimitMiB?: number): HardwareInfo {
  const wiredLimitBytes = wiredLimitMiB === undefined ? undefined : wiredLimitMiB * MiB;
  const gpuUsableBytes = appleGpuShare(ramGiB * GiB, wiredLimitBytes);
  return {
    gpus: [{ vendor: 'apple', index: 0, name: 'Apple M', totalBytes: gpuUsableBytes, source: 'sysctl' }],
    apple: { chip: 'Apple M', ramBytes: ramGiB * GiB, wiredLimitBytes, gpuUsableBytes },
    system: system(ramGiB),
    notes: [],
    detectedAt: 1,
  };
}

const cpu = (ramGiB: number) => machine([], ramGiB);

const base = (size: string) => `qwen2.5-coder:${size}-base`;
const inst = (size: string) => `qwen2.5-coder:${size}`;
const QWEN3 = 'qwen3-coder:30b';

/**
 * Needs (GiB) behind the expectations, completion at 8,192 tokens, chat (and shared) at 16,384:
 *   base  0.5b 1.46 · 1.5b 2.14 · 3b 3.05 · 7b 5.81 · 14b 10.88 · 32b 21.63
 *   chat  0.5b 1.56 · 1.5b 2.36 · 3b 3.33 · 7b 6.25 · 14b 12.38 · 32b 23.63 · qwen3-coder:30b 20.19
 * Budget = 85 % of usable memory (free VRAM; Apple 0.67/0.75 of RAM or the wired limit; CPU 0.75 of RAM).
 */
const GRID: { name: string; hw: HardwareInfo; large?: boolean; completion: string; chat: string; shared?: boolean; device?: 'cpu' }[] = [
  // CPU only: completion ≤ 1.5b, chat ≤ 3b.
  // 4 GiB → budget 2.55: no pair fits (0.5b-base + 0.5b = 3.02); 1.5b (2.36) serves both.
  { name: 'CPU 4 GB', hw: cpu(4), completion: inst('1.5b'), chat: inst('1.5b'), shared: true, device: 'cpu' },
  // 8 GiB → 5.10: 1.5b-base 2.14 + 3b 3.33 = 5.47 ✗; + 1.5b 2.36 = 4.50 ✓.
  { name: 'CPU 8 GB', hw: cpu(8), completion: base('1.5b'), chat: inst('1.5b'), device: 'cpu' },
  // 16 GiB → 10.2: 1.5b-base + 3b = 5.47 ✓ (chat capped at 3b on the CPU).
  { name: 'CPU 16 GB', hw: cpu(16), completion: base('1.5b'), chat: inst('3b'), device: 'cpu' },
  { name: 'CPU 32 GB', hw: cpu(32), completion: base('1.5b'), chat: inst('3b'), device: 'cpu' },
  // NVIDIA 2 GB (1.8 free → 1.55): nothing fits on the GPU → CPU plan for 32 GB RAM.
  { name: 'NVIDIA 2 GB', hw: machine([nvidia('NVIDIA GeForce GT 1030', 2048, 200)]), completion: base('1.5b'), chat: inst('3b'), device: 'cpu' },
  // 4 GB (3.7 free → 3.15): pair 0.5b+0.5b = 3.02 ✓ but 1.5b (2.36) alone is better → shared.
  { name: 'NVIDIA 4 GB', hw: machine([nvidia('NVIDIA GeForce GTX 1650', 4096, 300)]), completion: inst('1.5b'), chat: inst('1.5b'), shared: true },
  // 6 GB (5.66 → 4.81): pair 1.5b+1.5b = 4.50 ✓; 3b (3.33) alone beats it → shared.
  { name: 'NVIDIA 6 GB', hw: machine([nvidia('NVIDIA GeForce RTX 2060', 6144, 350)]), completion: inst('3b'), chat: inst('3b'), shared: true },
  // 8 GB (7.6 → 6.47): pair 3b+3b = 6.38 ✓; 7b (6.25) alone beats it → shared.
  { name: 'NVIDIA 8 GB', hw: machine([nvidia('NVIDIA GeForce RTX 3070', 8192, 400)]), completion: inst('7b'), chat: inst('7b'), shared: true },
  // 12 GB (11.5 → 9.78): 7b-base + 7b = 12.06 ✗; 3b-base + 7b = 9.30 ✓; 7b alone beats 3b-base, equals the chat → shared.
  { name: 'NVIDIA 12 GB', hw: machine([nvidia('NVIDIA GeForce RTX 3060', 12288, 500)]), completion: inst('7b'), chat: inst('7b'), shared: true },
  // 16 GB (15.4 → 13.1): 7b-base + 7b = 12.06 ✓; 7b-base + 14b = 18.19 ✗.
  { name: 'NVIDIA 16 GB', hw: machine([nvidia('NVIDIA GeForce RTX 4080', 16376, 600)]), completion: base('7b'), chat: inst('7b') },
  // 24 GB (22.1 → 18.8): 7b-base + 14b = 18.19 ✓; + qwen3-coder 26.0 ✗.
  { name: 'NVIDIA 24 GB', hw: machine([nvidia('NVIDIA GeForce RTX 4090', 24564, 1934)]), completion: base('7b'), chat: inst('14b') },
  // 48 GB (47.4 → 40.3): 7b-base + qwen3-coder = 26.0 ✓ (it ranks above 32b).
  { name: 'NVIDIA 48 GB', hw: machine([nvidia('NVIDIA RTX A6000', 49140, 600)]), completion: base('7b'), chat: QWEN3 },
  { name: 'NVIDIA 80 GB', hw: machine([nvidia('NVIDIA A100 80GB PCIe', 81920, 400)]), completion: base('7b'), chat: QWEN3 },
  // allowLargeModels on 80 GB (79.5 → 67.6): 32b-base 21.63 + qwen3-coder 20.19 = 41.8 ✓.
  { name: 'NVIDIA 80 GB, large allowed', hw: machine([nvidia('NVIDIA A100 80GB PCIe', 81920, 400)]), large: true, completion: base('32b'), chat: QWEN3 },
  // allowLargeModels on 24 GB: 14b-base + 14b = 23.26 ✗; 14b (12.38) alone beats 7b-base + 14b → shared.
  { name: 'NVIDIA 24 GB, large allowed', hw: machine([nvidia('NVIDIA GeForce RTX 4090', 24564, 1934)]), large: true, completion: inst('14b'), chat: inst('14b'), shared: true },
  // Apple: 8 GB → 5.36 usable → 4.56: pair 1.5b+1.5b 4.50 ✓; 3b (3.33) alone beats it.
  { name: 'Apple 8 GB', hw: apple(8), completion: inst('3b'), chat: inst('3b'), shared: true },
  // 16 GB → 10.7 → 9.11: 7b-base + 7b ✗; 7b alone ✓ → shared.
  { name: 'Apple 16 GB', hw: apple(16), completion: inst('7b'), chat: inst('7b'), shared: true },
  // 24 GB → 16.1 → 13.7: 7b-base + 7b = 12.06 ✓.
  { name: 'Apple 24 GB', hw: apple(24), completion: base('7b'), chat: inst('7b') },
  // 36 GB → 24.1 → 20.5: 7b-base + 14b = 18.19 ✓.
  { name: 'Apple 36 GB', hw: apple(36), completion: base('7b'), chat: inst('14b') },
  // 64 GB → 48 (0.75 above 36 GB) → 40.8: 7b-base + qwen3-coder ✓.
  { name: 'Apple 64 GB', hw: apple(64), completion: base('7b'), chat: QWEN3 },
  { name: 'Apple 128 GB', hw: apple(128), completion: base('7b'), chat: QWEN3 },
  { name: 'Apple 128 GB, wired limit 120000 MB', hw: apple(128, 120000), completion: base('7b'), chat: QWEN3 },
  // AMD from recorded rocm-smi: RX 7800 XT 16 GB, 14.5 GiB free → 12.3: 7b-base + 7b ✓.
  {
    name: 'AMD 16 GB',
    hw: machine(parseRocmSmi(fixture('rocm-smi/rocm-6.2-apu-with-warning.json')).gpus),
    completion: base('7b'),
    chat: inst('7b'),
  },
  // 7900 XTX 24 GB, 22.8 GiB free → 19.4: 7b-base + 14b ✓.
  {
    name: 'AMD 24 GB',
    hw: machine(parseRocmSmi(fixture('rocm-smi/rocm-5.7-two-cards.json')).gpus.slice(0, 1)),
    completion: base('7b'),
    chat: inst('14b'),
  },
  // Two RTX 3090 (46.2 GiB free in total → 39.3): 7b-base + qwen3-coder ✓.
  {
    name: 'Two NVIDIA 24 GB',
    hw: machine(parseNvidiaSmi(fixture('nvidia-smi/two-rtx3090-windows.csv')).gpus),
    completion: base('7b'),
    chat: QWEN3,
  },
  // Two 8 GB cards (15.2 → 12.9): 7b-base + 7b ✓.
  {
    name: 'Two NVIDIA 8 GB',
    hw: machine([nvidia('NVIDIA GeForce RTX 3070', 8192, 400, 0), nvidia('NVIDIA GeForce RTX 3070', 8192, 400, 1)]),
    completion: base('7b'),
    chat: inst('7b'),
  },
];

function totalNeed(c: Choice): number {
  return c.shared ? c.chat.needBytes : c.completion.needBytes + c.chat.needBytes;
}

describe('hardware/choose', () => {
  describe('the grid of machines', () => {
    for (const row of GRID) {
      it(`${row.name} → ${row.shared ? `${row.chat} for both` : `${row.completion} + ${row.chat}`}`, () => {
        const c = chooseModels(row.hw, { allowLargeModels: row.large ?? false });
        assert.equal(c.completion.tag, row.completion);
        assert.equal(c.chat.tag, row.chat);
        assert.equal(c.shared, row.shared ?? false);
        assert.equal(c.device, row.device ?? 'gpu');
        assert.ok(c.fits);
        // Whatever is picked stays loaded together within the budget.
        assert.ok(totalNeed(c) <= c.budgetBytes, `${totalNeed(c) / GiB} GiB > ${c.budgetBytes / GiB} GiB`);
        assert.equal(c.budgetBytes, c.usableBytes * BUDGET_SHARE);
        // Completion stays at 7b or below unless large models are allowed.
        if (!row.large) assert.ok(c.completion.model.paramsB <= 7);
        if (c.device === 'cpu') {
          assert.ok(c.completion.model.paramsB <= 1.5 && c.chat.model.paramsB <= 3);
          assert.match(c.reasons.join(' '), /CPU.*a few words a second/);
        }
        if (c.shared) {
          assert.match(c.reasons.join(' '), /slightly worse/);
          // One model, one num_ctx: Ollama would reload it if the roles asked for different windows.
          assert.equal(c.completion.numCtx, c.chat.numCtx);
        }
      });
    }
  });

  it('explains the choice in one line a person understands', () => {
    const c = chooseModels(machine([nvidia('NVIDIA GeForce RTX 4090', 24564, 1934)]), { allowLargeModels: false });
    assert.equal(
      c.summary,
      'NVIDIA GeForce RTX 4090, 22.1 GB free → completion qwen2.5-coder:7b-base (needs 5.8 GB), chat qwen2.5-coder:14b (needs 12.4 GB)',
    );
    assert.equal(c.completion.numCtx, 8192);
    assert.equal(c.chat.numCtx, 16384);
  });

  it('says when a larger completion model would fit if allowed', () => {
    const c = chooseModels(machine([nvidia('NVIDIA A100 80GB PCIe', 81920, 400)]), { allowLargeModels: false });
    assert.ok(c.reasons.some((r) => r.includes('qwen2.5-coder:32b-base would also fit') && r.includes('allowLargeModels')));
    const small = chooseModels(machine([nvidia('NVIDIA GeForce RTX 3060', 12288, 500)]), { allowLargeModels: false });
    assert.ok(!small.reasons.some((r) => r.includes('allowLargeModels')));
  });

  it('counts memory held by models Ollama has loaded as free (Ollama evicts them for ours)', () => {
    // 16 GB card with our 7b chat already loaded: 9.0 GiB free alone, 15.4 with the 6.4 GiB it holds.
    const hw = machine([nvidia('NVIDIA GeForce RTX 4080', 16376, 7150)]);
    const without = chooseModels(hw, { allowLargeModels: false });
    const withHeld = chooseModels(hw, { allowLargeModels: false, reclaimableBytes: 6.4 * GiB });
    assert.equal(without.chat.tag, inst('7b'));
    assert.ok(without.shared);
    assert.equal(withHeld.completion.tag, base('7b'));
    assert.equal(withHeld.chat.tag, inst('7b'));
    assert.match(withHeld.memoryLabel, /counting 6\.4 GB held by models Ollama has loaded/);
    // Never more than the cards have.
    assert.equal(usableMemory(hw, 100 * GiB).bytes, 16376 * MiB);
  });

  it('uses the total of a MIG GPU whose free memory is not reported, and says "usable"', () => {
    const hw = machine(parseNvidiaSmi(fixture('nvidia-smi/mig-a100.csv')).gpus.slice(0, 1));
    const u = usableMemory(hw);
    assert.equal(u.bytes, 81920 * MiB);
    assert.equal(u.label, 'NVIDIA A100-SXM4-80GB, 80.0 GB usable');
  });

  it('names several GPUs in the label', () => {
    assert.match(usableMemory(machine(parseNvidiaSmi(fixture('nvidia-smi/two-rtx3090-windows.csv')).gpus)).label, /^2 × NVIDIA GeForce RTX 3090, 46\.2 GB free in total$/);
    const mixed = machine([nvidia('NVIDIA RTX A4000', 16376, 300, 0), nvidia('NVIDIA GeForce RTX 3060', 12288, 300, 1)]);
    assert.match(usableMemory(mixed).label, /^NVIDIA RTX A4000 \+ NVIDIA GeForce RTX 3060, /);
  });

  it('falls back to the CPU when the GPU is too small, and says so', () => {
    const c = chooseModels(machine([nvidia('NVIDIA GeForce GT 1030', 2048, 200)], 16), { allowLargeModels: false });
    assert.equal(c.device, 'cpu');
    assert.match(c.memoryLabel, /^NVIDIA GeForce GT 1030 too small; 16\.0 GB RAM, 8 CPU cores$/);
    assert.match(c.reasons[0], /too little even for the smallest models/);
  });

  it('picks the smallest models with a warning when nothing fits', () => {
    const c = chooseModels(cpu(1), { allowLargeModels: false });
    assert.equal(c.fits, false);
    assert.equal(c.completion.tag, base('0.5b'));
    assert.equal(c.chat.tag, inst('0.5b'));
    assert.match(c.reasons.join(' '), /Even the smallest models need more/);
  });

  it('the default before detection is the CPU-only choice for this RAM', () => {
    const c = fallbackChoice(16 * GiB, 8);
    assert.equal(c.device, 'cpu');
    assert.equal(c.completion.tag, base('1.5b'));
    assert.equal(c.chat.tag, inst('3b'));
  });

  it('the pair is the largest completion model that leaves room for a chat model at least as good', () => {
    // Property over a sweep of GPU sizes: no bigger base model (≤ 7b) could have been paired.
    for (let gib = 3; gib <= 96; gib += 1) {
      const c = chooseModels(machine([nvidia('GPU', gib * 1024, 0)]), { allowLargeModels: false });
      if (c.shared || c.device === 'cpu') continue;
      for (const bigger of modelsFor('completion').filter((m) => m.paramsB <= 7 && m.rank > c.completion.model.rank)) {
        const rest = c.budgetBytes - memoryNeed(bigger, 8192);
        const chatFits = modelsFor('chat').some((h) => h.rank >= bigger.rank && memoryNeed(h, 16384) <= rest);
        assert.ok(!chatFits, `${gib} GiB: ${bigger.tag} could have been paired`);
      }
    }
  });
});
