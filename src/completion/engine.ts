// One inline completion, top to bottom:
//   cache → schedule → context → prompt → backend.generate (streamed) → post-process → cache.
// Plain types in and out; never throws to its caller. Failures reach the status through the
// connection's reporting backend; the engine only tells when each request began and how it ended.
// Ghost text ahead: a keystroke that types what the answer in flight says keeps it (inflight.ts);
// after an accept or Enter at a line end the request goes out at once when the server is idle
// (askahead.ts); a single line stops at the server at its newline.

import type { Backend } from '../backend/backend';
import { ServerLanes } from '../backend/lanes';
import { readAnswer, type Answer } from '../backend/stream';
import { estimateTokens, fitBudget, inputTokensFor, DEFAULT_LIMITS } from './budget';
import { CompletionCache } from './cache';
import { systemClock, type Clock } from './clock';
import { ContextGatherer, type EditorContextSource } from './context';
import { excludeMatcher } from '../workspace/exclude';
import { decideLength } from './multiline';
import { postprocess } from './postprocess';
import { AskAhead } from './askahead';
import { canStillMatch, keepable, type Flight } from './inflight';
import { aborted, CompletionScheduler, supersede, type Ticket } from './scheduler';
import { CompletionStats } from './stats';
import type { CompletionItem, CompletionRequest, EngineEvents, EngineLogger, RequestEndEvent, RequestOutcome } from './types';
import {
  NUM_PREDICT,
  orderContextFiles,
  renderPrompt,
  requestOptions,
  templateFor,
  type CompletionLength,
} from './templates';

export interface EngineDeps {
  /** The backend for the current server; undefined while there is none. */
  backend: () => Backend | undefined;
  /** Open editors, recent edits and file reads, for context from other files. */
  context?: EditorContextSource;
  /** Shared with chat: lets chat requests take the server first. */
  lanes?: ServerLanes;
  clock?: Clock;
  events?: EngineEvents;
  /**
   * 'legacy': the policy before ghost text ahead (no typing into answers in flight, no asking
   * ahead, no newline stop, the older debounce), for the benchmark's side-by-side comparison only.
   */
  policy?: 'ahead' | 'legacy';
  log?: EngineLogger;
  /**
   * Runs after the debounce, just before a request is sent; the request waits for it (e.g. for a
   * model load typing does not cancel). The signal aborts when a newer keystroke supersedes it.
   */
  beforeSend?: (model: string, signal: AbortSignal) => Promise<void>;
}

export type {
  CompletionItem,
  CompletionRequest,
  CompletionSettings,
  EngineEvents,
  EngineLogger,
  RequestEndEvent,
  RequestOutcome,
} from './types';

/** Lines longer than this are minified or generated: no completion there. */
const MAX_LINE_CHARS = 2000;
/** Prompt tokens at most: a cache miss evaluates the whole prompt, and time to first token grows with it. */
const MAX_INPUT_TOKENS = 2048;
const CONTEXT_BUDGET_MS = 20;
/** Text around the cursor that the one-line-or-block decision looks at. */
const DECISION_WINDOW = 2000;

export class CompletionEngine {
  readonly stats = new CompletionStats();
  private readonly cache = new CompletionCache();
  private readonly clock: Clock;
  private readonly lanes: ServerLanes;
  private readonly schedulers = new Map<string, CompletionScheduler>();
  /** The completion request at each server (one at most), for keystrokes that type into it. */
  private readonly flights = new Map<string, Flight>();
  private readonly askAhead = new AskAhead();
  /** The lines above the cursor in the last request sent: the part of its prompt the server has cached. */
  private lastSentLines: { path: string; lines: string } | undefined;
  private readonly gatherer: ContextGatherer | undefined;
  private debounceSetting = 0;
  private readonly legacy: boolean;
  private nextId = 1;
  private excludeCache: { key: string; match: (path: string) => boolean } | undefined;

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.lanes = deps.lanes ?? new ServerLanes();
    this.legacy = deps.policy === 'legacy';
    this.gatherer = deps.context ? new ContextGatherer(deps.context, { budgetMs: CONTEXT_BUDGET_MS, clock: this.clock }) : undefined;
  }

  dispose(): void {
    for (const scheduler of this.schedulers.values()) scheduler.dispose();
    this.schedulers.clear();
    this.gatherer?.dispose();
  }

  /** The user accepted a suggestion (the command on the item calls this). */
  accepted(id: string): void {
    this.stats.accepted(id);
    this.askAhead.accepted(this.clock.now());
  }

  /** Forget every stored suggestion (after a model change, for instance). */
  clearCache(): void {
    this.cache.clear();
  }

  async complete(request: CompletionRequest): Promise<CompletionItem | undefined> {
    const { text, offset, model, settings } = request;
    if (!settings.enabled || !this.worthCompleting(request)) return undefined;
    const backend = this.deps.backend();
    if (!backend) return undefined;

    this.debounceSetting = settings.debounceMs;
    const scheduler = this.schedulerFor(backend.host);
    const prefix = text.slice(0, offset);
    const suffix = text.slice(offset);
    // Typed what the answer in flight is saying so far: it runs on instead of being superseded.
    // Right after an accept or Enter at a line end, with the server idle: no debounce.
    const ahead = this.askAhead.next(request.path, prefix, suffix, this.clock.now()) && scheduler.idle && !this.legacy;
    const keep = this.legacy ? undefined : keepable(this.flights.get(backend.host), { model, path: request.path, prefix, suffix });
    if (keep) keep.flight.typed = keep.typed;
    const ticket = scheduler.enter(request.signal, keep?.flight.ticket);
    try {
      const hit = this.cache.get(model, prefix, suffix);
      if (hit) {
        this.stats.cacheHit();
        return hit.text ? this.itemFor(hit.id, hit.text, offset, true, hit.replaceAfter) : undefined;
      }
      if (keep) {
        await Promise.race([keep.flight.done, aborted(ticket.signal)]);
        if (ticket.signal.aborted) return undefined;
        // The answer is cached at the position it was asked for: served after what was typed.
        const served = this.cache.get(model, prefix, suffix);
        if (served) {
          this.stats.cacheHit();
          return served.text ? this.itemFor(served.id, served.text, offset, true, served.replaceAfter) : undefined;
        }
        // It could not serve what was typed (it ended otherwise): ask for this position.
      }

      // Context is gathered during the debounce, so its time budget never delays the request.
      // Only for formats that can carry other files (Qwen2.5-Coder, StarCoder2).
      const snippets =
        settings.contextFromOtherFiles && this.gatherer && templateFor(model).repo
          ? this.gatherer
              .gather({ path: request.path, languageId: request.languageId, text, offset, exclude: settings.exclude, signal: ticket.signal })
              .catch(() => [])
          : Promise.resolve([]);

      if (!(await scheduler.ready(ticket, { debounce: !request.explicit && !ahead, warm: !this.legacy && this.warm(request.path, prefix) }))) return undefined;
      if (this.deps.beforeSend) {
        await this.deps.beforeSend(model, ticket.signal);
        if (ticket.signal.aborted) return undefined;
      }
      const item = await this.request(backend, request, ticket, prefix, suffix, await snippets);
      // The editor no longer asks (the cursor moved on): the answer stays in the cache only.
      return request.signal.aborted ? undefined : item;
    } finally {
      ticket.finish();
    }
  }

  private async request(
    backend: Backend,
    request: CompletionRequest,
    ticket: Ticket,
    prefix: string,
    suffix: string,
    snippets: Awaited<ReturnType<ContextGatherer['gather']>>,
  ): Promise<CompletionItem | undefined> {
    const { model, settings, languageId } = request;
    const base = templateFor(model);
    const template = request.numCtx ? { ...base, numCtx: request.numCtx } : base;
    const length = decideLength({
      prefix: prefix.slice(-DECISION_WINDOW),
      suffix: suffix.slice(0, DECISION_WINDOW),
      languageId,
      setting: settings.maxLines,
    });
    const displayPath = request.displayPath ?? baseName(request.path);
    const repoName = request.repoName ?? '';
    // The template's own tokens: one empty file stands for the repo-level framing; each snippet's
    // content and path are counted by the budget itself.
    const framing = snippets.length > 0 ? [{ path: '', content: '' }] : [];
    const overheadTokens = estimateTokens(renderPrompt(template, { path: displayPath, repoName, contextFiles: framing, prefix: '', suffix: '' }));
    const fitted = fitBudget(prefix, suffix, snippets, {
      ...DEFAULT_LIMITS,
      inputTokens: Math.min(MAX_INPUT_TOKENS, inputTokensFor(template.numCtx, NUM_PREDICT.block)),
      overheadTokens,
    });
    const prompt = renderPrompt(template, {
      prefix: fitted.prefix,
      suffix: fitted.suffix,
      path: displayPath,
      repoName,
      contextFiles: orderContextFiles(fitted.snippets.map((s) => ({ path: s.path, content: s.content }))),
    });
    const promptTokensEstimate = overheadTokens + fitted.tokens.prefix + fitted.tokens.suffix + fitted.tokens.snippets;

    const id = String(this.nextId++);
    const started = this.clock.now();
    this.stats.requestSent();
    this.deps.events?.onRequestStart?.({ id, model });
    const end = (outcome: RequestOutcome, extra: Partial<RequestEndEvent> = {}) => {
      const latencyMs = this.clock.now() - started;
      this.stats.finished(outcome, latencyMs);
      this.deps.events?.onRequestEnd?.({ id, model, outcome, latencyMs, promptTokensEstimate, ...extra });
    };

    this.lastSentLines = { path: request.path, lines: prefix.slice(0, prefix.lastIndexOf('\n') + 1) };
    let landed!: () => void;
    const flight: Flight = {
      ticket,
      model,
      path: request.path,
      prefix,
      suffix,
      line: length === 'line',
      streamed: '',
      typed: '',
      done: new Promise<void>((resolve) => (landed = resolve)),
    };
    this.flights.set(backend.host, flight);
    try {
      const raw = await this.generate(backend, { model, prompt, keepAlive: settings.keepAlive, length, template }, flight);
      return this.finish(raw, { request, flight, fitted, length, template, id, end, started, promptTokensEstimate });
    } finally {
      if (this.flights.get(backend.host) === flight) this.flights.delete(backend.host);
      landed();
    }
  }

  private finish(
    raw: Answer,
    call: {
      request: CompletionRequest;
      flight: Flight;
      fitted: ReturnType<typeof fitBudget>;
      length: CompletionLength;
      template: ReturnType<typeof templateFor>;
      id: string;
      end: (outcome: RequestOutcome, extra?: Partial<RequestEndEvent>) => void;
      started: number;
      promptTokensEstimate: number;
    },
  ): CompletionItem | undefined {
    const { request, fitted, length, template, id, end, started, promptTokensEstimate } = call;
    const { model, languageId } = request;
    const { ticket, prefix, suffix } = call.flight;
    const timings = { stats: raw.stats, firstTokenMs: raw.firstTextMs };
    // Aborted, also when the answer arrived whole: the user typed on (or chat took the server)
    // meanwhile, so the result is for a stale position.
    if (raw.end === 'aborted' || ticket.signal.aborted) {
      end('aborted', timings);
      return undefined;
    }
    // A failure, or a stream cut before its final chunk: never shown as if it were whole.
    if (raw.end === 'error' || raw.end === 'incomplete') {
      this.deps.log?.warn(`completion failed (${raw.error?.kind ?? raw.end}): ${raw.error?.message ?? raw.end}`);
      end('error', { ...timings, error: raw.error });
      return undefined;
    }

    const cleaned = postprocess(raw.text, {
      prefix: fitted.prefix,
      suffix: fitted.suffix,
      length,
      languageId,
      indentation: request.indentation,
      stops: template.specialTokens,
    });
    // The legacy policy (benchmark only) asked again at the end of every typed-through answer.
    this.cache.set(model, prefix, suffix, { id, text: cleaned ?? '', ended: raw.end === 'done' && !this.legacy });
    this.deps.log?.debug(
      `#${id} ${length} ${model} ~${promptTokensEstimate} tokens, ${this.clock.now() - started} ms: ${JSON.stringify(raw.text.slice(0, 120))} → ${cleaned ? JSON.stringify(cleaned.slice(0, 120)) : 'nothing'}`,
    );
    if (!cleaned) {
      end('empty', timings);
      return undefined;
    }
    end('shown', timings);
    return this.itemFor(id, cleaned, request.offset, false);
  }

  /** Streams the answer; a single line stops at its first newline (and the server stops too). */
  private async generate(
    backend: Backend,
    call: { model: string; prompt: string; keepAlive: string; length: CompletionLength; template: ReturnType<typeof templateFor> },
    flight: Flight,
  ): Promise<Answer> {
    const { ticket } = flight;
    // The request's own signal: aborted with the ticket, and after the answer (also when we stopped
    // reading early), so the server stops generating whatever happened.
    const stream = new AbortController();
    const forward = () => stream.abort();
    if (ticket.signal.aborted) stream.abort();
    else ticket.signal.addEventListener('abort', forward, { once: true });
    const chunks = backend.generate({
      model: call.model,
      prompt: call.prompt,
      raw: true,
      options: requestOptions(call.template, call.length, !this.legacy),
      keepAlive: call.keepAlive,
      signal: stream.signal,
    });
    const answer = await readAnswer(
      chunks,
      { host: backend.host, model: call.model },
      {
        signal: ticket.signal,
        // Typing into this answer: the first character it cannot start with ends it.
        onText: (_piece, text) => {
          flight.streamed = text;
          if (!canStillMatch(text, flight.typed, false)) supersede(ticket);
        },
        stopWhen: call.length === 'line' ? (text) => text.includes('\n') : undefined,
        now: () => this.clock.now(),
      },
    );
    ticket.signal.removeEventListener('abort', forward);
    // Closing the socket costs about half a millisecond: after stopping early, once the ghost text
    // is on its way (readAnswer closes the iterator on the same turn).
    if (answer.stoppedEarly) setImmediate(() => stream.abort());
    else stream.abort();
    return answer;
  }

  /** The same lines above the cursor as the last request: the server evaluates little of the prompt. */
  private warm(path: string, prefix: string): boolean {
    const last = this.lastSentLines;
    return last !== undefined && last.path === path && last.lines.length > 0 && prefix.startsWith(last.lines);
  }

  private worthCompleting(request: CompletionRequest): boolean {
    const { text, offset } = request;
    if (offset < 0 || offset > text.length) return false;
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const lineEndAt = text.indexOf('\n', offset);
    const lineEnd = lineEndAt === -1 ? text.length : lineEndAt;
    if (lineEnd - lineStart > MAX_LINE_CHARS) return false;
    // In the middle of a word: whatever the model says would have to split it.
    if (/\w/.test(text.charAt(offset)) && /\w/.test(text.charAt(offset - 1))) return false;
    const excluded = this.excluded(request.settings.exclude);
    return !excluded(request.path) && !(request.displayPath !== undefined && excluded(request.displayPath));
  }

  private excluded(globs: readonly string[]): (path: string) => boolean {
    const key = globs.join('\u0000');
    if (this.excludeCache?.key !== key) this.excludeCache = { key, match: excludeMatcher(globs) };
    return this.excludeCache.match;
  }

  private schedulerFor(host: string): CompletionScheduler {
    let scheduler = this.schedulers.get(host);
    if (!scheduler) {
      scheduler = new CompletionScheduler(this.lanes.for(host), this.clock, () => this.debounceSetting, this.legacy);
      this.schedulers.set(host, scheduler);
    }
    return scheduler;
  }

  private itemFor(id: string, insertText: string, offset: number, fromCache: boolean, replaceLength = 0): CompletionItem {
    this.stats.shown(id);
    return { id, insertText, offset, replaceLength, fromCache };
  }
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
