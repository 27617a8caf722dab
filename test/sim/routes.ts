// Ollama's HTTP API, route by route, with its status codes and error texts (checked against
// ollama/ollama server/routes.go and docs/api.md). The model is simulated: answers come from
// answers.ts, timing from the scheduler and Timing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerChat, answerGenerate, planAnswer, type PlannedAnswer } from './answers';
import { embedRoute } from './embed';
import { Exchange, StreamFaults } from './exchange';
import type { FaultSet } from './faults';
import { defaultErrorText } from './faults';
import type { RequestLog } from './log';
import { fullName, loadedSize, normalizeName, psEntry, resolveModel, showResponse, tagsEntry, type ModelInfo } from './models';
import { behaviourOf } from './profiles';
import { AbortedError, abortableSleep, FOREVER_MS, QueueFullError, type Runner, type Scheduler } from './scheduler';
import { SimToolParser } from './toolParser';
import { commonPrefixLength, countTokens, parseFim, parseGoDuration, tokenId, tokenize } from './tokens';
import type {
  Answer,
  AnswerSource,
  ChatContext,
  ChatMessage,
  ChatRule,
  CompletionRule,
  Endpoint,
  FaultSpec,
  GenerateContext,
  ModelSpec,
  Timing,
} from './types';

/** The simulator's configuration with every default filled in. */
export interface Settings {
  version: string;
  timing: Timing;
  /** Explicit OLLAMA_NUM_PARALLEL; undefined: the version's default (profiles.ts). */
  numParallel: number | undefined;
  maxQueue: number;
  /** OLLAMA_MAX_LOADED_MODELS; 0: automatic (3 per GPU with vramBytes set, else no limit). */
  maxLoadedModels: number;
  defaultNumCtx: number;
  defaultKeepAlive: string | number;
  vramBytes: number | undefined;
  apiKey: string | undefined;
  promptCache: boolean;
  completions: CompletionRule[];
  defaultCompletion: AnswerSource<GenerateContext>;
  defaultGenerate: AnswerSource<GenerateContext>;
  chats: ChatRule[];
  chatAnswer: AnswerSource<ChatContext>;
}

/** What the routes need from the simulator. */
export interface SimState {
  settings(): Settings;
  findInstalled(name: string): ModelInfo | undefined;
  installedModels(): ModelInfo[];
  install(info: ModelInfo): void;
  uninstall(name: string): void;
  findInRegistry(name: string): ModelSpec | undefined;
  /** Downloaded bytes per blob digest: complete blobs and the partial ones an aborted pull left. */
  readonly blobs: Map<string, number>;
  readonly scheduler: Scheduler;
  readonly log: RequestLog;
  readonly faults: FaultSet;
  stopping(): boolean;
}

type Body = Record<string, unknown>;

const ROUTES: Record<string, { methods: string[]; endpoint: Endpoint }> = {
  '/': { methods: ['GET', 'HEAD'], endpoint: 'root' },
  '/api/version': { methods: ['GET', 'HEAD'], endpoint: 'version' },
  '/api/tags': { methods: ['GET', 'HEAD'], endpoint: 'tags' },
  '/api/ps': { methods: ['GET'], endpoint: 'ps' },
  '/api/show': { methods: ['POST'], endpoint: 'show' },
  '/api/pull': { methods: ['POST'], endpoint: 'pull' },
  '/api/generate': { methods: ['POST'], endpoint: 'generate' },
  '/api/chat': { methods: ['POST'], endpoint: 'chat' },
  '/api/delete': { methods: ['DELETE'], endpoint: 'delete' },
  '/api/embed': { methods: ['POST'], endpoint: 'embed' },
};

// The fields of the current api.Options / api.Runner (api/types.go). Options since removed
// (mirostat, mirostat_tau, mirostat_eta, tfs_z, penalize_newline, numa, low_vram, vocab_only,
// use_mlock) are unknown keys now: `FromMap` logs "invalid option provided" and ignores them, so
// they are not type-checked. Older releases still had them typed; that boundary is not modelled.
const INT_OPTIONS = ['num_ctx', 'num_predict', 'num_keep', 'seed', 'top_k', 'repeat_last_n', 'num_batch', 'num_gpu', 'main_gpu', 'num_thread'];
const FLOAT_OPTIONS = ['temperature', 'top_p', 'min_p', 'typical_p', 'repeat_penalty', 'presence_penalty', 'frequency_penalty'];
const BOOL_OPTIONS = ['use_mmap'];

/** `options` that is not a JSON object fails binding the request body (gin ShouldBindJSON → 400). */
function optionsShapeError(options: unknown, request: string): string | undefined {
  if (options === undefined || options === null || (typeof options === 'object' && !Array.isArray(options))) return undefined;
  const kind = Array.isArray(options) ? 'array' : typeof options === 'boolean' ? 'bool' : typeof options;
  return `json: cannot unmarshal ${kind} into Go struct field ${request}.options of type map[string]interface {}`;
}

/** Ollama's Options.FromMap type checks (api/types.go; a wrong type fails the request with 500). */
function checkOptions(options: unknown): string | undefined {
  if (options === undefined || options === null || typeof options !== 'object') return undefined;
  for (const [key, value] of Object.entries(options)) {
    if (value === null) continue;
    if (INT_OPTIONS.includes(key) && typeof value !== 'number') return `option "${key}" must be of type integer`;
    if (FLOAT_OPTIONS.includes(key) && typeof value !== 'number') return `option "${key}" must be of type float32`;
    if (BOOL_OPTIONS.includes(key) && typeof value !== 'boolean') return `option "${key}" must be of type boolean`;
    if (key === 'stop') {
      if (!Array.isArray(value)) return `option "stop" must be of type array`;
      if (value.some((v) => typeof v !== 'string')) return `option "stop" must be of an array of strings`;
    }
  }
  return undefined;
}

/**
 * keep_alive as Ollama reads it (api/types.go `Duration.UnmarshalJSON`): a number is seconds, a
 * string is a Go duration; negative = for ever. Undefined when the request has none.
 */
export function keepAliveMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value;
  let ms: number;
  if (typeof v === 'number') ms = v * 1000;
  else if (typeof v === 'string') ms = parseGoDuration(v);
  else throw new Error(`Unsupported type: '${typeof v}'`);
  return ms < 0 ? FOREVER_MS : ms;
}

/** The function names of a request's `tools` (api.Tool: {type, function: {name, …}}). */
function toolNamesOf(tools: unknown): string[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return tools.flatMap((t) => {
    const fn = typeof t === 'object' && t !== null ? (t as { function?: { name?: unknown } }).function : undefined;
    return typeof fn?.name === 'string' ? [fn.name] : [];
  });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function now(): string {
  return new Date().toISOString();
}

/** Milliseconds → the nanoseconds Ollama reports; at least 1 µs so omitempty never hides a field. */
function ns(ms: number): number {
  return Math.max(1000, Math.round(ms * 1e6));
}

/** Qwen's ChatML, to count chat prompt tokens the way the model would see them. */
function renderChat(info: ModelInfo, messages: ChatMessage[]): string {
  const all = messages[0]?.role !== 'system' && info.system ? [{ role: 'system', content: info.system }, ...messages] : messages;
  return `${all.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('')}<|im_start|>assistant\n`;
}

interface Job {
  kind: 'generate' | 'chat';
  /** The model as the client named it: Ollama echoes it back. */
  label: string;
  info: ModelInfo;
  /** Undefined: the request had no keep_alive. */
  keepAliveMs: number | undefined;
  numCtx: number;
  numPredict: number | undefined;
  stop: string[];
  stream: boolean;
  /** The prompt as the model sees it (template applied), for token counts and the cache. */
  prompt: string;
  loadOnly: boolean;
  /** Generate, not raw: the final object carries `context`. */
  withContext: boolean;
  answer: () => Promise<PlannedAnswer>;
  faults: FaultSpec[];
  /** Chat with `tools`: the names Ollama's tool parser looks for in the answer (toolParser.ts). */
  toolNames?: string[];
}

export class Routes {
  /** Exchanges whose connection is still open. */
  private readonly open = new Set<Exchange>();

  constructor(private readonly s: SimState) {}

  /** Marks every open request as killed (called just before the server cuts the connections). */
  killAll(): void {
    for (const x of this.open) x.kill();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    const method = req.method ?? 'GET';
    const route = ROUTES[path];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec = this.s.log.create(method, path, route?.endpoint ?? 'other', headers);
    const x = new Exchange(req, res, rec, () => this.s.stopping());
    this.open.add(x);
    res.on('close', () => this.open.delete(x));

    let raw: string;
    try {
      const parts: Buffer[] = [];
      for await (const chunk of req) parts.push(chunk as Buffer); // no setEncoding: chunks are Buffers
      raw = Buffer.concat(parts).toString('utf8');
    } catch {
      return; // the client went away while sending
    }

    if (!route) return x.text(404, '404 page not found');
    if (!route.methods.includes(method)) return x.text(405, '405 method not allowed');

    let body: Body = {};
    if (method === 'POST' || method === 'DELETE') {
      if (raw.trim() === '') return x.error(400, 'missing request body');
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type object');
        body = parsed as Body; // checked just above: a JSON object
      } catch (e) {
        return x.error(400, e instanceof Error ? e.message : String(e));
      }
      rec.body = body;
      const named = str(body.model) || str(body.name);
      if (named) rec.model = normalizeName(named);
    }

    const key = this.s.settings().apiKey;
    if (key !== undefined && path.startsWith('/api/') && headers.authorization !== `Bearer ${key}`) return x.error(401, 'unauthorized');

    const faults = this.s.faults.take(rec);
    try {
      for (const f of faults) if (f.kind === 'stall') await abortableSleep(f.ms ?? Infinity, x.signal);
    } catch {
      return;
    }
    for (const f of faults) {
      if (f.kind === 'reset') return x.drop();
      if (f.kind === 'status') {
        rec.error = f.error ?? defaultErrorText(f.status);
        if (f.body !== undefined) return x.send(f.status, 'text/html; charset=utf-8', f.body, 'error');
        return x.error(f.status, rec.error);
      }
    }

    switch (route.endpoint) {
      case 'root':
        return x.text(200, 'Ollama is running');
      case 'version':
        return x.json(200, { version: this.s.settings().version });
      case 'tags':
        return x.json(200, { models: this.s.installedModels().sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt)).map(tagsEntry) });
      case 'ps':
        return this.ps(x);
      case 'show':
        return this.show(x, body);
      case 'delete':
        return this.delete(x, body);
      case 'pull':
        return this.pull(x, body, faults);
      case 'generate':
        return this.generate(x, body, faults);
      case 'chat':
        return this.chat(x, body, faults);
      case 'embed':
        return embedRoute(this.s, x, body);
      default:
        return x.text(404, '404 page not found');
    }
  }

  /**
   * Generation slots for a model: OLLAMA_NUM_PARALLEL, else the version's default; automatic
   * (before v0.9.7) is 4 when 4 × num_ctx fits in VRAM, else 1 (sched.go `pickBestFitGPUs`).
   */
  private parallelFor(info: ModelInfo, numCtx: number): number {
    const s = this.s.settings();
    const n = s.numParallel ?? behaviourOf(s.version).defaultNumParallel;
    if (n > 0) return n;
    return s.vramBytes === undefined || loadedSize(info, numCtx * 4) <= s.vramBytes ? 4 : 1;
  }

  private ps(x: Exchange): void {
    const settings = this.s.settings();
    const vram = settings.vramBytes;
    const withContext = behaviourOf(settings.version).psContextLength;
    const models = this.s.scheduler
      .loaded()
      .map((r) => ({ r, info: this.s.findInstalled(r.name) }))
      .filter((e): e is { r: Runner; info: ModelInfo } => e.info !== undefined)
      .map(({ r, info }) => psEntry(info, r.numCtx, r.expiry(), vram, withContext, r.sizeBytes))
      .sort((a, b) => b.expires_at.localeCompare(a.expires_at));
    x.json(200, { models });
  }

  private show(x: Exchange, body: Body): void {
    const name = str(body.model) || str(body.name);
    if (!name) return x.error(400, 'model is required');
    const info = this.s.findInstalled(name);
    if (!info) return x.error(404, `model '${name}' not found`);
    x.json(200, showResponse(info));
  }

  private delete(x: Exchange, body: Body): void {
    const name = str(body.model) || str(body.name);
    if (!name) return x.error(400, 'invalid model name');
    if (!this.s.findInstalled(name)) return x.error(404, `model '${name}' not found`);
    this.s.uninstall(name);
    x.send(200, 'text/plain; charset=utf-8', '');
  }

  private async pull(x: Exchange, body: Body, faults: FaultSpec[]): Promise<void> {
    const name = str(body.model) || str(body.name);
    if (!name) return x.error(400, 'invalid model name');
    const stream = body.stream !== false;
    const timing = this.s.settings().timing;
    const sink = new StreamFaults(x, faults, stream);
    const rec = x.rec;
    let last: Record<string, unknown> = {};
    const emit = (progress: Record<string, unknown>): boolean => {
      if (!sink.before(rec.tokensSent)) return false;
      last = progress;
      rec.tokensSent++;
      return stream ? x.line(progress) : !x.gone;
    };
    const fail = (message: string) => {
      rec.error = message;
      if (stream) {
        x.line({ error: message });
        x.end('error');
      } else {
        x.error(500, message);
      }
    };

    try {
      if (!emit({ status: 'pulling manifest' })) return;
      await abortableSleep(timing.pullStepMs, x.signal);
      const spec = this.s.findInRegistry(name);
      if (!spec) return fail('pull model manifest: file does not exist');
      const info = resolveModel({ ...spec, modifiedAt: new Date().toISOString() });
      for (const layer of info.layers) {
        // Ollama reports progress every 60 ms, so a small blob (template, license) shows up done at once.
        const steps = layer.size < 1_000_000 ? 1 : Math.max(1, timing.pullSteps);
        let have = Math.min(this.s.blobs.get(layer.digest) ?? 0, layer.size);
        const progress = () => ({ status: `pulling ${layer.digest.slice(7, 19)}`, digest: layer.digest, total: layer.size, ...(have > 0 ? { completed: have } : {}) });
        if (!emit(progress())) return;
        const step = Math.ceil(layer.size / steps);
        while (have < layer.size) {
          await abortableSleep(timing.pullStepMs, x.signal);
          have = Math.min(layer.size, have + step);
          // Kept across aborted pulls, so the next pull resumes, as Ollama resumes partial blobs.
          this.s.blobs.set(layer.digest, have);
          if (!emit(progress())) return;
        }
      }
      for (const status of ['verifying sha256 digest', 'writing manifest']) if (!emit({ status })) return;
      this.s.install(info);
      if (!emit({ status: 'success' })) return;
      if (!sink.before(rec.tokensSent, true)) return;
      if (stream) x.end();
      else if (sink.malformedBody !== undefined) x.send(200, 'application/json; charset=utf-8', sink.malformedBody);
      else x.json(200, last);
    } catch (e) {
      if (!(e instanceof AbortedError)) fail(e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * What generate and chat check first, as Ollama does: the body binds (keep_alive parses,
   * options is an object: 400), the model name is valid and installed (404). Sends the error otherwise.
   */
  private target(x: Exchange, body: Body, request: string): { keepAlive: number | undefined; label: string; info: ModelInfo } | undefined {
    let keepAlive: number | undefined;
    try {
      keepAlive = keepAliveMs(body.keep_alive);
    } catch (e) {
      x.error(400, e instanceof Error ? e.message : String(e));
      return undefined;
    }
    const shape = optionsShapeError(body.options, request);
    if (shape) {
      x.error(400, shape);
      return undefined;
    }
    const label = str(body.model);
    if (!label) {
      // routes.go `GenerateHandler` / `ChatHandler`: an invalid name (the empty one too) is answered
      // as "model '%s' not found" with 404, kept so for compatibility (comment in routes.go).
      x.error(404, "model '' not found");
      return undefined;
    }
    const info = this.s.findInstalled(label);
    if (!info) x.error(404, `model '${label}' not found`);
    return info ? { keepAlive, label, info } : undefined;
  }

  private async generate(x: Exchange, body: Body, faults: FaultSpec[]): Promise<void> {
    const settings = this.s.settings();
    const target = this.target(x, body, 'GenerateRequest');
    if (!target) return;
    const { keepAlive, label, info } = target;

    const prompt = str(body.prompt);
    const suffix = str(body.suffix);
    const system = str(body.system);
    const raw = body.raw === true;
    const context = Array.isArray(body.context) ? body.context : [];
    if (prompt === '' && keepAlive === 0) {
      this.s.scheduler.unload(info.name);
      return x.json(200, { model: label, created_at: now(), response: '', done: true, done_reason: 'unload' });
    }
    if (raw && (str(body.template) !== '' || system !== '' || context.length > 0)) {
      return x.error(400, 'raw mode does not support template, system, or context');
    }
    if (body.think === true && !info.capabilities.includes('thinking')) return x.error(400, `"${label}" does not support thinking`);
    if (!info.capabilities.includes('completion')) return x.error(400, `"${label}" does not support generate`);
    if (suffix !== '' && !info.capabilities.includes('insert')) return x.error(400, `${fullName(label)} does not support insert`);
    const optionError = checkOptions(body.options);
    if (optionError) return x.error(500, optionError);
    const options = (body.options ?? {}) as Record<string, unknown>; // checkOptions accepted it as an object

    const fim = raw ? parseFim(prompt) : undefined;
    const ctx: GenerateContext = {
      model: info.name,
      prompt,
      fim: fim !== undefined || (!raw && suffix !== ''),
      prefix: fim?.prefix ?? prompt,
      suffix: fim?.suffix ?? suffix,
      fileContext: fim?.context ?? '',
      raw,
      ...(system ? { system } : {}),
      options,
      body,
    };
    if (ctx.fim) x.rec.fim = { prefix: ctx.prefix, suffix: ctx.suffix };
    let rendered = prompt;
    if (!raw && suffix !== '') rendered = `<|fim_prefix|>${prompt}<|fim_suffix|>${suffix}<|fim_middle|>`;
    else if (!raw && info.template.includes('<|im_start|>')) rendered = renderChat(info, [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: prompt }]);

    await this.infer(x, {
      kind: 'generate',
      label,
      info,
      keepAliveMs: keepAlive,
      ...this.sampling(options, settings, info),
      stream: body.stream !== false,
      prompt: rendered,
      loadOnly: prompt === '',
      withContext: !raw,
      answer: async () => this.plan(await answerGenerate(settings.completions, settings.defaultCompletion, settings.defaultGenerate, ctx), options),
      faults,
    });
  }

  private async chat(x: Exchange, body: Body, faults: FaultSpec[]): Promise<void> {
    const settings = this.s.settings();
    const target = this.target(x, body, 'ChatRequest');
    if (!target) return;
    const { keepAlive, label, info } = target;
    if (body.messages !== undefined && body.messages !== null && !Array.isArray(body.messages)) {
      return x.error(400, 'json: cannot unmarshal messages into Go struct field ChatRequest.messages of type []api.Message');
    }
    const messages: ChatMessage[] = ((body.messages ?? []) as unknown[]).map((m) => {
      const o = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>; // a message object, checked field by field
      return { role: str(o.role), content: str(o.content) };
    });
    if (messages.length === 0 && keepAlive === 0) {
      this.s.scheduler.unload(info.name);
      return x.json(200, { model: label, created_at: now(), message: { role: 'assistant', content: '' }, done_reason: 'unload', done: true });
    }
    if (body.think === true && !info.capabilities.includes('thinking')) return x.error(400, `"${label}" does not support thinking`);
    if (!info.capabilities.includes('completion')) return x.error(400, `"${label}" does not support chat`);
    if (Array.isArray(body.tools) && body.tools.length > 0 && !info.capabilities.includes('tools')) {
      return x.error(400, `${fullName(label)} does not support tools`);
    }
    const optionError = checkOptions(body.options);
    if (optionError) return x.error(500, optionError);
    const options = (body.options ?? {}) as Record<string, unknown>; // checkOptions accepted it as an object

    const ctx: ChatContext = {
      model: info.name,
      messages,
      lastUser: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
      system: messages.find((m) => m.role === 'system')?.content ?? '',
      options,
      body,
    };
    await this.infer(x, {
      kind: 'chat',
      label,
      info,
      keepAliveMs: keepAlive,
      ...this.sampling(options, settings, info),
      stream: body.stream !== false,
      prompt: renderChat(info, messages),
      loadOnly: messages.length === 0,
      withContext: false,
      answer: async () => this.plan(await answerChat(settings.chats, settings.chatAnswer, ctx), options),
      faults,
      toolNames: toolNamesOf(body.tools),
    });
  }

  /**
   * num_ctx as the runner gets it: at least 4 (sched.go `GetRunner`), at most the model's trained
   * context (llm/server.go `NewLlamaServer`: "requested context size too large for model", then
   * opts.NumCtx = the GGUF context_length).
   */
  private sampling(options: Record<string, unknown>, settings: Settings, info?: ModelInfo): Pick<Job, 'numCtx' | 'numPredict' | 'stop'> {
    const asked = typeof options.num_ctx === 'number' && options.num_ctx > 0 ? Math.floor(options.num_ctx) : settings.defaultNumCtx;
    const numCtx = Math.max(4, Math.min(asked, info?.contextLength ?? asked));
    const numPredict = typeof options.num_predict === 'number' ? Math.floor(options.num_predict) : undefined;
    const stop = Array.isArray(options.stop) ? options.stop.filter((s): s is string => typeof s === 'string') : [];
    return { numCtx, numPredict, stop };
  }

  private plan(answer: Answer, options: Record<string, unknown>): PlannedAnswer {
    const { numPredict, stop } = this.sampling(options, this.s.settings());
    return planAnswer(answer, stop, numPredict);
  }

  /** Queue, load, prompt evaluation and token streaming, shared by generate and chat. */
  private async infer(x: Exchange, job: Job): Promise<void> {
    const { log, scheduler } = this.s;
    const rec = x.rec;
    const timing = { ...this.s.settings().timing, ...job.info.timing };
    const slowLoad = job.faults.find((f) => f.kind === 'slowLoad');
    const endless = job.faults.find((f) => f.kind === 'endless');
    const runner = scheduler.runner(job.info.name);
    const t0 = performance.now();
    rec.numCtx = job.numCtx;
    const doneObject = (reason: string) =>
      job.kind === 'generate'
        ? { model: job.label, created_at: now(), response: '', done: true, done_reason: reason }
        : { model: job.label, created_at: now(), message: { role: 'assistant', content: '' }, done_reason: reason, done: true };

    const settings = this.s.settings();
    const parallel = this.parallelFor(job.info, job.numCtx);
    // With more than one slot the runner holds num_ctx per slot (sched.go `processPending`:
    // "Keep NumCtx and numParallel in sync"), which is what it takes in memory.
    const size = loadedSize(job.info, job.numCtx * parallel);
    // Only requests that must wait for a load count against OLLAMA_MAX_QUEUE (scheduler.ts).
    let leaveQueue: (() => void) | undefined;
    if (slowLoad !== undefined || scheduler.needsLoad(runner, job.numCtx)) {
      try {
        leaveQueue = scheduler.enterLoadQueue();
      } catch (e) {
        if (e instanceof QueueFullError) return x.error(503, defaultErrorText(503));
        throw e;
      }
    }
    log.openRequest();
    scheduler.hold(runner, job.keepAliveMs, keepAliveMs(settings.defaultKeepAlive) ?? 300_000);
    let slot = false;
    let generated = '';
    try {
      const loadMs = slowLoad?.kind === 'slowLoad' ? slowLoad.ms : timing.loadMs;
      const load = async (): Promise<number> => {
        try {
          return await scheduler.ensureLoaded(runner, job.numCtx, loadMs, slowLoad !== undefined, x.signal, size);
        } finally {
          leaveQueue?.();
        }
      };
      if (job.loadOnly) {
        await load();
        rec.loadedAt = Date.now();
        rec.doneReason = 'load';
        return x.json(200, doneObject('load'));
      }

      await scheduler.acquireSlot(runner, parallel, x.signal);
      slot = true;
      rec.startedAt = Date.now();
      log.beginGeneration(job.info.name);

      const loadWait = await load();
      rec.loadedAt = Date.now();
      const plan = await job.answer();

      // Prompt evaluation: only what the KV cache does not already hold, at most num_ctx tokens.
      const total = countTokens(job.prompt);
      const cached = this.s.settings().promptCache ? countTokens(job.prompt.slice(0, commonPrefixLength(runner.lastPrompt, job.prompt))) : 0;
      const evaluated = Math.max(1, Math.min(total, job.numCtx) - cached);
      rec.promptTokens = total;
      rec.promptEvaluated = evaluated;
      rec.truncated = total > job.numCtx;
      runner.lastPrompt = job.prompt;
      const tp = performance.now();
      await abortableSleep(evaluated * timing.promptMsPerToken, x.signal);
      const promptMs = performance.now() - tp;

      const sink = new StreamFaults(x, job.faults, job.stream, behaviourOf(settings.version).errorStatusBeforeFirstToken);
      const tokenMs = plan.tokenMs ?? timing.tokenMs;
      const te = performance.now();
      const maxMs = endless?.kind === 'endless' ? (endless.maxMs ?? 60_000) : Infinity;
      let doneReason: string = plan.doneReason;
      const filler = plan.pieces.length > 0 ? plan.pieces : tokenize(' and so on');
      const tools = job.toolNames?.length ? new SimToolParser(job.toolNames) : undefined;
      /** Content an old server holds back while tools are given (defined only then). */
      let heldContent: string | undefined = tools && job.stream && !behaviourOf(settings.version).streamsContentWithTools ? '' : undefined;
      const chatChunk = (message: Record<string, unknown>) => ({ model: job.label, created_at: now(), message: { role: 'assistant', content: '', ...message }, done: false });
      for (let i = 0; endless ? true : i < plan.pieces.length; i++) {
        if (endless && performance.now() - te > maxMs) {
          doneReason = 'length';
          break;
        }
        if (!sink.before(i)) return;
        await abortableSleep(tokenMs, x.signal);
        const piece = endless ? filler[i % filler.length]! : plan.pieces[i]!;
        generated += piece;
        rec.text += piece;
        rec.tokensSent++;
        rec.firstTokenAt ??= Date.now();
        if (job.stream && tools && heldContent !== undefined) {
          // Before v0.8.0: nothing but recognised tool calls until the end (profiles.ts).
          const parsed = tools.add(piece);
          heldContent += parsed.content;
          if (parsed.calls.length) {
            heldContent = '';
            if (!x.line(chatChunk({ tool_calls: parsed.calls }))) return;
          }
        } else if (job.stream && tools) {
          const parsed = tools.add(piece);
          if (parsed.content && !x.line(chatChunk({ content: parsed.content }))) return;
          if (parsed.calls.length && !x.line(chatChunk({ tool_calls: parsed.calls }))) return;
        } else if (job.stream) {
          const chunk =
            job.kind === 'generate'
              ? { model: job.label, created_at: now(), response: piece, done: false }
              : { model: job.label, created_at: now(), message: { role: 'assistant', content: piece }, done: false };
          if (!x.line(chunk)) return;
        }
        await x.drained();
      }
      const held = tools?.flush();
      if (heldContent !== undefined) heldContent += held ?? '';
      else if (job.stream && held && !x.line(chatChunk({ content: held }))) return;
      if (!sink.before(rec.tokensSent, true)) return;

      const evalMs = performance.now() - te;
      rec.doneReason = doneReason;
      const final: Record<string, unknown> = {
        ...doneObject(doneReason),
        ...(job.withContext ? { context: tokenize(job.prompt + generated).map(tokenId) } : {}),
        total_duration: ns(performance.now() - t0),
        load_duration: ns(loadWait),
        // Cached and new tokens alike: the runner counts every prompt input of the sequence
        // (runner/llamarunner/runner.go `NewSequence`: numPromptInputs = len(inputs), before the
        // cache is consulted), so a warm cache shortens prompt_eval_duration, not the count.
        prompt_eval_count: Math.max(1, Math.min(total, job.numCtx)),
        prompt_eval_duration: ns(promptMs),
        eval_count: rec.tokensSent,
        eval_duration: ns(evalMs),
      };
      if (job.stream) {
        if (heldContent) final.message = { role: 'assistant', content: heldContent };
        x.line(final);
        x.end();
      } else if (sink.malformedBody !== undefined) {
        x.send(200, 'application/json; charset=utf-8', sink.malformedBody);
      } else {
        if (job.kind === 'generate') final.response = generated;
        else if (tools) {
          const parsed = tools.add(generated);
          const rest = tools.flush();
          final.message = { role: 'assistant', content: parsed.content + rest, ...(parsed.calls.length ? { tool_calls: parsed.calls } : {}) };
        } else final.message = { role: 'assistant', content: generated };
        x.json(200, final);
      }
    } catch (e) {
      if (!(e instanceof AbortedError)) x.error(500, e instanceof Error ? e.message : String(e));
    } finally {
      // What the KV cache holds afterwards: the prompt and whatever was generated.
      if (generated) runner.lastPrompt = job.prompt + generated;
      if (slot) {
        log.endGeneration(job.info.name);
        scheduler.releaseSlot(runner);
      }
      scheduler.release(runner);
      leaveQueue?.();
      log.closeRequest();
    }
  }
}
