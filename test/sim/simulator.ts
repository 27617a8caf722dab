// A fake Ollama server for tests: a real HTTP server on 127.0.0.1 that speaks Ollama's API
// (status codes, error texts, NDJSON streams) with a scripted model, Ollama-like timing (one
// generation at a time per model, load delays, keep_alive), faults, and a request log.
//
// Usage:
//   const sim = new OllamaSimulator({ timing: { tokenMs: 5 } });
//   await sim.start();                                   // sim.url → http://127.0.0.1:PORT
//   sim.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
//   sim.setChat(({ lastUser }) => `You said: ${lastUser}`);
//   sim.addFault({ kind: 'status', status: 503, times: 1 });       // next generate/chat → 503
//   ... drive the code under test against sim.url ...
//   const r = await sim.waitForRequest({ endpoint: 'generate', finished: true });
//   assert.equal(r.aborted, true);
//   assert.equal(sim.maxConcurrentGenerations(), 1);
//   await sim.restart(200);             // "Ollama killed", port refuses for 200 ms, then back
//   await sim.stop();
//
// Files: types.ts (config, faults, log record), routes.ts (the API), scheduler.ts (queue, load,
// keep_alive), answers.ts, tokens.ts, models.ts, faults.ts, exchange.ts, log.ts, control.ts
// (the /__sim control API), cli.ts (standalone process for end-to-end tests). Shared with the
// OpenAI simulator: loopback.ts (listen, restart, kill) and httpExchange.ts (replies, streams).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_CHAT, DEFAULT_COMPLETION, DEFAULT_GENERATE } from './answers';
import { CONTROL_PREFIX, handleControl } from './control';
import { FaultSet, type FaultHandle } from './faults';
import { LoopbackServer } from './loopback';
import { matches, RequestLog, waitFor, type RequestMatcher } from './log';
import { DEFAULT_INSTALLED, defaultRegistry, normalizeName, resolveModel, sameModel, type ModelInfo } from './models';
import { Routes, type Settings, type SimState } from './routes';
import { DEFAULT_VERSION, PROFILES } from './profiles';
import { Scheduler, type ModelEvent } from './scheduler';
import type {
  AnswerSource,
  ChatContext,
  ChatRule,
  CompletionRule,
  FaultSpec,
  GenerateContext,
  ModelSpec,
  RequestRecord,
  SimConfig,
  Timing,
} from './types';

export type * from './types';
export type { FaultHandle } from './faults';
export type { ModelEvent } from './scheduler';
export { PROFILES, behaviourOf, versionAtLeast } from './profiles';
export type { RequestFilter, RequestMatcher } from './log';

export const DEFAULT_TIMING: Timing = { loadMs: 40, promptMsPerToken: 0.02, tokenMs: 2, pullStepMs: 5, pullSteps: 4 };

export interface SimulatorOptions extends SimConfig {
  /** Port to listen on; 0 (default) picks a free one, kept for restarts. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export class OllamaSimulator extends LoopbackServer {
  private readonly initial: SimConfig;
  private settingsNow!: Settings;
  private installed = new Map<string, ModelInfo>();
  private registry: ModelSpec[] = [];
  private readonly blobs = new Map<string, number>();
  private readonly scheduler: Scheduler;
  private readonly faultSet = new FaultSet();
  private readonly routes: Routes;
  /** Everything the simulator received, oldest first. */
  readonly log = new RequestLog();

  constructor(options: SimulatorOptions = {}) {
    const { port, host, ...config } = options;
    super('ollama simulator', host, port);
    this.initial = config;
    this.scheduler = new Scheduler(() => {
      const s = this.settingsNow;
      // sched.go: OLLAMA_MAX_LOADED_MODELS unset means defaultModelsPerGPU (3) × GPUs.
      const auto = s.vramBytes === undefined ? 0 : 3;
      return { maxQueue: s.maxQueue, vramBytes: s.vramBytes, maxLoadedModels: s.maxLoadedModels > 0 ? s.maxLoadedModels : auto };
    });
    this.applyFresh(config);
    const state: SimState = {
      settings: () => this.settingsNow,
      findInstalled: (name) => this.installed.get(normalizeName(name).toLowerCase()),
      installedModels: () => [...this.installed.values()],
      install: (info) => this.installModel(info),
      uninstall: (name) => this.removeModel(name),
      findInRegistry: (name) => this.registry.find((s) => sameModel(s.name, name)),
      blobs: this.blobs,
      scheduler: this.scheduler,
      log: this.log,
      faults: this.faultSet,
      stopping: () => this.isStopping,
    };
    this.routes = new Routes(state);
  }

  // ---- lifecycle (start, stop, restart, online, port, url: LoopbackServer) -----------------

  protected handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    return path.startsWith(CONTROL_PREFIX) ? handleControl(this, req, res, path.slice(CONTROL_PREFIX.length)) : this.routes.handle(req, res);
  }

  /** Like a killed Ollama: streams in flight end abruptly (logged as outcome "killed"). */
  protected killed(): void {
    this.routes.killAll();
  }

  /** Loaded models are gone; installed models and partially pulled blobs survive (on disk). */
  protected stopped(): void {
    this.scheduler.reset();
  }

  // ---- configuration ---------------------------------------------------------------------

  /** Changes the given parts of the configuration; lists (models, rules, faults) are replaced. */
  configure(config: SimConfig): this {
    const s = this.settingsNow;
    if (config.profile !== undefined) s.version = PROFILES[config.profile];
    if (config.version !== undefined) s.version = config.version;
    if (config.maxLoadedModels !== undefined) s.maxLoadedModels = config.maxLoadedModels;
    if (config.timing) s.timing = { ...s.timing, ...config.timing };
    if (config.numParallel !== undefined) s.numParallel = config.numParallel;
    if (config.maxQueue !== undefined) s.maxQueue = config.maxQueue;
    if (config.defaultNumCtx !== undefined) s.defaultNumCtx = config.defaultNumCtx;
    if (config.defaultKeepAlive !== undefined) s.defaultKeepAlive = config.defaultKeepAlive;
    if ('vramBytes' in config) s.vramBytes = config.vramBytes;
    if ('apiKey' in config) s.apiKey = config.apiKey;
    if (config.promptCache !== undefined) s.promptCache = config.promptCache;
    if (config.completions) s.completions = [...config.completions];
    if (config.defaultCompletion !== undefined) s.defaultCompletion = config.defaultCompletion;
    if (config.defaultGenerate !== undefined) s.defaultGenerate = config.defaultGenerate;
    if (config.chats) s.chats = [...config.chats];
    if (config.chatAnswer !== undefined) s.chatAnswer = config.chatAnswer;
    if (config.registry) this.registry = [...config.registry];
    if (config.models) {
      this.installed.clear();
      for (const spec of config.models) this.addModel(spec);
    }
    if (config.faults) {
      this.faultSet.clear();
      for (const f of config.faults) this.faultSet.add(f);
    }
    return this;
  }

  /** Back to the constructor's configuration: log, faults, rules, models, blobs and loaded state. */
  reset(): this {
    this.log.clear();
    this.faultSet.clear();
    this.blobs.clear();
    this.scheduler.reset();
    this.scheduler.clearEvents();
    this.applyFresh(this.initial);
    return this;
  }

  private applyFresh(config: SimConfig): void {
    this.settingsNow = {
      version: DEFAULT_VERSION,
      timing: { ...DEFAULT_TIMING },
      numParallel: undefined,
      maxQueue: 512,
      maxLoadedModels: 0,
      defaultNumCtx: 4096,
      defaultKeepAlive: '5m',
      vramBytes: undefined,
      apiKey: undefined,
      promptCache: true,
      completions: [],
      defaultCompletion: DEFAULT_COMPLETION,
      defaultGenerate: DEFAULT_GENERATE,
      chats: [],
      chatAnswer: DEFAULT_CHAT,
    };
    this.registry = defaultRegistry();
    this.installed.clear();
    for (const spec of DEFAULT_INSTALLED) this.addModel(spec);
    this.configure(config);
  }

  /** The current settings (defaults filled in). */
  get settings(): Readonly<Settings> {
    return this.settingsNow;
  }

  setTiming(timing: Partial<Timing>): this {
    return this.configure({ timing });
  }

  /** Installs a model (replacing one of the same name); its blobs count as downloaded. */
  addModel(spec: ModelSpec | string): ModelInfo {
    const info = resolveModel(typeof spec === 'string' ? { name: spec } : spec);
    this.installModel(info);
    return info;
  }

  private installModel(info: ModelInfo): void {
    this.installed.set(info.name.toLowerCase(), info);
    for (const l of info.layers) this.blobs.set(l.digest, l.size);
  }

  removeModel(name: string): void {
    const info = this.installed.get(normalizeName(name).toLowerCase());
    if (!info) return;
    this.installed.delete(info.name.toLowerCase());
    for (const l of info.layers) this.blobs.delete(l.digest);
    this.scheduler.unload(info.name);
  }

  /** Installed models, as /api/tags lists them. */
  models(): ModelInfo[] {
    return [...this.installed.values()];
  }

  /** Makes a model pullable (added to the registry). */
  addToRegistry(spec: ModelSpec | string): this {
    this.registry.push(typeof spec === 'string' ? { name: spec } : spec);
    return this;
  }

  // ---- answers -----------------------------------------------------------------------------

  /** Answer for FIM requests no rule matches: fixed, or computed from prefix/suffix. */
  setCompletion(answer: AnswerSource<GenerateContext>): this {
    this.settingsNow.defaultCompletion = answer;
    return this;
  }

  /** Answer for plain (non-FIM) generate requests no rule matches. */
  setGenerate(answer: AnswerSource<GenerateContext>): this {
    this.settingsNow.defaultGenerate = answer;
    return this;
  }

  /** Answer for chat requests no rule matches. */
  setChat(answer: AnswerSource<ChatContext>): this {
    this.settingsNow.chatAnswer = answer;
    return this;
  }

  addCompletionRule(rule: CompletionRule): this {
    this.settingsNow.completions.push(rule);
    return this;
  }

  addChatRule(rule: ChatRule): this {
    this.settingsNow.chats.push(rule);
    return this;
  }

  // ---- faults ------------------------------------------------------------------------------

  /** Adds a fault (default: generate and chat, until cleared); the handle removes it or counts hits. */
  addFault(spec: FaultSpec): FaultHandle {
    return this.faultSet.add(spec);
  }

  clearFaults(): this {
    this.faultSet.clear();
    return this;
  }

  /** Faults still armed. */
  faults(): FaultSpec[] {
    return this.faultSet.list();
  }

  // ---- model state -------------------------------------------------------------------------

  /** Names of the models in memory now (what /api/ps lists). */
  loadedModels(): string[] {
    return this.scheduler.loaded().map((r) => r.name);
  }

  /** Loads started, finished and aborted, evictions, expiries and unloads, oldest first. */
  get modelEvents(): readonly ModelEvent[] {
    return this.scheduler.events;
  }

  /** How many loads of `model` (or of any model) finished. */
  loadCount(model?: string): number {
    return this.scheduler.events.filter((e) => e.kind === 'loaded' && (model === undefined || sameModel(e.model, model))).length;
  }

  isLoaded(model: string): boolean {
    return this.scheduler.loaded().some((r) => sameModel(r.name, model));
  }

  /** Unloads a model (or all), as keep_alive expiry would. */
  unload(model?: string): this {
    this.scheduler.unload(model === undefined ? undefined : normalizeName(model));
    return this;
  }

  /** Bytes of `model`'s blobs already downloaded (what a resumed pull starts from). */
  downloadedBytes(model: string): number {
    const info = resolveModel(this.registry.find((s) => sameModel(s.name, model)) ?? { name: model });
    return info.layers.reduce((sum, l) => sum + Math.min(this.blobs.get(l.digest) ?? 0, l.size), 0);
  }

  // ---- log -----------------------------------------------------------------------------------

  /** All logged requests, oldest first. */
  get requests(): readonly RequestRecord[] {
    return this.log.records;
  }

  find(filter: RequestMatcher): RequestRecord[] {
    return this.log.records.filter((r) => matches(r, filter));
  }

  /** Highest request id so far: pass it as `afterId` to look only at later requests. */
  get lastId(): number {
    return this.log.records.at(-1)?.id ?? 0;
  }

  clearLog(): this {
    this.log.clear();
    this.scheduler.clearEvents();
    return this;
  }

  /** Most generations that ran at once, for one model or overall (prove "never more than one"). */
  maxConcurrentGenerations(model?: string): number {
    return this.log.maxConcurrentGenerations(model === undefined ? undefined : (this.installed.get(normalizeName(model).toLowerCase())?.name ?? normalizeName(model)));
  }

  /** Most generate/chat HTTP requests open at once, queued ones included. */
  maxConcurrentRequests(): number {
    return this.log.maxConcurrentRequests();
  }

  /** Generate/chat HTTP requests open now (queued or generating). */
  get inFlight(): number {
    return this.log.openRequests();
  }

  /** Polls until `probe` returns something truthy, and returns it. */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 2000): Promise<T> {
    return waitFor(probe, timeoutMs, () => this.log.summary());
  }

  /** Waits for a logged request matching the filter (e.g. `{ endpoint: 'generate', finished: true }`). */
  waitForRequest(filter: RequestMatcher, timeoutMs = 2000): Promise<RequestRecord> {
    return this.waitFor(() => this.log.records.find((r) => matches(r, filter)), timeoutMs);
  }

  /** Waits until no generate/chat request is open. */
  async waitForIdle(timeoutMs = 2000): Promise<void> {
    await this.waitFor(() => this.log.openRequests() === 0, timeoutMs);
  }
}
