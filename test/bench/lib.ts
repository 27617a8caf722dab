// Shared pieces of the benchmark scripts: a seeded PRNG, percentiles, the result line that
// run.ts collects, a fetch that time-stamps what goes over the wire, and a simulator in a child
// process (so that its work and its heap are not counted as the extension's).

import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { RequestRecord, SimConfig } from '../sim/types';
import type { Hole } from './replay-answer';

export const ROOT = resolve(__dirname, '../..');

// ---- arguments and results -------------------------------------------------------------------

export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at !== -1) return process.argv[at + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** The line run.ts looks for in a child's output: the figures as JSON. */
export const RESULT_MARK = '@@bench-result ';

export function emitResult(result: unknown): void {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

// ---- numbers -----------------------------------------------------------------------------------

/** mulberry32: small, fast and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank quantile (0..1) of unsorted values; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Milliseconds since the epoch with sub-millisecond resolution (comparable with Date.now()). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export function fmtMs(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a';
}

export function fmtPct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : 'n/a';
}

/** A plain text table: first row is the header; cells starting with a number right-aligned unless `left`. */
export function table(rows: readonly (readonly string[])[], left = false): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (i > 0 && !left && /^[-+]?\d/.test(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

// ---- the wire --------------------------------------------------------------------------------

/** One HTTP request the backend made, as seen from the extension's side. */
export interface WireCall {
  /** The engine's request id (from `onRequestStart`), also sent as the `x-bench-request` header. */
  engineId: string | undefined;
  url: string;
  /** When the backend called fetch. */
  fetchAt: number;
  /** When the response headers were in. */
  responseAt?: number;
  /** When the last body chunk the consumer asked for was handed to it. */
  lastChunkAt?: number;
  chunks: number;
}

export const REQUEST_HEADER = 'x-bench-request';

/**
 * A fetch to pass as `OllamaBackend`'s `fetch` option. It records when the backend called it and
 * when each body chunk reached the client. The body is re-wrapped as a pull stream with no
 * buffering (highWaterMark 0): a chunk is read only when the client asks for one, so
 * `lastChunkAt` is the last chunk the engine actually used, not one read ahead.
 */
export class Wire {
  readonly calls: WireCall[] = [];
  private readonly byEngineId = new Map<string, WireCall>();
  /** Set from the engine's `onRequestStart`: requests are serial, so the next fetch is its. */
  currentEngineId: string | undefined;

  forEngine(id: string): WireCall | undefined {
    return this.byEngineId.get(id);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const call: WireCall = { engineId: this.currentEngineId, url: String(input), fetchAt: now(), chunks: 0 };
    this.calls.push(call);
    if (call.engineId !== undefined) this.byEngineId.set(call.engineId, call);
    const headers = { ...((init?.headers ?? {}) as Record<string, string>) }; // the ollama client passes a plain object
    if (call.engineId !== undefined) headers[REQUEST_HEADER] = call.engineId;
    const response = await fetch(input, { ...init, headers });
    call.responseAt = now();
    if (!response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const { value, done } = await reader.read();
            if (done) {
              controller.close();
              return;
            }
            call.lastChunkAt = now();
            call.chunks++;
            controller.enqueue(value);
          } catch (error) {
            controller.error(error);
          }
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  /** Drops what was recorded (keeps the memory benchmark's heap flat). */
  clear(): void {
    this.calls.length = 0;
    this.byEngineId.clear();
  }
}

// ---- the simulator in a child process ----------------------------------------------------

/** The part of a simulator log record the benchmarks read (bodies and prompts stay in the child). */
export type SimRecord = Pick<
  RequestRecord,
  'id' | 'endpoint' | 'arrivedAt' | 'startedAt' | 'firstTokenAt' | 'endedAt' | 'aborted' | 'outcome' | 'tokensSent' | 'promptTokens' | 'promptEvaluated'
> & { engineId?: string };

export function simRecord(r: RequestRecord): SimRecord {
  return {
    id: r.id,
    endpoint: r.endpoint,
    arrivedAt: r.arrivedAt,
    startedAt: r.startedAt,
    firstTokenAt: r.firstTokenAt,
    endedAt: r.endedAt,
    aborted: r.aborted,
    outcome: r.outcome,
    tokensSent: r.tokensSent,
    promptTokens: r.promptTokens,
    promptEvaluated: r.promptEvaluated,
    engineId: r.headers[REQUEST_HEADER],
  };
}

export interface SimStats {
  maxConcurrentGenerations: number;
  maxConcurrentRequests: number;
  inFlight: number;
  /** Replay only: completion requests that matched no position of the current hole. */
  unmatchedAnswers: number;
}

export interface SimProcess {
  url: string;
  pid: number;
  log(): Promise<SimRecord[]>;
  stats(): Promise<SimStats>;
  clearLog(): Promise<void>;
  /** Typing replay: completions answer with the real file's continuation in this hole (null: the default answer). */
  setHole(hole: Hole | null): Promise<void>;
  stop(): Promise<void>;
}

/** Starts test/bench/sim-child.ts (an OllamaSimulator on 127.0.0.1) and waits until it listens. */
export async function startSimProcess(config: SimConfig): Promise<SimProcess> {
  const child: ChildProcess = fork(join(__dirname, 'sim-child.ts'), [JSON.stringify(config)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, (value: unknown) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`simulator process exited (${code}) before it listened`));
    child.once('exit', onExit);
    child.on('message', (raw) => {
      const message = raw as { type: string; id?: number; url?: string; value?: unknown };
      if (message.type === 'ready' && message.url) {
        child.off('exit', onExit);
        resolve(message.url);
      } else if (message.type === 'reply' && message.id !== undefined) {
        pending.get(message.id)?.(message.value);
        pending.delete(message.id);
      }
    });
  });
  const ask = <T>(type: string, value?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error('simulator process is gone'));
      const id = nextId++;
      pending.set(id, (v) => resolve(v as T)); // the child replies with the shape named by `type`
      child.send({ type, id, value });
    });
  return {
    url,
    pid: child.pid ?? -1,
    log: () => ask<SimRecord[]>('log'),
    stats: () => ask<SimStats>('stats'),
    clearLog: () => ask<void>('clear-log'),
    setHole: (hole) => ask<void>('hole', hole),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect(); // the child stops its server and exits when the channel closes
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Most records overlapping in time between `startedAt` and `endedAt` (generations at once). */
export function maxOverlap(records: readonly Pick<SimRecord, 'startedAt' | 'endedAt'>[]): number {
  const events: [number, number][] = [];
  for (const r of records) {
    if (r.startedAt === undefined) continue;
    events.push([r.startedAt, 1], [r.endedAt ?? Infinity, -1]);
  }
  // At equal times an end comes before a start: one ending as the next begins is not overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (open += delta));
  return max;
}
