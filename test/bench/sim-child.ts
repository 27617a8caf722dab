// The Ollama simulator in its own process, for benchmarks that measure only the extension's side
// (its event loop, its heap). Started by lib.ts `startSimProcess` with child_process.fork; the
// configuration is argv[2] (SimConfig JSON). Answers over IPC: log, stats, clear-log, and `hole`
// (the typing replay's current hole: completions then answer with the real file's continuation,
// replay-answer.ts). Stops its server and exits when the IPC channel closes, so it never outlives
// the benchmark.

import { readFileSync } from 'node:fs';
import { OllamaSimulator } from '../sim/simulator';
import type { SimConfig } from '../sim/types';
import { simRecord } from './lib';
import { perfectAnswer, type Hole } from './replay-answer';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as SimConfig; // written by startSimProcess
  const sim = new OllamaSimulator({ ...config, host: '127.0.0.1' });
  const fallback = typeof config.defaultCompletion === 'string' ? config.defaultCompletion : '';
  const texts = new Map<string, string>();
  let hole: Hole | undefined;
  let unmatched = 0;
  sim.setCompletion((ctx): string => {
    if (!hole) return fallback;
    let text = texts.get(hole.path);
    if (text === undefined) texts.set(hole.path, (text = readFileSync(hole.path, 'utf8')));
    const answer = perfectAnswer(text, hole, ctx.prefix, ctx.suffix);
    if (answer === undefined) unmatched++;
    return answer ?? '';
  });
  await sim.start();
  const send = (message: unknown) => process.send?.(message);

  process.on('message', (raw) => {
    const message = raw as { type: string; id: number; value?: unknown };
    let value: unknown;
    switch (message.type) {
      case 'log':
        value = sim.requests.map(simRecord);
        break;
      case 'stats':
        value = {
          maxConcurrentGenerations: sim.maxConcurrentGenerations(),
          maxConcurrentRequests: sim.maxConcurrentRequests(),
          inFlight: sim.inFlight,
          unmatchedAnswers: unmatched,
        };
        break;
      case 'clear-log':
        sim.clearLog();
        break;
      case 'hole':
        hole = (message.value as Hole | null) ?? undefined; // sent by the replay as a Hole
        break;
    }
    send({ type: 'reply', id: message.id, value });
  });
  process.on('disconnect', () => {
    void sim.stop().then(() => process.exit(0));
  });
  send({ type: 'ready', url: sim.url });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
