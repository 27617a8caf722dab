// How many model loads a session mixing typing and chat causes on an 8 GB GPU, against the
// simulator's Ollama scheduler (VRAM eviction as server/sched.go does it), through the official
// `ollama` client. Compares the hardware choice's pair with two 7B models (what a user who picks
// "the best" of each would load). Run: npx tsx test/bench/reloads.ts [--rounds N]
//
// A round: 6 completions (a pause in typing each), then one chat turn, then back to typing.
// Sizes are the simulator's (weights + f16 KV cache for num_ctx + 300 MB), not measured on a GPU.

import { Ollama } from 'ollama';
import { chooseModels } from '../../src/hardware/choose';
import type { HardwareInfo } from '../../src/hardware/types';
import { loadedSize, resolveModel } from '../sim/models';
import { OllamaSimulator } from '../sim/simulator';
import { argValue } from './lib';

const GB = 1024 ** 3;

const HW_8GB: HardwareInfo = {
  gpus: [{ vendor: 'nvidia', index: 0, name: 'GeForce RTX 4060 (8 GB)', totalBytes: 8 * GB, usedBytes: 0.4 * GB, freeBytes: 7.6 * GB, source: 'bench' }],
  system: { platform: 'linux', arch: 'x64', totalRamBytes: 32 * GB, freeRamBytes: 24 * GB, cpuCores: 8, cpuModel: 'bench' },
  notes: [],
  detectedAt: 0,
};

interface Pair {
  label: string;
  completion: { tag: string; numCtx: number };
  chat: { tag: string; numCtx: number };
}

async function session(pair: Pair, rounds: number): Promise<{ loads: number; evictions: number; completionLoads: number; gb: string }> {
  const sim = new OllamaSimulator({
    profile: 'current',
    vramBytes: 8 * GB,
    models: [{ name: pair.completion.tag }, { name: pair.chat.tag }],
    timing: { loadMs: 5, tokenMs: 0, promptMsPerToken: 0 },
  });
  await sim.start();
  const client = new Ollama({ host: sim.url });
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < 6; k++) {
        await client.generate({ model: pair.completion.tag, prompt: `const v${round}_${k} = `, suffix: pair.completion.tag === pair.chat.tag ? undefined : '\n', stream: false, keep_alive: '30m', options: { num_ctx: pair.completion.numCtx, num_predict: 8 } });
      }
      await client.chat({ model: pair.chat.tag, messages: [{ role: 'user', content: `Explain round ${round}` }], stream: false, keep_alive: '30m', options: { num_ctx: pair.chat.numCtx, num_predict: 16 } });
    }
    const both = loadedSize(resolveModel({ name: pair.completion.tag }), pair.completion.numCtx) + (pair.completion.tag === pair.chat.tag ? 0 : loadedSize(resolveModel({ name: pair.chat.tag }), pair.chat.numCtx));
    return {
      loads: sim.loadCount(),
      evictions: sim.modelEvents.filter((e) => e.kind === 'evicted').length,
      completionLoads: sim.loadCount(pair.completion.tag),
      gb: (both / GB).toFixed(2),
    };
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const rounds = Number(argValue('rounds') ?? 20);
  const choice = chooseModels(HW_8GB, { allowLargeModels: false });
  const pairs: Pair[] = [
    { label: 'hardware choice', completion: { tag: choice.completion.tag, numCtx: choice.completion.numCtx }, chat: { tag: choice.chat.tag, numCtx: choice.chat.numCtx } },
    { label: '7B base + 7B instruct', completion: { tag: 'qwen2.5-coder:7b-base', numCtx: 8192 }, chat: { tag: 'qwen2.5-coder:7b-instruct', numCtx: 16384 } },
    { label: 'one shared 7B instruct', completion: { tag: 'qwen2.5-coder:7b-instruct', numCtx: 16384 }, chat: { tag: 'qwen2.5-coder:7b-instruct', numCtx: 16384 } },
  ];
  console.log(`8 GB GPU, ${rounds} rounds of 6 completions + 1 chat turn (${rounds * 7} requests); choice: ${choice.summary}`);
  for (const pair of pairs) {
    const r = await session(pair, rounds);
    console.log(
      `${pair.label.padEnd(24)} ${pair.completion.tag} (ctx ${pair.completion.numCtx}) + ${pair.chat.tag} (ctx ${pair.chat.numCtx}): ${r.gb} GB together → ${r.loads} loads (${r.completionLoads} of the completion model), ${r.evictions} evictions`,
    );
  }
}

void main();
