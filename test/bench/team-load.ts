// Team load: 1, 8 and 32 people typing at once against one shared OpenAI-compatible server, the
// OpenAI simulator in vLLM mode with continuous batching (test/sim/openai/, in a child process so
// its timing is not disturbed by the editors' work). Each simulated person is the product's own
// client: a CompletionEngine over a Connection (busy backoff included) over the OpenAI backend, fed
// key by key at human speed with real source files retyped (the typing replay's files, rhythm and
// "perfect model": replay-answer.ts answers with the true continuation of each person's file).
//
//   npx tsx test/bench/team-load.ts [--quick] [--seed N] [--users 1,8,32]
//
// The timing model (OpenAITiming in test/sim/openai/types.ts, applied by batch.ts): a decode step
// costs tokenMs × (1 + batchSlowdown × (running − 1)) for every sequence in the batch, prefill
// promptMsPerToken per prompt token, at most 32 sequences decoded together (vLLM --max-num-seqs 32)
// and 64 waiting (one more gets 503). The numbers are assumptions for Qwen2.5-Coder-7B in bf16 on one
// data-centre GPU under vLLM, not measurements: ~100 tokens/s for one stream (10 ms/token), prefill
// ~10,000 tokens/s (0.1 ms/token), and decode being memory-bandwidth bound, a step at batch 32
// costing about 1.5× one at batch 1 (batchSlowdown 0.015), the shape vLLM's own serving benchmarks
// (benchmarks/benchmark_serving.py) show for small models. Change TEAM_TIMING to model another box.
//
// Printed per user count: pause → ghost text p50/p90 (wall clock from the key before a pause of
// ≥ 600 ms to the suggestion on screen; a suggestion already there counts 0), completion requests
// per user per minute, 503/429 answers, most requests open at the server at once (queued included)
// and most decoded together, and the share of generated tokens never shown.

import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Connection } from '../../src/backend/connection';
import { OpenAICompatibleBackend } from '../../src/backend/openai';
import type { EditorContextSource } from '../../src/completion/context';
import { CompletionEngine, type CompletionItem } from '../../src/completion/engine';
import { OpenAISimulator } from '../sim/openai/server';
import type { OpenAISimConfig, OpenAIRequestRecord } from '../sim/openai/types';
import { argValue, emitResult, fmtMs, fmtPct, hasFlag, median, now, prng, quantile, ROOT, sleep, table } from './lib';
import { perfectAnswer, type Hole } from './replay-answer';
import { SETTINGS } from './workspace';

export const TEAM_TIMING = { promptMsPerToken: 0.1, tokenMs: 10, batchSlowdown: 0.015 };
const MODEL = 'Qwen/Qwen2.5-Coder-7B';
const FILES = ['node_modules/htmlparser2/src/Tokenizer.ts', 'node_modules/ajv/lib/compile/codegen/index.ts', 'node_modules/picomatch/lib/parse.js'];
const PAUSE_MS = 600;
const HEADER = 'x-bench-request';

// ---- the simulator child ------------------------------------------------------------------

type Slim = Pick<OpenAIRequestRecord, 'endpoint' | 'status' | 'tokensSent' | 'arrivedAt' | 'endedAt' | 'aborted'> & { engineId?: string };

async function simChild(): Promise<void> {
  const config: OpenAISimConfig = { flavour: 'vllm', timing: TEAM_TIMING, maxBatch: 32, maxQueue: 64, models: [{ id: MODEL, maxModelLen: 32768 }] };
  const sim = new OpenAISimulator({ ...config, host: '127.0.0.1' });
  const holes = new Map<number, Hole>();
  const texts = new Map<string, string>();
  sim.setCompletion((ctx) => {
    for (const hole of holes.values()) {
      let text = texts.get(hole.path);
      if (text === undefined) texts.set(hole.path, (text = readFileSync(hole.path, 'utf8')));
      const answer = perfectAnswer(text, hole, ctx.prefix, ctx.suffix);
      if (answer !== undefined) return answer;
    }
    return '';
  });
  await sim.start();
  process.on('message', (raw) => {
    const m = raw as { type: string; id: number; user?: number; hole?: Hole | null };
    let value: unknown;
    if (m.type === 'hole' && m.user !== undefined) {
      if (m.hole) holes.set(m.user, m.hole);
      else holes.delete(m.user);
    } else if (m.type === 'log') {
      value = {
        records: sim.requests.map((r): Slim => ({ endpoint: r.endpoint, status: r.status, tokensSent: r.tokensSent, arrivedAt: r.arrivedAt, endedAt: r.endedAt, aborted: r.aborted, engineId: r.headers[HEADER] })),
        maxBatch: sim.maxBatchSeen(),
        running: sim.running,
      };
    } else if (m.type === 'reset') {
      sim.reset();
      holes.clear();
    }
    process.send?.({ type: 'reply', id: m.id, value });
  });
  process.on('disconnect', () => void sim.stop().then(() => process.exit(0)));
  process.send?.({ type: 'ready', url: sim.url });
}

class SimClient {
  private next = 0;
  private readonly waiting = new Map<number, (v: unknown) => void>();
  constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (raw) => {
      const m = raw as { type: string; id: number; value: unknown };
      if (m.type === 'reply') this.waiting.get(m.id)?.(m.value);
    });
  }
  ask<T>(message: Record<string, unknown>): Promise<T> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, (v) => resolve(v as T));
      this.child.send({ ...message, id });
    });
  }
  stop(): void {
    this.child.disconnect();
  }
}

function startChild(): Promise<SimClient> {
  const child = fork(__filename, ['--sim-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(new SimClient(child, (m as { url: string }).url)));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

// ---- the typists ----------------------------------------------------------------------------

interface Segment {
  path: string;
  text: string;
  cut: number;
  end: number;
  keys: string[];
  gaps: number[];
}

/** Places to retype: a line start (after its indentation) inside a body, 1–2 lines of 30–110 characters. */
function segmentsOf(path: string, rand: () => number, count: number): Segment[] {
  const text = readFileSync(join(ROOT, path), 'utf8').replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) starts.push((offset += line.length + 1) - line.length - 1);
  const out: Segment[] = [];
  for (let tries = 0; out.length < count && tries < 2000; tries++) {
    const i = 5 + Math.floor(rand() * (lines.length - 10));
    const line = lines[i]!;
    const indent = /^[ \t]+/.exec(line)?.[0] ?? '';
    const content = line.slice(indent.length);
    if (!indent || content.length < 30 || content.length > 110 || /^(\/\/|\/\*|\*|[)\]}])/.test(content)) continue;
    const cut = starts[i]! + indent.length;
    if (out.some((s) => s.path === path && Math.abs(s.cut - cut) < 500)) continue;
    const keys = [...content];
    // 80–200 ms between keys, now and then a 600–1500 ms pause (the replay's rhythm, replay.ts).
    const gaps = keys.map((k) => (rand() < (/[(.,=:\s]/.test(k) ? 0.08 : 0.04) ? 600 + rand() * 900 : 80 + rand() * 120));
    out.push({ path: join(ROOT, path), text, cut, end: cut + content.length, keys, gaps });
  }
  return out;
}

interface KeyRecord {
  at: number;
  gapAfter: number;
  resolvedAt?: number;
  item?: CompletionItem;
  cancelled: boolean;
}

/** A fetch that tags each request with the engine's id (so the server log says whose it was). */
function taggingFetch(current: () => string | undefined): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    const id = current();
    if (id) headers.set(HEADER, id);
    return fetch(input, { ...init, headers });
  };
}

async function typist(user: number, sim: SimClient, segments: Segment[], keys: KeyRecord[], shown: Set<string>): Promise<void> {
  let engineId: string | undefined;
  const status = { offline: false, reportOk: () => {}, reportError: () => {} };
  const connection = new Connection({
    host: () => sim.url,
    apiKey: () => undefined,
    kind: () => 'openai',
    status,
    isFocused: () => true,
    createBackend: (host) => new OpenAICompatibleBackend({ host, infill: 'never', fetch: taggingFetch(() => engineId) }),
  });
  let doc = { path: '', text: '', version: 0 };
  const context: EditorContextSource = {
    openDocuments: () => [{ path: doc.path, languageId: 'typescript', version: doc.version, getText: () => doc.text }],
    recentEdits: () => [],
    readFile: () => Promise.resolve(undefined),
    displayPath: (p) => relative(ROOT, p),
  };
  const engine = new CompletionEngine({ backend: () => connection.backend(), context, events: { onRequestStart: ({ id }) => (engineId = `${user}:${id}`) } });
  try {
    for (const s of segments) {
      await sim.ask({ type: 'hole', user, hole: { path: s.path, cut: s.cut, end: s.end } });
      let pos = s.cut;
      let controller: AbortController | undefined;
      let next = now();
      for (const [k, typed] of s.keys.entries()) {
        await sleep(next - now());
        controller?.abort();
        pos += typed.length;
        doc = { path: s.path, text: s.text.slice(0, pos) + s.text.slice(s.end), version: doc.version + 1 };
        const record: KeyRecord = { at: now(), gapAfter: s.gaps[k]!, cancelled: false };
        keys.push(record);
        const own = (controller = new AbortController());
        void engine
          .complete({ path: s.path, displayPath: relative(ROOT, s.path), repoName: 'team', languageId: 'typescript', text: doc.text, offset: pos, indentation: { insertSpaces: true, tabSize: 2 }, model: MODEL, settings: SETTINGS, signal: own.signal })
          .then((item) => {
            record.resolvedAt = now();
            if (own.signal.aborted) record.cancelled = true;
            else if (item) {
              record.item = item;
              shown.add(`${user}:${item.id}`);
            }
          });
        next = record.at + record.gapAfter;
      }
      await sleep(next - now());
      controller?.abort();
      await sim.ask({ type: 'hole', user, hole: null });
    }
  } finally {
    engine.dispose();
    connection.dispose();
  }
}

// ---- one run per user count -----------------------------------------------------------------

export interface TeamRow {
  users: number;
  keys: number;
  minutes: number;
  pauseGhostP50: number;
  pauseGhostP90: number;
  pauseGhostP95: number;
  pauses: number;
  pausesWithoutGhost: number;
  requestsPerUserMinute: number;
  busyAnswers: number;
  maxOpen: number;
  /** Most completion requests one person had open at the server at once. */
  maxOpenPerUser: number;
  maxBatch: number;
  unseenShare: number;
}

function maxOpen(records: readonly Slim[]): number {
  const edges = records.flatMap((r) => [[r.arrivedAt, 1] as const, [r.endedAt ?? Infinity, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (open += d));
  return most;
}

async function run(sim: SimClient, users: number, perUser: number, seed: number): Promise<TeamRow> {
  await sim.ask({ type: 'reset' });
  const keys: KeyRecord[] = [];
  const shown = new Set<string>();
  const started = now();
  await Promise.all(
    Array.from({ length: users }, (_, u) => {
      const rand = prng(seed * 1000 + u);
      const segments = segmentsOf(FILES[u % FILES.length]!, rand, perUser);
      // Not all in step: each person starts within the first two seconds.
      return sleep(rand() * 2000).then(() => typist(u, sim, segments, keys, shown));
    }),
  );
  const minutes = (now() - started) / 60_000;
  await sleep(200);
  const log = await sim.ask<{ records: Slim[]; maxBatch: number }>({ type: 'log' });
  const completions = log.records.filter((r) => r.endpoint === 'completions');
  const delays: number[] = [];
  let without = 0;
  for (const k of keys.filter((r) => r.gapAfter >= PAUSE_MS)) {
    if (!k.item || k.cancelled || k.resolvedAt === undefined) without++;
    else delays.push(k.item.fromCache ? 0 : k.resolvedAt - k.at);
  }
  const tokens = completions.reduce((n, r) => n + r.tokensSent, 0);
  const unseen = completions.filter((r) => !r.engineId || !shown.has(r.engineId)).reduce((n, r) => n + r.tokensSent, 0);
  return {
    users,
    keys: keys.length,
    minutes,
    pauseGhostP50: median(delays),
    pauseGhostP90: quantile(delays, 0.9),
    pauseGhostP95: quantile(delays, 0.95),
    pauses: delays.length,
    pausesWithoutGhost: without,
    requestsPerUserMinute: completions.length / users / minutes,
    busyAnswers: completions.filter((r) => r.status === 503 || r.status === 429).length,
    maxOpen: maxOpen(completions),
    maxOpenPerUser: Math.max(0, ...Array.from({ length: users }, (_, u) => maxOpen(completions.filter((r) => r.engineId?.startsWith(`${u}:`))))),
    maxBatch: log.maxBatch,
    unseenShare: tokens === 0 ? 0 : unseen / tokens,
  };
}

async function main(): Promise<void> {
  const seed = Number(argValue('seed') ?? 42);
  const counts = (argValue('users') ?? '1,8,32').split(',').map(Number);
  const perUser = hasFlag('quick') ? 2 : 4;
  console.log(`Team load against the vLLM simulator (continuous batching, max 32 decoded together, 64 queued): ${TEAM_TIMING.tokenMs} ms/token alone, ×(1 + ${TEAM_TIMING.batchSlowdown} × (batch − 1)), prefill ${TEAM_TIMING.promptMsPerToken} ms/token; ${perUser} places per person, seed ${seed}\n`);
  const sim = await startChild();
  const rows: TeamRow[] = [];
  try {
    for (const users of counts) rows.push(await run(sim, users, perUser, seed));
  } finally {
    sim.stop();
  }
  console.log(
    table([
      ['users', 'keys', 'pause→ghost p50', 'p90', 'p95', 'pauses (no ghost)', 'req/user/min', '503/429', 'max open at server', 'max per user', 'max batch', 'tokens never shown'],
      ...rows.map((r) => [String(r.users), String(r.keys), fmtMs(r.pauseGhostP50, 0), fmtMs(r.pauseGhostP90, 0), fmtMs(r.pauseGhostP95, 0), `${r.pauses} (${r.pausesWithoutGhost})`, r.requestsPerUserMinute.toFixed(1), String(r.busyAnswers), String(r.maxOpen), String(r.maxOpenPerUser), String(r.maxBatch), fmtPct(r.unseenShare)]),
    ]),
  );
  emitResult({ seed, timing: TEAM_TIMING, rows });
}

if (process.argv.includes('--sim-child')) void simChild();
else
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
