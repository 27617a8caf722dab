// Soak: 10,000 completion cycles and 200 chat turns in one process against the Ollama simulator,
// through the same wiring as activate() (test/unit/faults/rig.ts). Prints a table and exits 1 when
// a bound is broken:
//   - heap growth after the warm-up phase (after GC) under 10 MB;
//   - no leaked timers, sockets or other handles (process.getActiveResourcesInfo() by type, at
//     the same quiet point before and after), no 'abort' listeners left on the callers' signals;
//   - p99 engine overhead (a call's wall time minus the time spent inside the model server client)
//     in the last 1,000 cycles not worse than in the first 1,000, within a noise margin: the box is
//     shared, so one busy moment can move a p99. When the last window breaks the bound, up to two
//     more windows of 1,000 cycles run and the best trailing window counts (a real regression
//     persists, a neighbour's burst does not). The p50 is held to the same rule;
//   - nothing left in progress, no unhandled rejection or uncaught exception.
//
// Run: node --expose-gc --import tsx test/soak/soak.ts   (options: --cycles N --chats N)

import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Backend, StreamChunk } from '../../src/backend/backend';
import type { EditorContextSource, OpenDocument, RecentEdit } from '../../src/completion/context';
import { OllamaSimulator } from '../sim/simulator';
import { COMPLETION_MODEL, Rig } from '../unit/faults/rig';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CYCLES = option('cycles', 10_000);
const CHATS = option('chats', 200);
const WINDOW = Math.min(1_000, Math.floor(CYCLES / 4));
const HEAP_LIMIT_MB = 10;
/** A trailing window's p99 / p50 may exceed the first window's by this much (noise on a shared box). */
const P99_MARGIN = { ratio: 1.5, ms: 5 };
const P50_MARGIN = { ratio: 1.5, ms: 0.5 };
const CONFIRMATIONS = 2;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('Run with node --expose-gc --import tsx test/soak/soak.ts');
  process.exit(2);
}

const stray: unknown[] = [];
process.on('unhandledRejection', (e) => stray.push(e));
process.on('uncaughtException', (e) => stray.push(e));

// ---- measuring ---------------------------------------------------------------------------

interface CycleRecord {
  backendMs: number;
}
const current = new AsyncLocalStorage<CycleRecord>();

/** Adds the time each generate stream is open to the cycle that opened it. */
function timed(inner: Backend): Backend {
  return {
    ...bindAll(inner),
    generate(request) {
      const record = current.getStore();
      const stream = inner.generate(request);
      return (async function* (): AsyncIterable<StreamChunk> {
        const t0 = performance.now();
        try {
          yield* stream;
        } finally {
          if (record) record.backendMs += performance.now() - t0;
        }
      })();
    },
  };
}

function bindAll(b: Backend): Backend {
  return {
    host: b.host,
    generate: (r) => b.generate(r),
    chat: (r) => b.chat(r),
    listModels: (s) => b.listModels(s),
    loadedModels: (s) => b.loadedModels(s),
    show: (m, s) => b.show(m, s),
    pull: (m, s) => b.pull(m, s),
    version: (s) => b.version(s),
    embed: (m, t, s) => b.embed(m, t, s),
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the workload ------------------------------------------------------------------------

/** Other open editors; one of them changes now and then (new version → new analysis). */
class SoakContext implements EditorContextSource {
  private version = 1;
  private readonly edits: RecentEdit[] = [];
  bump(line: number): void {
    this.version++;
    this.edits.unshift({ path: '/repo/src/orders.ts', line });
    this.edits.length = Math.min(this.edits.length, 30);
  }
  openDocuments(): readonly OpenDocument[] {
    const v = this.version;
    return [
      { path: '/repo/src/orders.ts', languageId: 'typescript', version: v, getText: () => ORDERS.replace('VERSION', String(v)) },
      { path: '/repo/src/money.ts', languageId: 'typescript', version: 1, getText: () => MONEY },
      { path: '/repo/.env', languageId: 'typescript', version: 1, getText: () => 'SECRET=never' },
    ];
  }
  recentEdits(): readonly RecentEdit[] {
    return this.edits;
  }
  async readFile(path: string): Promise<string | undefined> {
    return path.endsWith('/util.ts') ? MONEY : undefined;
  }
  displayPath(path: string): string {
    return path.replace(/^\/repo\//, '');
  }
}

const ORDERS = Array.from({ length: 60 }, (_, i) => `export function orderTotal${i}(order: Order) {\n  return order.items.reduce((sum, item) => sum + item.price * item.quantity, VERSION);\n}`).join('\n');
const MONEY = 'export function formatMoney(amount: number, currency: string) {\n  return `${amount.toFixed(2)} ${currency}`;\n}\n';

/** The file being typed into: `line` grows one character per keystroke, a new line every 24. */
function documentAt(step: number): string {
  const lines: string[] = ["import { formatMoney } from './util';", '', 'export function summarize(order: Order) {'];
  const done = Math.floor(step / 24);
  for (let i = 0; i < Math.min(done, 40); i++) lines.push(`  const subtotal${i} = orderTotal${i}(order);`);
  const typing = `  const line${done} = order.items.map((item) => item.price * item.quantity`.slice(0, 10 + (step % 24) * 2);
  lines.push(typing + '|', '}', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const sim = new OllamaSimulator({ timing: { loadMs: 0, tokenMs: 0, promptMsPerToken: 0 } });
  // Deterministic answers; every third one streams slowly enough to be cut by the next keystroke.
  let answerNo = 0;
  sim.setCompletion(() => {
    answerNo++;
    return answerNo % 3 === 0 ? { text: ' + offset; // ' + 'x'.repeat(40), tokenMs: 1 } : ' + offset;';
  });
  sim.setChat(({ lastUser }) => ({ text: `Answer to ${lastUser}: ` + 'the function sums the order. '.repeat(6), tokenMs: 0 }));
  await sim.start();

  const context = new SoakContext();
  const rig = new Rig({ sim, context, wrapBackend: timed, realHealthTimers: true, chatNumCtx: 2048 });
  await rig.connection.health.check();
  const { session, controller } = await rig.chat();

  const overheads: number[] = [];
  let cacheHits = 0;
  let shown = 0;
  let superseded = 0;
  let abortListenersLeft = 0;
  let chatDone = 0;
  let chatStopped = 0;
  let chatOther = 0;
  const chatEvery = Math.max(1, Math.floor(CYCLES / Math.max(1, CHATS)));
  let pending: { promise: Promise<unknown>; abort: AbortController } | undefined;
  let step = 0;
  let baseline: { heap: number; resources: Record<string, number> } | undefined;

  /** One keystroke: the editor cancels the previous call and asks again. */
  const keystroke = (code: string, awaitIt: boolean): Promise<void> => {
    pending?.abort.abort();
    const abort = new AbortController();
    const record: CycleRecord = { backendMs: 0 };
    const t0 = performance.now();
    const promise = current.run(record, () => rig.complete(code, { signal: abort.signal })).then((item) => {
      overheads.push(Math.max(0, performance.now() - t0 - record.backendMs));
      if (item?.fromCache) cacheHits++;
      else if (item) shown++;
      else superseded++;
      abortListenersLeft += getEventListeners(abort.signal, 'abort').length;
    });
    pending = { promise, abort };
    return awaitIt ? promise : Promise.resolve();
  };

  const runCycle = async (cycle: number): Promise<void> => {
    const kind = cycle % 10;
    if (kind < 6) {
      // A burst of typing: each keystroke supersedes the previous one.
      step++;
      await keystroke(documentAt(step), false);
      await new Promise((resolve) => setImmediate(resolve));
    } else if (kind === 6) {
      // A pause: this one runs to its answer.
      step++;
      await keystroke(documentAt(step), true);
    } else if (kind === 7) {
      // Backspace, then the same position again: answered from the cache.
      await keystroke(documentAt(step), true);
    } else if (kind === 8) {
      // Type through the ghost text: ' + offset;' → ' +' typed, the rest still shown from the cache.
      const code = documentAt(step).replace('|', ' +|');
      await keystroke(code, true);
    } else {
      step++;
      await keystroke(documentAt(step), true);
      if (cycle % 100 === 9) context.bump(cycle % 60);
    }

    if (cycle % chatEvery === chatEvery - 1 && chatDone + chatStopped + chatOther < CHATS) {
      await pending?.promise;
      const turn = chatDone + chatStopped + chatOther;
      if (turn % 4 === 3) {
        // Stop mid-answer, as the Stop button does.
        let sawChunk: () => void = () => {};
        const first = new Promise<void>((resolve) => (sawChunk = resolve));
        const sub = session.onEvent((e) => e.type === 'chunk' && sawChunk());
        const asked = controller.ask({ prompt: `question ${turn}`, reveal: false, editorContext: false });
        await Promise.race([first, asked]);
        sub.dispose();
        await controller.handle({ type: 'stop' });
        const result = await asked;
        if (result?.status === 'stopped') chatStopped++;
        else if (result?.status === 'done' || result?.status === 'length') chatDone++;
        else chatOther++;
      } else {
        const result = await controller.ask({ prompt: `question ${turn}`, reveal: false, editorContext: false });
        if (result?.status === 'done' || result?.status === 'length') chatDone++;
        else chatOther++;
      }
      // A new conversation now and then; the old one is deleted (the history stays small).
      if (turn % 5 === 4) {
        const old = session.conversation.id;
        await session.newConversation();
        await session.delete(old);
      }
    }

    if (cycle % 250 === 249) sim.clearLog(); // the simulator lives in this process too
    if (cycle === WINDOW - 1) {
      await pending?.promise;
      await sim.waitForIdle(5_000);
      await sleep(50);
      baseline = { heap: await heapAfterGc(), resources: resources() };
    }
  };

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  for (let cycle = 0; cycle < CYCLES; cycle++) await runCycle(cycle);
  await pending?.promise;
  await sim.waitForIdle(5_000);
  await sleep(50);

  // ---- checks ----------------------------------------------------------------------------
  const failures: string[] = [];
  if (!baseline) throw new Error('no baseline');
  // Handles may take a moment to close (keep-alive sockets, a scheduled history save): wait for
  // every type to come back to its baseline count, up to 8 s.
  let after = resources();
  const over = () => Object.entries(after).filter(([type, n]) => n > (baseline?.resources[type] ?? 0));
  for (let waited = 0; over().length > 0 && waited < 8_000; waited += 200) {
    await sleep(200);
    after = resources();
  }
  const heapAfter = await heapAfterGc();
  const growthMb = (heapAfter - baseline.heap) / 1024 / 1024;

  const first = overheads.slice(0, WINDOW);
  const last = overheads.slice(CYCLES - WINDOW, CYCLES);
  const p99First = percentile(first, 99);
  const p99Last = percentile(last, 99);
  const p50First = percentile(first, 50);
  const p99Bound = Math.max(p99First * P99_MARGIN.ratio, p99First + P99_MARGIN.ms);
  const p50Bound = Math.max(p50First * P50_MARGIN.ratio, p50First + P50_MARGIN.ms);
  // A trailing window over the bound: confirm with further windows before calling it a regression.
  const trailing = [last];
  const breaks = (w: number[]) => percentile(w, 99) > p99Bound || percentile(w, 50) > p50Bound;
  for (let c = 0; c < CONFIRMATIONS && trailing.every(breaks); c++) {
    const from = overheads.length;
    for (let cycle = 0; cycle < WINDOW; cycle++) await runCycle(CYCLES + c * WINDOW + cycle);
    await pending?.promise;
    trailing.push(overheads.slice(from, from + WINDOW));
  }
  loopDelay.disable();
  const best = trailing.reduce((a, b) => (percentile(b, 99) < percentile(a, 99) ? b : a));
  const p99Best = percentile(best, 99);
  const p50Best = percentile(best, 50);

  if (growthMb >= HEAP_LIMIT_MB) failures.push(`heap grew ${growthMb.toFixed(2)} MB (limit ${HEAP_LIMIT_MB} MB)`);
  for (const [type, n] of over()) failures.push(`${n - (baseline.resources[type] ?? 0)} more ${type} handle(s) than after the warm-up`);
  if (abortListenersLeft > 0) failures.push(`${abortListenersLeft} 'abort' listener(s) left on callers' signals`);
  if (p99Best > p99Bound) failures.push(`p99 overhead ${p99Best.toFixed(2)} ms in the last ${WINDOW} cycles (best of ${trailing.length} trailing windows) vs ${p99First.toFixed(2)} ms in the first (bound ${p99Bound.toFixed(2)} ms)`);
  if (p50Best > p50Bound) failures.push(`p50 overhead ${p50Best.toFixed(2)} ms in the last ${WINDOW} cycles vs ${p50First.toFixed(2)} ms in the first (bound ${p50Bound.toFixed(2)} ms)`);
  if (rig.status.workInProgress !== 0) failures.push(`${rig.status.workInProgress} work item(s) still in progress`);
  if (rig.lanes.for(rig.connection.backend().host).foregroundBusy) failures.push('the server lane is still held');
  if (rig.status.facts.connection !== 'ready' || rig.status.notifications !== 0) failures.push(`status ${rig.status.facts.connection} after ${rig.status.notifications} notification(s)`);
  if (overheads.length !== CYCLES + (trailing.length - 1) * WINDOW) failures.push(`${overheads.length} cycles ended of ${CYCLES + (trailing.length - 1) * WINDOW}`);
  if (cacheHits === 0 || shown === 0 || superseded === 0) failures.push('the workload did not mix cache hits, new answers and superseded calls');
  if (chatDone + chatStopped + chatOther !== CHATS || chatStopped === 0) failures.push(`chat turns: ${chatDone} done, ${chatStopped} stopped, ${chatOther} other`);
  if (chatOther > 0) failures.push(`${chatOther} chat turn(s) failed`);
  if (stray.length > 0) failures.push(`${stray.length} unhandled rejection(s)/exception(s): ${String(stray[0])}`);

  const seconds = (performance.now() - started) / 1000;
  const rows: [string, string][] = [
    ['completion cycles', String(CYCLES)],
    ['  answered by the server', String(shown)],
    ['  answered from the cache', String(cacheHits)],
    ['  superseded / empty', String(superseded)],
    ['  requests sent (engine stats)', String(rig.engine.stats.snapshot().requests)],
    ['chat turns (done / stopped / failed)', `${chatDone} / ${chatStopped} / ${chatOther}`],
    [`overhead p50 first ${WINDOW} cycles (ms)`, p50First.toFixed(3)],
    [`overhead p50 last ${WINDOW} cycles (ms)`, `${percentile(last, 50).toFixed(3)} (bound ${p50Bound.toFixed(3)})`],
    [`overhead p99 first ${WINDOW} cycles (ms)`, p99First.toFixed(3)],
    [`overhead p99 last ${WINDOW} cycles (ms)`, `${p99Last.toFixed(3)} (bound ${p99Bound.toFixed(3)})`],
    ...trailing.slice(1).map((w, i): [string, string] => [`  confirmation window ${i + 1} p50 / p99 (ms)`, `${percentile(w, 50).toFixed(3)} / ${percentile(w, 99).toFixed(3)}`]),
    ['event-loop delay p50 / p99 / max (ms)', `${(loopDelay.percentile(50) / 1e6).toFixed(1)} / ${(loopDelay.percentile(99) / 1e6).toFixed(1)} / ${(loopDelay.max / 1e6).toFixed(1)}`],
    ['heap after warm-up (MB)', (baseline.heap / 1024 / 1024).toFixed(2)],
    ['heap at the end (MB)', (heapAfter / 1024 / 1024).toFixed(2)],
    ['heap growth (MB)', `${growthMb.toFixed(2)} (limit ${HEAP_LIMIT_MB})`],
    ["'abort' listeners left on callers' signals", String(abortListenersLeft)],
    ...[...new Set([...Object.keys(baseline.resources), ...Object.keys(after)])]
      .sort()
      .map((type): [string, string] => [`handles ${type} (warm-up → end)`, `${baseline?.resources[type] ?? 0} → ${after[type] ?? 0}`]),
    ['wall time (s)', seconds.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nQwen Local soak against the Ollama simulator (${COMPLETION_MODEL})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

  await rig.dispose();
  await sim.stop();

  if (failures.length > 0) {
    console.log('\nFAILED:');
    for (const f of failures) console.log(`  - ${f}`);
    process.exitCode = 1;
  } else {
    console.log('\nAll bounds held.');
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  // A leaked handle would keep the process alive: it has been reported, exit anyway.
  .finally(() => process.exit());
