import * as assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/hardware/catalog';
import { chooseModels, fallbackChoice } from '../../../src/hardware/choose';
import type { HardwareInfo } from '../../../src/hardware/types';
import { buildHardwareReport, type ReportInput } from '../../../src/models/report';
import { resolveModels } from '../../../src/models/resolve';
import { installed } from '../support/fakeBackend';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const hw: HardwareInfo = {
  gpus: [
    { vendor: 'nvidia', index: 0, name: 'NVIDIA GeForce RTX 4090', totalBytes: 24564 * MiB, usedBytes: 1934 * MiB, freeBytes: 22630 * MiB, source: 'nvidia-smi' },
  ],
  system: { platform: 'linux', arch: 'x64', totalRamBytes: 64 * GiB, freeRamBytes: 40 * GiB, cpuCores: 16, cpuModel: 'AMD Ryzen 9 7950X' },
  notes: ['rocm-smi did not answer within 3 s and was stopped.'],
  detectedAt: NOW - 60_000,
};
const settings = { completion: { model: 'auto' }, chat: { model: 'auto' } };

function input(over: Partial<ReportInput> = {}): ReportInput {
  const choice = chooseModels(hw, { allowLargeModels: false });
  return {
    hardware: hw,
    choice,
    resolved: resolveModels(settings, choice, ['qwen2.5-coder:7b-base', 'qwen2.5-coder:14b']),
    allowLargeModels: false,
    host: 'http://127.0.0.1:11434',
    version: '0.6.5',
    installed: [installed('qwen2.5-coder:7b-base', 4.7e9), { ...installed('qwen2.5-coder:14b', 9.0e9), parameterSize: '14.8B', quantization: 'Q4_K_M' }],
    loaded: [
      { name: 'qwen2.5-coder:7b-base', sizeBytes: 6 * GiB, sizeVramBytes: 6 * GiB, expiresAt: new Date(NOW + 29 * 60_000).toISOString(), contextLength: 8192 },
      { name: 'qwen2.5-coder:14b', sizeBytes: 12 * GiB, sizeVramBytes: 9 * GiB, expiresAt: '2318-01-01T00:00:00Z' },
    ],
    now: NOW,
    ...over,
  };
}

describe('models/report', () => {
  it('reads as a report: machine, choice and why, installed and loaded models with their GPU/CPU split', () => {
    const text = buildHardwareReport(input());
    const expectLines = [
      '# Qwen Local: hardware and models',
      '- System: linux x64, AMD Ryzen 9 7950X, 16 cores',
      '- RAM: 64.0 GB (40.0 GB free at detection)',
      '- GPU 0: NVIDIA GeForce RTX 4090, 24.0 GB, 22.1 GB free (nvidia-smi)',
      '- rocm-smi did not answer within 3 s and was stopped.',
      '**NVIDIA GeForce RTX 4090, 22.1 GB free → completion qwen2.5-coder:7b-base (needs 5.8 GB), chat qwen2.5-coder:14b (needs 12.4 GB).**',
      '| Completion | `qwen2.5-coder:7b-base` | auto (recommended for this machine) | 5.8 GB | 8,192 tokens |',
      '| Chat | `qwen2.5-coder:14b` | auto (recommended for this machine) | 12.4 GB | 16,384 tokens |',
      '## Ollama at http://127.0.0.1:11434',
      'Version `0.6.5`.',
      '| `qwen2.5-coder:14b` | 9.0 GB | `14.8B` | `Q4_K_M` |',
      '| `qwen2.5-coder:7b-base` | 6.0 GB | fully on GPU | 8,192 tokens | in 29 min |',
      '| `qwen2.5-coder:14b` | 12.0 GB | 25 % on CPU | — | never (kept loaded) |',
    ];
    const lines = text.split('\n');
    for (const line of expectLines) assert.ok(lines.includes(line), `missing line: ${line}\n---\n${text}`);
    assert.match(text, /Part of `qwen2\.5-coder:14b` runs on the CPU/);
  });

  it('says when Ollama is not reachable, and when detection still runs', () => {
    const text = buildHardwareReport(
      input({ hardware: undefined, choice: fallbackChoice(16 * GiB), version: undefined, installed: undefined, loaded: undefined, ollamaError: 'connect ECONNREFUSED' }),
    );
    assert.match(text, /Detection is still running/);
    assert.match(text, /Not reachable: connect ECONNREFUSED\./);
    assert.doesNotMatch(text, /### Installed models/);
  });

  it('names the source of an explicit or stand-in model, and an Apple wired limit', () => {
    const choice = chooseModels(hw, { allowLargeModels: false });
    const resolved = resolveModels({ completion: { model: 'auto' }, chat: { model: 'my|model' } }, choice, ['qwen2.5-coder:3b-base']);
    const apple: HardwareInfo = {
      ...hw,
      gpus: [],
      apple: { chip: 'Apple M3 Max', ramBytes: 128 * GiB, wiredLimitBytes: 120000 * MiB, gpuUsableBytes: 120000 * MiB },
      notes: [],
    };
    const text = buildHardwareReport(input({ hardware: apple, resolved, installed: [installed('qwen2.5-coder:3b-base')], loaded: [] }));
    assert.match(text, /\| Completion \| `qwen2\.5-coder:3b-base` \| auto: `qwen2\.5-coder:7b-base` is not installed, so this installed model stands in \|/);
    assert.match(text, /\| Chat \| `my\\\|model` \(not installed: run "Qwen Local: Pull Model"\) \| your setting \(recommended: `qwen2\.5-coder:14b`\) \| — \|/);
    assert.match(text, /Apple M3 Max, unified memory: 117 GB usable by the GPU \(iogpu\.wired_limit_mb is set to 120000 MB\)/);
    assert.match(text, /No model is loaded\./);
    assert.match(buildHardwareReport(input({ installed: [], loaded: [] })), /None yet\. Run "Qwen Local: Pull Model"\./);
  });

  it('embeds no server-supplied field as markdown (security review finding 11)', () => {
    const tracker = '![](https://tracker.example/v.png)';
    const text = buildHardwareReport(
      input({
        version: `0.6.5 ${tracker}`,
        installed: [{ ...installed(`evil\`:7b ${tracker}`, 1e9), parameterSize: `<img src=https://tracker.example/p.png>`, quantization: `[x](https://tracker.example/q) | col` }],
        loaded: [{ name: `x\n## injected ${tracker}`, sizeBytes: GiB, sizeVramBytes: GiB, contextLength: '![](https://tracker.example/c.png)' as unknown as number }],
      }),
    );
    // Rendered as markdown, none of these may become an image, a link, raw HTML, a heading or a new table cell.
    const outsideCode = text.replace(/`[^`\n]*`/g, '');
    assert.doesNotMatch(outsideCode, /(?<!\\)!\[\]\(/, 'an unescaped image outside a code span');
    assert.doesNotMatch(outsideCode, /(?<!\\)<img/, 'raw HTML outside a code span');
    assert.match(text, /Version `0\.6\.5 !\[\]\(https:\/\/tracker\.example\/v\.png\)`\./, 'the version is a code span');
    assert.match(text, /`<img src=https:\/\/tracker\.example\/p\.png>`/);
    assert.match(text, /`\[x\]\(https:\/\/tracker\.example\/q\) \\\| col`/);
    assert.doesNotMatch(text, /^## injected/m);
    assert.ok(!text.includes('c.png'), 'a non-number context length is not printed');
    for (const line of text.split('\n').filter((l) => l.startsWith('| `'))) {
      const cells = line.split(/(?<!\\)\|/).length - 2;
      assert.ok(cells === 4 || cells === 5, `a row with ${cells} cells: ${line}`);
    }
  });

  it('explains every number: the budget, detection time, and a GPU that is the server\'s (new-user item 5)', () => {
    const cpuOnly: HardwareInfo = { ...hw, gpus: [], system: { ...hw.system, totalRamBytes: 23.5 * GiB } };
    const choice = chooseModels(cpuOnly, { allowLargeModels: false });
    const text = buildHardwareReport(
      input({
        hardware: cpuOnly,
        choice,
        host: 'http://gpu-box.lan:11434',
        loaded: [{ name: 'qwen2.5-coder:7b-base', sizeBytes: 6 * GiB, sizeVramBytes: 6 * GiB }],
      }),
    );
    assert.match(text, /Memory budget 15\.0 GB: 85 % of 17\.6 GB \(75 % of the 23\.5 GB RAM, as the models run on the CPU\); the rest is headroom/);
    assert.equal(text.match(/Models may use/g), null, 'the budget is said once');
    assert.match(text, /_Detected 1 min ago\./);
    assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT/, 'no raw ISO timestamp');
    assert.match(text, /Ollama runs at http:\/\/gpu-box\.lan:11434, which may be another machine/);
    assert.match(text, /Ollama reports GPU memory in use although this machine shows no GPU/);
  });
});
