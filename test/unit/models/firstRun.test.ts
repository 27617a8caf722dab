import * as assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/hardware/catalog';
import { chooseModels } from '../../../src/hardware/choose';
import type { HardwareInfo } from '../../../src/hardware/types';
import { decideFirstRun, wantedModels, type FirstRunInput } from '../../../src/models/firstRun';

const hw = (freeMiB: number): HardwareInfo => ({
  gpus: [{ vendor: 'nvidia', index: 0, name: 'NVIDIA GeForce RTX 4090', totalBytes: 24564 * MiB, freeBytes: freeMiB * MiB, source: 'nvidia-smi' }],
  system: { platform: 'linux', arch: 'x64', totalRamBytes: 64 * GiB, freeRamBytes: 32 * GiB, cpuCores: 16, cpuModel: 'x' },
  notes: [],
  detectedAt: 1,
});
const pairChoice = chooseModels(hw(22630), { allowLargeModels: false }); // 7b-base + 14b
const sharedChoice = chooseModels({ ...hw(0), gpus: [{ ...hw(0).gpus[0], name: 'NVIDIA GeForce RTX 3070', totalBytes: 8192 * MiB, freeBytes: 7792 * MiB }] }, { allowLargeModels: false });

function input(over: Partial<FirstRunInput> = {}): FirstRunInput {
  return {
    reachable: true,
    state: { walkthroughShown: false, pullAsked: false, connectedBefore: false },
    installed: [],
    settings: { completion: { model: 'auto' }, chat: { model: 'auto' } },
    choice: pairChoice,
    ...over,
  };
}

describe('models/firstRun', () => {
  it('Ollama unreachable: open the walkthrough once', () => {
    assert.deepEqual(decideFirstRun(input({ reachable: false })), { kind: 'openWalkthrough' });
    assert.deepEqual(decideFirstRun(input({ reachable: false, state: { walkthroughShown: true, pullAsked: false, connectedBefore: false } })), {
      kind: 'none',
      reason: 'walkthroughAlreadyShown',
    });
  });

  it('Ollama unreachable after a server answered once on this installation: an outage, not a first run (no walkthrough)', () => {
    assert.deepEqual(decideFirstRun(input({ reachable: false, state: { walkthroughShown: false, pullAsked: true, connectedBefore: true } })), {
      kind: 'none',
      reason: 'connectedBefore',
    });
  });

  it('recommended models missing: ask once, with the total download size, before pulling anything', () => {
    const d = decideFirstRun(input());
    assert.equal(d.kind, 'askToPull');
    if (d.kind !== 'askToPull') return;
    assert.deepEqual(
      d.models.map((m) => [m.tag, m.roles, m.downloadBytes]),
      [
        ['qwen2.5-coder:7b-base', ['completion'], 4.7e9],
        ['qwen2.5-coder:14b', ['chat'], 9.0e9],
      ],
    );
    assert.equal(d.totalBytes, 13.7e9);
    assert.equal(d.acceptLabel, 'Download 13.7 GB');
    assert.equal(
      d.message,
      'Qwen Local picked qwen2.5-coder:7b-base (completion, 4.7 GB) and qwen2.5-coder:14b (chat, 9.0 GB) for this machine (NVIDIA GeForce RTX 4090, 22.1 GB free). They are not installed yet. Download 13.7 GB now?',
    );
    // Asked before (whatever the answer): never again.
    assert.deepEqual(decideFirstRun(input({ state: { walkthroughShown: false, pullAsked: true, connectedBefore: false } })), { kind: 'none', reason: 'alreadyAsked' });
  });

  it('asks only for what is missing', () => {
    const d = decideFirstRun(input({ installed: ['qwen2.5-coder:14b'] }));
    assert.equal(d.kind, 'askToPull');
    assert.deepEqual(d.kind === 'askToPull' && d.models.map((m) => m.tag), ['qwen2.5-coder:7b-base']);
    assert.equal(d.kind === 'askToPull' && d.totalBytes, 4.7e9);
  });

  it('nothing to ask when everything is installed', () => {
    assert.deepEqual(decideFirstRun(input({ installed: ['qwen2.5-coder:7b-base', 'Qwen2.5-Coder:14B'] })), {
      kind: 'none',
      reason: 'allInstalled',
    });
  });

  it('one model serving both roles is listed once', () => {
    const d = decideFirstRun(input({ choice: sharedChoice }));
    assert.equal(d.kind, 'askToPull');
    if (d.kind !== 'askToPull') return;
    assert.deepEqual(d.models, [{ tag: 'qwen2.5-coder:7b', roles: ['completion', 'chat'], downloadBytes: 4.7e9 }]);
    assert.match(d.message, /qwen2\.5-coder:7b \(completion and chat, 4\.7 GB\).*It is not installed yet\. Download 4\.7 GB now\?/);
  });

  it('explicit settings are what is wanted; unknown sizes are said so', () => {
    const settings = { completion: { model: 'codellama:7b-code' }, chat: { model: 'auto' } };
    assert.deepEqual(
      wantedModels(settings, pairChoice).map((m) => m.tag),
      ['codellama:7b-code', 'qwen2.5-coder:14b'],
    );
    const d = decideFirstRun(input({ settings }));
    assert.equal(d.kind, 'askToPull');
    assert.match(d.kind === 'askToPull' ? d.message : '', /Download 9\.0 GB plus models of unknown size now\?/);
  });
});

describe('models/firstRun: a model from outside the Ollama library', () => {
  it('is offered only with its source named (security review finding 6)', () => {
    const d = decideFirstRun(input({ settings: { completion: { model: 'auto' }, chat: { model: 'hf.co/attacker/backdoored-coder' } } }));
    assert.equal(d.kind, 'askToPull');
    if (d.kind !== 'askToPull') return;
    assert.match(d.message, /hf\.co\/attacker\/backdoored-coder \(chat, from Hugging Face, published by "attacker" \(not the Ollama library\)\)/);
  });
});
