// Memory after 1,000 completions, heap growth, and whether handles, timers and sockets come back.
//
//   node --expose-gc --import tsx test/bench/completion-memory.ts [--count N] [--no-context]
//
// --no-context turns off context from other files (to see what the snippet caches weigh).
//
// One engine, the real OllamaBackend over HTTP to the simulator (in a child process, so only the
// extension's side is in this heap), the 5,000-line file with 20 open files (workspace.ts).
// Every fifth completion is cancelled while it runs (the user typed on), so abort paths are
// exercised too. Heap figures are taken after forced garbage collection; checkpoints every quarter
// show whether growth levels off (bounded caches) or keeps climbing (a leak).

import { OllamaBackend } from '../../src/backend/ollama';
import { CompletionEngine } from '../../src/completion/engine';
import { argValue, emitResult, hasFlag, sleep, startSimProcess, table, Wire } from './lib';
import { MODEL, SETTINGS, workspace } from './workspace';

declare const gc: (() => void) | undefined;

export interface MemoryResult {
  completions: number;
  cancelled: number;
  /** Before any completion. */
  heapFreshMB: number;
  /** After one warm-up completion (fetch and the code paths loaded): the baseline for growth. */
  heapBeforeMB: number;
  heapAfterMB: number;
  growthMB: number;
  rssAfterMB: number;
  checkpoints: { completions: number; heapMB: number }[];
  resourcesBefore: Record<string, number>;
  resourcesAfter: Record<string, number>;
  /** Milliseconds after the last completion until the resources matched the baseline (undefined: never). */
  settledAfterMs: number | undefined;
  resourcesBack: boolean;
}

const MB = 1024 * 1024;

async function heapMB(): Promise<number> {
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  // Twice, with a turn of the event loop between: finalizers and weak references settle.
  gc();
  await sleep(10);
  gc();
  return process.memoryUsage().heapUsed / MB;
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

const show = (r: Record<string, number>) =>
  Object.entries(r)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

async function main(): Promise<void> {
  const count = Number(argValue('count') ?? 1000);
  const quarter = Math.max(1, Math.floor(count / 4));
  const ws = workspace(20);
  const sim = await startSimProcess({
    timing: { loadMs: 0, promptMsPerToken: 0, tokenMs: 0 },
    defaultCompletion: 'const result = checkExpressionCached(node, checkMode);\n        return getRegularTypeOfLiteralType(result);',
  });
  const wire = new Wire();
  const backend = new OllamaBackend({ host: sim.url, fetch: wire.fetch });
  const engine = new CompletionEngine({ backend: () => backend, context: ws.context });
  // One extra position first: a warm-up completion that loads Node's fetch (undici) and the code
  // paths once, so that "growth" is what the completions themselves leave behind.
  const [warmup, ...positions] = ws.positions(count + 1) as [number, ...number[]];
  const settings = hasFlag('no-context') ? { ...SETTINGS, contextFromOtherFiles: false } : SETTINGS;

  try {
    const resourcesBefore = resources();
    const heapFresh = await heapMB();
    const request = (offset: number, signal: AbortSignal) =>
      engine.complete({
        path: ws.path,
        languageId: ws.languageId,
        text: ws.text,
        offset,
        indentation: { insertSpaces: true, tabSize: 4 },
        model: MODEL,
        settings,
        explicit: true,
        signal,
      });
    await request(warmup, new AbortController().signal);
    wire.clear();
    const heapBefore = await heapMB();
    const checkpoints: MemoryResult['checkpoints'] = [];
    let cancelled = 0;
    for (let i = 0; i < count; i++) {
      const controller = new AbortController();
      const call = request(positions[i] as number, controller.signal);
      if (i % 5 === 4) {
        // Cancelled while it runs, as the next keystroke cancels VS Code's token.
        await sleep(3);
        controller.abort();
        cancelled++;
      }
      await call;
      wire.clear(); // the benchmark's own records are not the extension's memory
      if ((i + 1) % quarter === 0) checkpoints.push({ completions: i + 1, heapMB: await heapMB() });
    }
    const doneAt = Date.now();

    // Kept-alive sockets close after the server's keep-alive timeout (5 s for Node's server).
    let settledAfterMs: number | undefined;
    let resourcesAfter = resources();
    for (let waited = 0; waited <= 15_000; waited += 250) {
      resourcesAfter = resources();
      if (sameCounts(resourcesAfter, resourcesBefore)) {
        settledAfterMs = Date.now() - doneAt;
        break;
      }
      await sleep(250);
    }
    const heapAfter = await heapMB();
    const result: MemoryResult = {
      completions: count,
      cancelled,
      heapFreshMB: heapFresh,
      heapBeforeMB: heapBefore,
      heapAfterMB: heapAfter,
      growthMB: heapAfter - heapBefore,
      rssAfterMB: process.memoryUsage().rss / MB,
      checkpoints,
      resourcesBefore,
      resourcesAfter,
      settledAfterMs,
      resourcesBack: settledAfterMs !== undefined,
    };

    console.log(`Memory: ${count} completions (${cancelled} cancelled mid-request) against the simulator, ${ws.lines}-line file, ${ws.docs.length} open files\n`);
    console.log(
      table([
        ['', 'heap used (after GC)'],
        ['before any completion', `${heapFresh.toFixed(1)} MB`],
        ['after 1 warm-up completion (baseline)', `${heapBefore.toFixed(1)} MB`],
        ...checkpoints.map((c) => [`after ${c.completions}`, `${c.heapMB.toFixed(1)} MB`]),
        ['after settling', `${heapAfter.toFixed(1)} MB`],
        [`growth over the ${count} completions`, `${(heapAfter - heapBefore).toFixed(2)} MB`],
      ]),
    );
    console.log(`\nRSS after: ${result.rssAfterMB.toFixed(0)} MB`);
    console.log(`Active resources before: ${show(resourcesBefore)}`);
    console.log(`Active resources after:  ${show(resourcesAfter)}`);
    console.log(
      settledAfterMs !== undefined
        ? `Back to the baseline ${settledAfterMs} ms after the last completion.`
        : 'NOT back to the baseline 15 s after the last completion.',
    );
    emitResult(result);
  } finally {
    engine.dispose();
    await sim.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
