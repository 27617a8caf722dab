// What the extension itself adds to each completion, model time excluded:
//   before = complete() entry → the backend calls fetch (cache lookup, context ranking over the
//            open files, budget, prompt, the ollama client building the request)
//   after  = the last body chunk the engine read → complete() returns (stream parsing, the early
//            stop of a one-line answer, post-processing, caching)
// Explicit requests (Alt+\) skip the debounce, so neither part contains waiting by design; the
// server's time lies between the two parts and is not counted.
//
//   npx tsx test/bench/completion-overhead.ts [--quick] [--count N] [--no-context] [--no-early-stop]
//
// --no-context turns off context from other files, to see what ranking the open files costs.
// --no-early-stop answers with one line only, so the engine never stops a stream at its newline
//   (and never has to abort the HTTP request before returning).
//
// The real OllamaBackend talks HTTP to the Ollama simulator, which runs in a child process so that
// its work does not run on the event loop being measured. The file is 5,000 lines of a real source
// file with 20 other real files open (test/bench/workspace.ts).

import { OllamaBackend } from '../../src/backend/ollama';
import { CompletionEngine } from '../../src/completion/engine';
import { argValue, emitResult, fmtMs, hasFlag, now, quantile, startSimProcess, table, Wire } from './lib';
import { MODEL, SETTINGS, workspace } from './workspace';

const WARMUP = 30;

export interface OverheadResult {
  completions: number;
  fileLines: number;
  openFiles: number;
  before: Summary;
  after: Summary;
  total: Summary;
  /** complete() entry → the simulator logged the request (includes the HTTP client and loopback). */
  toArrival: Summary;
  skipped: number;
}

interface Summary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function summary(values: readonly number[]): Summary {
  return { p50: quantile(values, 0.5), p90: quantile(values, 0.9), p99: quantile(values, 0.99), max: quantile(values, 1) };
}

async function main(): Promise<void> {
  const count = Number(argValue('count') ?? (hasFlag('quick') ? 150 : 400));
  const ws = workspace(20);
  const settings = hasFlag('no-context') ? { ...SETTINGS, contextFromOtherFiles: false } : SETTINGS;
  const sim = await startSimProcess({
    timing: { loadMs: 0, promptMsPerToken: 0, tokenMs: 1 },
    // Two lines: a one-line request stops at the newline (and aborts the stream), a block takes both.
    defaultCompletion: hasFlag('no-early-stop')
      ? 'const result = checkExpressionCached(node, checkMode);'
      : 'const result = checkExpressionCached(node, checkMode);\n        return getRegularTypeOfLiteralType(result);',
  });
  const wire = new Wire();
  const backend = new OllamaBackend({ host: sim.url, fetch: wire.fetch });
  const engine = new CompletionEngine({
    backend: () => backend,
    context: ws.context,
    events: { onRequestStart: ({ id }) => (wire.currentEngineId = id) },
  });

  const samples: { before: number; after: number; entryEpoch: number; engineId: string }[] = [];
  let skipped = 0;
  try {
    const positions = ws.positions(WARMUP + count);
    for (let i = 0; i < positions.length; i++) {
      const offset = positions[i] as number;
      const entryAt = now();
      const item = await engine.complete({
        path: ws.path,
        languageId: ws.languageId,
        text: ws.text,
        offset,
        indentation: { insertSpaces: true, tabSize: 4 },
        model: MODEL,
        settings,
        explicit: true,
        signal: new AbortController().signal,
      });
      const returnAt = now();
      if (i < WARMUP) continue;
      const call = wire.forEngine(wire.currentEngineId ?? '');
      if (!item || item.fromCache || !call || call.fetchAt < entryAt || call.lastChunkAt === undefined) {
        skipped++;
        continue;
      }
      samples.push({ before: call.fetchAt - entryAt, after: returnAt - call.lastChunkAt, entryEpoch: entryAt, engineId: call.engineId ?? '' });
    }

    const log = await sim.log();
    const arrival = new Map(log.map((r) => [r.engineId, r.arrivedAt]));
    const toArrival = samples.flatMap((s) => {
      const at = arrival.get(s.engineId);
      return at === undefined ? [] : [at - s.entryEpoch];
    });
    const result: OverheadResult = {
      completions: samples.length,
      fileLines: ws.lines,
      openFiles: ws.docs.length,
      before: summary(samples.map((s) => s.before)),
      after: summary(samples.map((s) => s.after)),
      total: summary(samples.map((s) => s.before + s.after)),
      toArrival: summary(toArrival),
      skipped,
    };

    console.log(
      `Extension overhead per completion: ${result.completions} explicit completions (after ${WARMUP} warm-up) in a ${ws.lines}-line file with ${ws.docs.length} open files${settings.contextFromOtherFiles ? ' of context' : ' (context from other files OFF)'}`,
    );
    console.log(`(${skipped} calls made no request and are not counted)\n`);
    const row = (name: string, s: Summary) => [name, fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max)];
    console.log(
      table([
        ['part', 'p50', 'p90', 'p99', 'max'],
        row('entry → fetch called', result.before),
        row('last chunk → item returned', result.after),
        row('total (goal p50 ≤ 2, p99 ≤ 10)', result.total),
        row('entry → arrived at simulator*', result.toArrival),
      ]),
    );
    console.log('* includes the HTTP client and the loopback socket; the simulator logs whole milliseconds');
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
