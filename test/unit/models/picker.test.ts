import * as assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/hardware/catalog';
import { chooseModels } from '../../../src/hardware/choose';
import type { HardwareInfo } from '../../../src/hardware/types';
import { buildModelPicks, type PickEntry } from '../../../src/models/picker';
import { installed } from '../support/fakeBackend';

const rtx3060: HardwareInfo = {
  gpus: [{ vendor: 'nvidia', index: 0, name: 'NVIDIA GeForce RTX 3060', totalBytes: 12288 * MiB, freeBytes: 11788 * MiB, source: 'nvidia-smi' }],
  system: { platform: 'linux', arch: 'x64', totalRamBytes: 32 * GiB, freeRamBytes: 16 * GiB, cpuCores: 8, cpuModel: 'x' },
  notes: [],
  detectedAt: 1,
};
const choice = chooseModels(rtx3060, { allowLargeModels: false }); // 7b for both

type ModelEntry = Extract<PickEntry, { kind: 'model' }>;
const models = (entries: PickEntry[]) => entries.filter((e): e is ModelEntry => e.kind === 'model');
const byTag = (entries: PickEntry[], tag: string) => models(entries).find((e) => e.tag === tag) as ModelEntry;

describe('models/picker', () => {
  it('completion: auto first, base models then instruct ones, marked installed / recommended / fit', () => {
    const entries = buildModelPicks({
      role: 'completion',
      choice,
      installed: [installed('qwen2.5-coder:1.5b-base', 986e6), installed('llama3.1:8b', 4.9e9)],
      setting: 'auto',
      autoTag: 'qwen2.5-coder:7b',
    });
    assert.equal(entries[0].kind, 'auto');
    assert.equal(entries[0].kind === 'auto' && entries[0].description, '(current) → qwen2.5-coder:7b');
    assert.equal(entries[0].kind === 'auto' && entries[0].detail, choice.summary);
    const tags = models(entries).map((e) => e.tag);
    assert.deepEqual(tags.slice(0, 6), ['32b', '14b', '7b', '3b', '1.5b', '0.5b'].map((s) => `qwen2.5-coder:${s}-base`));
    assert.ok(tags.includes('qwen3-coder:30b'));
    assert.equal(tags[tags.length - 1], 'llama3.1:8b');

    const small = byTag(entries, 'qwen2.5-coder:1.5b-base');
    assert.ok(small.installed);
    assert.equal(small.description, '$(check) installed');
    assert.match(small.detail, /^Fits in memory \(needs 2\.1 GB of 9\.8 GB\)/);

    const recommended = byTag(entries, 'qwen2.5-coder:7b');
    assert.equal(recommended.description, '$(star-full) recommended · 4.7 GB download');
    assert.match(recommended.detail, /fills in the middle slightly worse than a base model/);

    const big = byTag(entries, 'qwen2.5-coder:32b-base');
    assert.ok(!big.installed);
    assert.match(big.detail, /^Too large here: needs 21\.6 GB, 9\.8 GB available — part would run on the CPU, slowly · slow for ghost text$/);
    assert.match(byTag(entries, 'qwen3-coder:30b').detail, /raw prompts only/);

    const other = byTag(entries, 'llama3.1:8b');
    assert.equal(other.description, '$(check) installed · 4.9 GB');
    assert.equal(entries[entries.length - 1].kind, 'other');
  });

  it('chat lists instruct models best first and marks the current setting', () => {
    const entries = buildModelPicks({ role: 'chat', choice, installed: [], setting: 'qwen2.5-coder:3b', autoTag: 'qwen2.5-coder:7b' });
    assert.equal(entries[0].kind === 'auto' && entries[0].description, '→ qwen2.5-coder:7b');
    assert.deepEqual(models(entries).map((e) => e.tag).slice(0, 3), ['qwen3-coder:30b', 'qwen2.5-coder:32b', 'qwen2.5-coder:14b']);
    assert.ok(!models(entries).some((e) => e.tag.endsWith('-base')));
    const current = byTag(entries, 'qwen2.5-coder:3b');
    assert.ok(current.current);
    assert.match(current.description, /^\(current\) · 1\.9 GB download$/);
  });

  it('a team server that cannot pull: its own list only, no downloads, base models last for chat', () => {
    const served = { label: 'gpu.team:8000', autoWhy: 'Chosen from what gpu.team:8000 serves.' };
    const list = [installed('Qwen/Qwen2.5-Coder-7B', 0), installed('Qwen/Qwen2.5-Coder-7B-Instruct', 0)];
    const entries = buildModelPicks({ role: 'chat', choice, installed: list, setting: 'Qwen/Qwen2.5-Coder-7B-Instruct', autoTag: 'Qwen/Qwen2.5-Coder-7B-Instruct', served });
    assert.equal(entries[0].kind === 'auto' && entries[0].detail, served.autoWhy, 'Auto is explained by the server, not this GPU');
    assert.deepEqual(models(entries).map((e) => e.tag), ['Qwen/Qwen2.5-Coder-7B-Instruct', 'Qwen/Qwen2.5-Coder-7B']);
    assert.ok(!models(entries).some((e) => /download/.test(e.description)), 'nothing to download');
    assert.match(byTag(entries, 'Qwen/Qwen2.5-Coder-7B').description, /completion only/);
    assert.equal(byTag(entries, 'Qwen/Qwen2.5-Coder-7B-Instruct').description, '(current) · $(check) served');
    const other = entries.at(-1);
    assert.equal(other?.kind === 'other' && other.description, 'type a model name gpu.team:8000 serves');
    // A setting the server does not list is shown, saying so; an unreachable server says that.
    const missing = buildModelPicks({ role: 'completion', choice, installed: list, setting: 'Qwen/Qwen3-Coder-30B', autoTag: 'Qwen/Qwen2.5-Coder-7B', served });
    assert.equal(byTag(missing, 'Qwen/Qwen3-Coder-30B').description, '(current) · not served by gpu.team:8000');
    const offline = buildModelPicks({ role: 'completion', choice, installed: undefined, setting: 'auto', autoTag: 'Qwen/Qwen2.5-Coder-7B', served });
    assert.ok(offline.some((e) => e.kind === 'separator' && /not reachable/.test(e.label)));
    assert.equal(models(offline).length, 0);
  });

  it('a model installed under a library alias is picked by the name Ollama has', () => {
    const entries = buildModelPicks({
      role: 'chat',
      choice,
      installed: [installed('qwen2.5-coder:7b-instruct', 4.7e9)],
      setting: 'qwen2.5-coder:7b-instruct',
      autoTag: 'qwen2.5-coder:7b',
    });
    const entry = models(entries).find((e) => e.label === 'qwen2.5-coder:7b') as ModelEntry;
    assert.equal(entry.tag, 'qwen2.5-coder:7b-instruct');
    assert.ok(entry.installed && entry.current);
    assert.equal(entry.description, '(current) · $(star-full) recommended · $(check) installed as qwen2.5-coder:7b-instruct');
    // Not listed a second time among "other installed models".
    assert.ok(!entries.some((e) => e.kind === 'separator' && e.label === 'Other installed models'));
  });

  it('shows a current setting that is neither known nor installed, and says when Ollama is unreachable', () => {
    const entries = buildModelPicks({ role: 'chat', choice, installed: undefined, setting: 'mistral:7b', autoTag: 'qwen2.5-coder:7b' });
    const current = byTag(entries, 'mistral:7b');
    assert.ok(current.current);
    assert.equal(current.installed, false);
    assert.ok(entries.some((e) => e.kind === 'separator' && /not reachable/.test(e.label)));
  });
});

describe('models/picker: base models in the chat picker (new-user item 4)', () => {
  it('lists instruct and other chat models first, base models last with a warning', () => {
    const entries = buildModelPicks({
      role: 'chat',
      choice,
      installed: [
        installed('qwen2.5-coder:1.5b-base', 986e6),
        installed('deepseek-coder:6.7b-base-q4_K_M', 3.8e9),
        installed('llama3.1:8b', 4.9e9),
        installed('qwen2.5-coder:7b', 4.7e9),
      ],
      setting: 'deepseek-coder:6.7b-base-q4_K_M',
      autoTag: 'qwen2.5-coder:7b',
    });
    const labels = entries.map((e) => (e.kind === 'separator' ? `-- ${e.label}` : e.label));
    const baseAt = labels.indexOf('-- Base models (completion only)');
    assert.ok(baseAt > labels.indexOf('llama3.1:8b'), 'after the chat-capable models');
    assert.deepEqual(labels.slice(baseAt + 1, baseAt + 3), ['qwen2.5-coder:1.5b-base', 'deepseek-coder:6.7b-base-q4_K_M']);
    assert.equal(labels[labels.length - 1], '$(cloud-download) Another model…');
    const base = byTag(entries, 'deepseek-coder:6.7b-base-q4_K_M');
    assert.match(base.description, /^\(current\) · \$\(warning\) completion only/);
    assert.match(base.detail, /does not follow instructions/);
    assert.ok(!labels.includes('-- Current setting'), 'an installed base setting is listed once');
    // The completion picker is unchanged: base models are what it wants.
    const completion = buildModelPicks({ role: 'completion', choice, installed: [installed('deepseek-coder:6.7b-base-q4_K_M', 3.8e9)], setting: 'auto', autoTag: 'x' });
    assert.ok(!completion.some((e) => e.kind === 'separator' && /completion only/.test(e.label)));
  });
});
