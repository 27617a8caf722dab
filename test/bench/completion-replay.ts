// Typing replay: real source files retyped key by key at human speed, with the engine called per
// keystroke exactly as the VS Code provider calls it, against the Ollama simulator answering as a
// perfect model would (the true continuation of the file). Measures how many requests reach the
// server, how much generated text is never seen, whether typing the ghost text keeps it on screen
// without a new request ("typing through"), that the server never runs two at once, and the delay
// between a pause in typing and the ghost text beyond the server's own time.
//
//   npx tsx test/bench/completion-replay.ts [--quick] [--seed N] [--segments N] [--auto-close] [--legacy] [--trace]
//
// --legacy: the engine's policy before ghost text ahead (every keystroke aborts the request in
//   flight, no asking ahead, no newline stop, the older debounce), to compare side by side.
//
// --auto-close: "(" and "[" get their closer inserted after the cursor and typing the closer types
//   over it, as VS Code does by default ("{" and quotes are not modelled).
// --trace prints every keystroke: what was typed, the gap after it, the ghost text, the requests.
//
// The files come from packages in node_modules, none written for this test. For each, a few cut
// points at the start of a line inside a body (after its indentation, where Enter left the
// cursor): the document is the file without the next 1 to 3 lines (at least 30 characters), and
// those are typed back one key at a time; Enter inserts the newline and the next line's indentation
// at once (auto-indent). No typos and no accepting with Tab: every character is typed, so typing
// through the ghost text can be counted. Brackets are not auto-closed unless --auto-close.
//
// Keys come 80–200 ms apart, with 600–1500 ms pauses now and then (more often at line ends), all
// drawn from a PRNG seeded with --seed: what is typed and when is the same on every run.
//
// The editor model: VS Code calls the provider on every keystroke and cancels the previous call's
// token. While the typed character matches the ghost text on screen, the rest stays on screen; any
// other character hides it. A call that resolves with an item (and was not cancelled) puts its
// text on screen.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { OllamaBackend } from '../../src/backend/ollama';
import type { EditorContextSource, OpenDocument } from '../../src/completion/context';
import { CompletionEngine, type CompletionItem } from '../../src/completion/engine';
import type { Indentation } from '../../src/completion/postprocess';
import {
  argValue,
  emitResult,
  fmtMs,
  fmtPct,
  hasFlag,
  maxOverlap,
  median,
  now,
  prng,
  quantile,
  ROOT,
  sleep,
  startSimProcess,
  table,
  Wire,
  type SimRecord,
} from './lib';
import { MODEL, SETTINGS } from './workspace';

const FILES: { path: string; languageId: string }[] = [
  { path: 'node_modules/htmlparser2/src/Tokenizer.ts', languageId: 'typescript' },
  { path: 'node_modules/ajv/lib/compile/codegen/index.ts', languageId: 'typescript' },
  { path: 'node_modules/picomatch/lib/parse.js', languageId: 'javascript' },
  { path: 'node_modules/flatted/python/flatted.py', languageId: 'python' },
  { path: 'node_modules/flatted/golang/pkg/flatted/flatted.go', languageId: 'go' },
];

/** Ollama-like timing on a modest machine: first load, prompt evaluation, generation speed. */
export const REPLAY_TIMING = { loadMs: 300, promptMsPerToken: 0.2, tokenMs: 15 };
const MIN_TYPED = 30;
const MAX_TYPED = 110;
const MAX_LINES = 3;
const PAUSE_MS = 600;

interface Source {
  path: string;
  languageId: string;
  text: string;
  indentation: Indentation;
}

interface Segment {
  source: Source;
  cut: number;
  end: number;
  keys: string[];
  /** Planned gap after each key (after the last one the cursor moves to the next place). */
  gaps: number[];
}

interface KeyRecord {
  file: string;
  /** Index of the place (segment) in the run. */
  place: number;
  at: number;
  typed: string;
  gapAfter: number;
  /** The typed text equals the start of the ghost text on screen and some of it remains. */
  matched: boolean;
  /** The typed text was the last of the ghost text. */
  completedGhost: boolean;
  /** The ghost text left after this key (when matched). */
  rest: string;
  resolvedAt?: number;
  item?: CompletionItem;
  /** Superseded by the next key (or the end of the segment) before it resolved. */
  cancelled: boolean;
  /** Engine requests started during this key's call. */
  requests: string[];
}

function loadSource(path: string, languageId: string): Source {
  const text = readFileSync(join(ROOT, path), 'utf8').replace(/\r\n/g, '\n');
  const indented = text.split('\n').map((l) => /^[ \t]+/.exec(l)?.[0] ?? '');
  const tabs = indented.filter((w) => w.startsWith('\t')).length;
  const spaces = indented.filter((w) => w.startsWith(' ')).map((w) => w.length);
  const unit = spaces.length > 0 && spaces.filter((n) => n % 4 !== 0).length > spaces.length / 10 ? 2 : 4;
  return { path: join(ROOT, path), languageId, text, indentation: tabs > spaces.length ? { insertSpaces: false, tabSize: 4 } : { insertSpaces: true, tabSize: unit } };
}

/** Cut points: line starts (after the indentation) inside a body, one drawn from each of `count` bands of the file. */
function pickSegments(source: Source, count: number, rand: () => number): Segment[] {
  const lines = source.text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const lead = (line: string) => /^[ \t]*/.exec(line)?.[0] ?? '';
  const isCode = (line: string | undefined) => {
    const content = (line ?? '').trim();
    return content.length > 0 && !/^(\/\/|\/\*|\*|#|"""|''')/.test(content);
  };
  const candidates: Segment[] = [];
  for (let i = 3; i < lines.length - 3; i++) {
    const line = lines[i] as string;
    const indent = lead(line);
    const content = line.slice(indent.length);
    if (!indent || content.length < 10 || content.length > MAX_TYPED || !isCode(line) || /^[)\]}>;,]/.test(content) || !isCode(lines[i - 1])) continue;
    const keys = [...content];
    let typed = content.length;
    let last = i;
    while (typed < MIN_TYPED && last - i + 1 < MAX_LINES && isCode(lines[last + 1])) {
      const next = lines[++last] as string;
      const nextIndent = lead(next);
      if (typed + next.length - nextIndent.length + 1 > MAX_TYPED) {
        last--;
        break;
      }
      keys.push(`\n${nextIndent}`, ...next.slice(nextIndent.length));
      typed += next.length - nextIndent.length + 1;
    }
    if (typed < MIN_TYPED / 2) continue;
    const cut = (starts[i] as number) + indent.length;
    const end = (starts[last] as number) + (lines[last] as string).length;
    candidates.push({ source, cut, end, keys, gaps: [] });
  }
  const chosen: Segment[] = [];
  for (let band = 0; band < count && candidates.length > 0; band++) {
    const from = Math.floor((band * candidates.length) / count);
    const to = Math.max(from + 1, Math.floor(((band + 1) * candidates.length) / count));
    const pick = candidates[from + Math.floor(rand() * (to - from))] as Segment;
    if (chosen.some((s) => s.cut < pick.end && pick.cut < s.end)) continue;
    chosen.push(pick);
  }
  for (const segment of chosen) segment.gaps = rhythm(segment.keys, rand);
  return chosen;
}

/** Gaps after each key: 80–200 ms, or a 600–1500 ms pause (likelier after Enter and at a line's end). */
function rhythm(keys: readonly string[], rand: () => number): number[] {
  return keys.map((key, i) => {
    // After the last key the cursor moves on at typing speed: at the end of the hole a perfect
    // model has nothing to add, so a pause there would only measure an empty answer.
    if (i === keys.length - 1) return 80 + rand() * 120;
    const next = keys[i + 1] as string;
    const chance = key.startsWith('\n') ? 0.35 : next.startsWith('\n') ? 0.2 : /[(.,=:\s]/.test(key) ? 0.08 : 0.04;
    return rand() < chance ? 600 + rand() * 900 : 80 + rand() * 120;
  });
}

interface FileFigures {
  file: string;
  language: string;
  keystrokes: number;
  requests: number;
  requestsPer100Keys: number;
  tokens: number;
  unseenTokens: number;
  unseenShare: number;
  typedThrough: number;
  typedThroughHits: number;
  hitRate: number;
  maxConcurrent: number;
  pauses: number;
  pauseGhostMedianMs: number;
}

export interface ReplayResult {
  seed: number;
  /** Brackets auto-closed as VS Code does by default (--auto-close). */
  autoClose: boolean;
  /** The engine policy replayed (`--legacy`: the one before ghost text ahead). */
  policy: 'ahead' | 'legacy';
  timing: typeof REPLAY_TIMING;
  files: FileFigures[];
  overall: FileFigures;
  /** sim.maxConcurrentGenerations() over the whole run. */
  maxConcurrentGenerations: number;
  maxConcurrentRequests: number;
  pauseGhost: {
    count: number;
    median: number;
    p90: number;
    rawMedian: number;
    rawP90: number;
    /** Over every pause that showed ghost text, those already there counting 0 ms (wall clock). */
    allMedian: number;
    allP90: number;
    serverMedian: number;
    /** Parts of the delay (medians): key → fetch called (debounce, context, prompt), fetch → arrival at the server, last chunk → resolved. */
    keyToFetchMedian: number;
    fetchToArrivalMedian: number;
    lastChunkToItemMedian: number;
    /** The debounce the scheduler computes from this typing rhythm (1.5 × median gap, within ½–2 × the setting). */
    adaptiveDebounceMs: number;
    /** Pauses whose suggestion came from the cache (typing through): no wait at all. */
    cached: number;
    /** Pauses where the engine answered "nothing" (e.g. at a line's end, where a one-line answer is empty). */
    empty: number;
    /** Pauses that ended (typing resumed) before the suggestion came. */
    late: number;
  };
  /** Requests, other than the first at each place, whose prompt the server evaluated (nearly) whole: its prompt cache did not help. */
  fullPromptEvaluations: number;
  /** Requests other than the first at each place. */
  laterRequests: number;
  /** Over those: the share of prompt tokens the server's prompt cache held (the common prefix with the request before). */
  reusedPromptShare: number;
  misses: Record<string, number>;
  completedGhost: number;
  unmatchedAnswers: number;
  engine: ReturnType<CompletionEngine['stats']['snapshot']>;
}

async function main(): Promise<void> {
  const quick = hasFlag('quick');
  const seed = Number(argValue('seed') ?? 42);
  const perFile = Number(argValue('segments') ?? (quick ? 1 : 2));
  const autoClose = hasFlag('auto-close');
  const rand = prng(seed);
  const sources = FILES.map((f) => loadSource(f.path, f.languageId));
  const segments = sources.map((s) => pickSegments(s, perFile, rand));
  const keyCount = segments.flat().reduce((n, s) => n + s.keys.length, 0);
  console.log(
    `Typing replay, seed ${seed}: ${sources.length} files, ${segments.flat().length} places, ${keyCount} keystrokes; auto-closing brackets ${autoClose ? 'ON (VS Code default: "(" and "[" get their closer, typed over later)' : 'off'}`,
  );
  console.log(`Simulator timing: load ${REPLAY_TIMING.loadMs} ms, prompt ${REPLAY_TIMING.promptMsPerToken} ms/token, ${REPLAY_TIMING.tokenMs} ms/token generated; debounce setting ${SETTINGS.debounceMs} ms\n`);

  const sim = await startSimProcess({ timing: REPLAY_TIMING });
  const wire = new Wire();
  const backend = new OllamaBackend({ host: sim.url, fetch: wire.fetch });
  // The other replay files are open in the editor too (context from other files, as in VS Code).
  let current: { source: Source; doc: string } | undefined;
  let version = 1;
  const context: EditorContextSource = {
    openDocuments: (): OpenDocument[] =>
      sources.map((s) => {
        const text = current?.source === s ? current.doc : s.text;
        return { path: s.path, languageId: s.languageId, version: current?.source === s ? version : 0, getText: () => text };
      }),
    recentEdits: () => [],
    readFile: () => Promise.resolve(undefined),
    displayPath: (p) => relative(ROOT, p),
  };
  const records: KeyRecord[] = [];
  let active: KeyRecord | undefined;
  const engine = new CompletionEngine({
    backend: () => backend,
    context,
    policy: hasFlag('legacy') ? 'legacy' : 'ahead',
    events: {
      onRequestStart: ({ id }) => {
        wire.currentEngineId = id;
        active?.requests.push(id);
      },
    },
  });

  try {
    for (const [place, segment] of segments.flat().entries()) {
      const { source, cut, end } = segment;
      const file = relative(ROOT, source.path);
      await sim.setHole({ path: source.path, cut, end });
      let pos = cut;
      /** Closing brackets the editor inserted after the cursor (--auto-close), innermost first. */
      let closers = '';
      let ghost = '';
      let controller: AbortController | undefined;
      let next = now();
      for (let k = 0; k < segment.keys.length; k++) {
        await sleep(next - now());
        const typed = segment.keys[k] as string;
        controller?.abort(); // VS Code cancels the previous call's token when the next key arrives
        const matched = ghost.length > typed.length && ghost.startsWith(typed);
        const completedGhost = ghost === typed;
        ghost = matched ? ghost.slice(typed.length) : '';
        if (autoClose) {
          // VS Code's defaults: an opener gets its closer when the next character is whitespace or a
          // closer (always so here); typing a closer the editor inserted types over it.
          if (typed.length === 1 && closers.startsWith(typed)) closers = closers.slice(1);
          else if (typed === '(' || typed === '[') closers = (typed === '(' ? ')' : ']') + closers;
        }
        pos += typed.length;
        const doc = source.text.slice(0, pos) + closers + source.text.slice(end);
        current = { source, doc };
        version++;
        const record: KeyRecord = { file, place, at: now(), typed, gapAfter: segment.gaps[k] as number, matched, completedGhost, rest: ghost, cancelled: false, requests: [] };
        records.push(record);
        active = record;
        const own = new AbortController();
        controller = own;
        const call = engine.complete({
          path: source.path,
          displayPath: file,
          repoName: 'bench',
          languageId: source.languageId,
          text: doc,
          offset: pos,
          indentation: source.indentation,
          model: MODEL,
          settings: SETTINGS,
          signal: own.signal,
        });
        void call.then((item) => {
          record.resolvedAt = now();
          if (own.signal.aborted) {
            record.cancelled = true;
            return;
          }
          record.item = item;
          ghost = item?.insertText ?? '';
        });
        next = record.at + record.gapAfter;
      }
      await sleep(next - now());
      controller?.abort(); // the cursor moves to the next place
      active = undefined;
      await waitForIdle(sim);
      await sim.setHole(null);
    }

    const log = (await sim.log()).filter((r) => r.endpoint === 'generate');
    const stats = await sim.stats();
    const result = { ...figures(records, log, wire, seed, stats, engine), autoClose, policy: hasFlag('legacy') ? ('legacy' as const) : ('ahead' as const) };
    if (hasFlag('trace')) trace(records, log);
    print(result, quick);
    emitResult(result);
  } finally {
    engine.dispose();
    await sim.stop();
  }
}

async function waitForIdle(sim: Awaited<ReturnType<typeof startSimProcess>>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await sim.stats()).inFlight === 0) return;
    await sleep(10);
  }
}

function figures(
  records: KeyRecord[],
  log: SimRecord[],
  wire: Wire,
  seed: number,
  stats: Awaited<ReturnType<Awaited<ReturnType<typeof startSimProcess>>['stats']>>,
  engine: CompletionEngine,
): Omit<ReplayResult, 'autoClose' | 'policy'> {
  // Requests whose result reached the editor (directly, or later from the cache).
  const handed = new Set(records.flatMap((r) => (r.item ? [r.item.id] : [])));
  const keyOfRequest = new Map<string, KeyRecord>();
  for (const r of records) for (const id of r.requests) keyOfRequest.set(id, r);
  const misses: Record<string, number> = {};

  const pauseDelays: { delay: number; raw: number; server: number; toFetch: number; toArrival: number; afterLast: number }[] = [];
  let pausesCached = 0;
  let pausesEmpty = 0;
  let pausesLate = 0;
  const perFile = (file: string | undefined): FileFigures => {
    const keys = records.filter((r) => file === undefined || r.file === file);
    const reqs = log.filter((r) => {
      const key = r.engineId === undefined ? undefined : keyOfRequest.get(r.engineId);
      return file === undefined || key?.file === file;
    });
    const tokens = reqs.reduce((n, r) => n + r.tokensSent, 0);
    const unseen = reqs.filter((r) => r.engineId === undefined || !handed.has(r.engineId)).reduce((n, r) => n + r.tokensSent, 0);
    const through = keys.filter((r) => r.matched);
    const hits = through.filter((r) => !r.cancelled && r.item?.fromCache === true && r.item.insertText === r.rest && r.requests.length === 0);
    if (file === undefined) {
      for (const r of through) {
        if (hits.includes(r)) continue;
        const reason = r.cancelled
          ? 'still waiting at the next key'
          : !r.item
            ? 'no suggestion returned'
            : !r.item.fromCache || r.requests.length > 0
              ? 'new request'
              : 'different text';
        misses[reason] = (misses[reason] ?? 0) + 1;
      }
    }
    const delays: number[] = [];
    for (const r of keys.filter((k) => k.gapAfter >= PAUSE_MS)) {
      if (!r.item || r.cancelled) {
        if (file === undefined && r.cancelled) pausesLate++;
        else if (file === undefined) pausesEmpty++;
        continue;
      }
      if (r.item.fromCache) {
        if (file === undefined) pausesCached++;
        continue;
      }
      const rec = log.find((l) => l.engineId === r.item?.id);
      const call = wire.forEngine(r.item.id);
      if (!rec || call?.lastChunkAt === undefined || r.resolvedAt === undefined) continue;
      const raw = r.resolvedAt - r.at;
      const server = call.lastChunkAt - rec.arrivedAt;
      delays.push(raw - server);
      if (file === undefined) {
        pauseDelays.push({ delay: raw - server, raw, server, toFetch: call.fetchAt - r.at, toArrival: rec.arrivedAt - call.fetchAt, afterLast: r.resolvedAt - call.lastChunkAt });
      }
    }
    return {
      file: file ?? 'all',
      language: file === undefined ? '' : (FILES.find((f) => file.endsWith(f.path))?.languageId ?? ''),
      keystrokes: keys.length,
      requests: reqs.length,
      requestsPer100Keys: (100 * reqs.length) / Math.max(1, keys.length),
      tokens,
      unseenTokens: unseen,
      unseenShare: tokens === 0 ? 0 : unseen / tokens,
      typedThrough: through.length,
      typedThroughHits: hits.length,
      hitRate: through.length === 0 ? NaN : hits.length / through.length,
      maxConcurrent: maxOverlap(reqs),
      pauses: delays.length,
      pauseGhostMedianMs: median(delays),
    };
  };
  const files = [...new Set(records.map((r) => r.file))].map((f) => perFile(f));
  const overall = perFile(undefined);
  return {
    seed,
    timing: REPLAY_TIMING,
    files,
    overall,
    maxConcurrentGenerations: stats.maxConcurrentGenerations,
    maxConcurrentRequests: stats.maxConcurrentRequests,
    pauseGhost: {
      count: pauseDelays.length,
      median: median(pauseDelays.map((d) => d.delay)),
      p90: quantile(
        pauseDelays.map((d) => d.delay),
        0.9,
      ),
      rawMedian: median(pauseDelays.map((d) => d.raw)),
      rawP90: quantile(
        pauseDelays.map((d) => d.raw),
        0.9,
      ),
      allMedian: median([...pauseDelays.map((d) => d.raw), ...Array<number>(pausesCached).fill(0)]),
      allP90: quantile([...pauseDelays.map((d) => d.raw), ...Array<number>(pausesCached).fill(0)], 0.9),
      serverMedian: median(pauseDelays.map((d) => d.server)),
      keyToFetchMedian: median(pauseDelays.map((d) => d.toFetch)),
      fetchToArrivalMedian: median(pauseDelays.map((d) => d.toArrival)),
      lastChunkToItemMedian: median(pauseDelays.map((d) => d.afterLast)),
      adaptiveDebounceMs: adaptiveDebounce(records),
      cached: pausesCached,
      empty: pausesEmpty,
      late: pausesLate,
    },
    ...promptCache(log, keyOfRequest),
    misses,
    completedGhost: records.filter((r) => r.completedGhost).length,
    unmatchedAnswers: stats.unmatchedAnswers,
    engine: engine.stats.snapshot(),
  };
}

/** Requests after the first at each place (which evaluates new text whole anyway), and how many of them the prompt cache did not help. */
function promptCache(
  log: readonly SimRecord[],
  keyOfRequest: ReadonlyMap<string, KeyRecord>,
): { fullPromptEvaluations: number; laterRequests: number; reusedPromptShare: number } {
  const seen = new Set<number | undefined>();
  let later = 0;
  let full = 0;
  let tokens = 0;
  let reused = 0;
  for (const r of log) {
    const place = r.engineId === undefined ? undefined : keyOfRequest.get(r.engineId)?.place;
    if (!seen.has(place)) {
      seen.add(place);
      continue;
    }
    later++;
    if (r.promptTokens === undefined || r.promptEvaluated === undefined) continue;
    if (r.promptEvaluated >= r.promptTokens * 0.9) full++;
    tokens += r.promptTokens;
    reused += r.promptTokens - r.promptEvaluated;
  }
  return { fullPromptEvaluations: full, laterRequests: later, reusedPromptShare: tokens === 0 ? 0 : reused / tokens };
}

/** What scheduler.ts `debounceMs()` gives for this rhythm: 1.5 × the median gap under 1 s, within ½–2 × the setting. */
function adaptiveDebounce(records: readonly KeyRecord[]): number {
  const gaps = records.map((r) => r.gapAfter).filter((g) => g < 1000);
  const base = SETTINGS.debounceMs;
  return Math.round(Math.min(2 * base, Math.max(base / 2, 1.5 * median(gaps))));
}

function trace(records: readonly KeyRecord[], log: readonly SimRecord[]): void {
  let file = '';
  const t0 = records[0]?.at ?? 0;
  for (const r of records) {
    if (r.file !== file) console.log(`\n== ${(file = r.file)}`);
    const requests = r.requests.map((id) => {
      const rec = log.find((l) => l.engineId === id);
      return `#${id}${rec ? ` ${rec.outcome ?? 'open'} ${rec.tokensSent} tok ${(rec.endedAt ?? 0) - rec.arrivedAt} ms, prompt ${rec.promptEvaluated ?? '?'}/${rec.promptTokens ?? '?'} evaluated` : ' (never reached the server)'}`;
    });
    const answer = r.cancelled ? 'cancelled' : r.item ? `${r.item.fromCache ? 'cache' : 'fresh'} #${r.item.id} ${JSON.stringify(r.item.insertText)}` : 'none';
    console.log(
      `${((r.at - t0) / 1000).toFixed(2).padStart(7)} s ${JSON.stringify(r.typed).padEnd(8)} +${r.gapAfter.toFixed(0).padStart(4)} ms ${r.matched ? 'through' : r.completedGhost ? 'last   ' : '       '} ${answer}${requests.length ? ` ← ${requests.join(', ')}` : ''}${r.resolvedAt !== undefined && r.item && !r.item.fromCache ? ` after ${(r.resolvedAt - r.at).toFixed(0)} ms` : ''}`,
    );
  }
  console.log('');
}

function print(result: ReplayResult, quick: boolean): void {
  const row = (f: FileFigures) => [
    f.file.replace(/^node_modules\//, ''),
    f.language,
    String(f.keystrokes),
    String(f.requests),
    f.requestsPer100Keys.toFixed(1),
    fmtPct(f.unseenShare),
    `${f.typedThroughHits}/${f.typedThrough}`,
    fmtPct(f.hitRate),
    String(f.maxConcurrent),
    f.pauses > 0 ? `${fmtMs(f.pauseGhostMedianMs, 0)} (${f.pauses})` : 'n/a',
  ];
  console.log(
    table([
      ['file', 'language', 'keys', 'requests', 'req/100 keys', 'unseen tokens', 'typed through', 'hit rate', 'max conc.', 'pause→ghost − server (n)'],
      ...result.files.map(row),
      row(result.overall),
    ]),
  );
  const p = result.pauseGhost;
  console.log(`\nseed ${result.seed}${quick ? ' (--quick)' : ''}; max concurrent generations at the server: ${result.maxConcurrentGenerations} (HTTP requests open at once, queued included: ${result.maxConcurrentRequests})`);
  console.log(
    `pause → ghost text: ${p.count} pauses got a fresh suggestion: median ${fmtMs(p.median, 0)} beyond the server's ${fmtMs(p.serverMedian, 0)} (p90 ${fmtMs(p.p90, 0)}, raw median ${fmtMs(p.rawMedian, 0)}); ${p.cached} already had it from the cache, ${p.empty} got an empty answer, ${p.late} ended before it came`,
  );
  console.log(
    `  made of (medians): key → fetch ${fmtMs(p.keyToFetchMedian, 0)} (the adaptive debounce for this rhythm is ~${p.adaptiveDebounceMs} ms), fetch → at the server ${fmtMs(p.fetchToArrivalMedian, 0)}, last chunk → ghost text ${fmtMs(p.lastChunkToItemMedian, 1)}`,
  );
  console.log(
    `prompt cache: ${result.fullPromptEvaluations} of ${result.laterRequests} requests after the first at each place had (nearly) their whole prompt evaluated again; over them, ${fmtPct(result.reusedPromptShare)} of prompt tokens were a common prefix with the request before (served from the cache)`,
  );
  const misses = Object.entries(result.misses).map(([k, v]) => `${k} ${v}`);
  console.log(`typing through: ${result.overall.typedThroughHits} of ${result.overall.typedThrough} hits${misses.length ? `; misses: ${misses.join(', ')}` : ''}; ${result.completedGhost} keys typed the last character of a suggestion (not counted)`);
  const total = p.count + p.cached + p.empty + p.late;
  console.log(
    `policy ${result.policy}: pause → ghost text over all pauses median ${fmtMs(p.allMedian, 0)}, p90 ${fmtMs(p.allP90, 0)}; fresh ones median ${fmtMs(p.rawMedian, 0)}, p90 ${fmtMs(p.rawP90, 0)} (wall clock); already there at ${fmtPct(total ? p.cached / total : 0)} of ${total} pauses; ${result.overall.requestsPer100Keys.toFixed(1)} requests per 100 keys; ${fmtPct(result.overall.unseenShare)} of generated tokens never shown; max in flight ${result.maxConcurrentGenerations}`,
  );
  const e = result.engine;
  console.log(`engine statistics: ${e.requests} requests, ${e.cacheHits} cache hits, ${e.shown} shown, ${e.empty} empty, ${e.aborted} aborted, ${e.errors} errors`);
  if (result.unmatchedAnswers > 0) console.log(`(${result.unmatchedAnswers} requests did not match the current place and got an empty answer)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
