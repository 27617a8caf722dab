// A fake OpenAI-compatible model server for tests: a real HTTP server on 127.0.0.1 that answers as
// vLLM (default) or llama.cpp's llama-server does, with the Ollama simulator's scripted model.
//
//   const sim = new OpenAISimulator({ flavour: 'vllm', apiKey: 'team-key' });
//   await sim.start();                                    // sim.url → http://127.0.0.1:PORT (no /v1)
//   sim.addCompletionRule({ whenPrefixEndsWith: 'add(a, b) {\n  ', answer: 'return a + b;' });
//   sim.addFault({ kind: 'drop', after: 3, times: 1 });    // next answer cut after 3 tokens
//   const rec = await sim.waitForRequest({ endpoint: 'completions', finished: true });
//   assert.equal(rec.aborted, true);
//   await sim.restart(100);                                // "server killed", refuses for 100 ms
//
// Files: types.ts (config, faults, log record), routes.ts (the API), batch.ts (continuous
// batching), errors.ts (error bodies and texts), exchange.ts (JSON and SSE responses), shapes.ts
// (answer JSON), cli.ts (standalone process with a control port, for end-to-end tests). Shared
// with the Ollama simulator: ../loopback.ts (listen, restart, kill), ../httpExchange.ts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_CHAT, DEFAULT_COMPLETION, DEFAULT_GENERATE } from '../answers';
import { waitFor } from '../log';
import { LoopbackServer } from '../loopback';
import type { AnswerSource, ChatContext, ChatRule, CompletionRule, GenerateContext } from '../types';
import { Batch } from './batch';
import { OpenAIRoutes, type OpenAISettings } from './routes';
import type { OpenAIEndpoint, OpenAIFault, OpenAIRequestRecord, OpenAISimConfig, OpenAITiming, ServedModel } from './types';

export type * from './types';

export const DEFAULT_OPENAI_TIMING: OpenAITiming = { promptMsPerToken: 0.01, tokenMs: 2, batchSlowdown: 0.05 };

export const VLLM_MODELS: ServedModel[] = [
  { id: 'Qwen/Qwen2.5-Coder-7B', maxModelLen: 32768 },
  { id: 'Qwen/Qwen2.5-Coder-7B-Instruct', maxModelLen: 32768 },
];
export const LLAMACPP_MODELS: ServedModel[] = [{ id: 'qwen2.5-coder-7b-q8_0.gguf', maxModelLen: 32768 }];

export interface OpenAISimulatorOptions extends OpenAISimConfig {
  port?: number;
  host?: string;
}

export type OpenAIRequestMatcher =
  | { endpoint?: OpenAIEndpoint; finished?: boolean; afterId?: number; model?: string }
  | ((r: OpenAIRequestRecord) => boolean);

function matches(r: OpenAIRequestRecord, m: OpenAIRequestMatcher): boolean {
  if (typeof m === 'function') return m(r);
  if (m.endpoint !== undefined && r.endpoint !== m.endpoint) return false;
  if (m.model !== undefined && r.model !== m.model) return false;
  if (m.finished !== undefined && (r.endedAt !== undefined) !== m.finished) return false;
  if (m.afterId !== undefined && r.id <= m.afterId) return false;
  return true;
}

interface ActiveFault {
  spec: OpenAIFault;
  hits: number;
}

const DEFAULT_FAULT_ENDPOINTS: OpenAIEndpoint[] = ['completions', 'chat', 'infill'];

export class OpenAISimulator extends LoopbackServer {
  private readonly initial: OpenAISimConfig;
  private settingsNow!: OpenAISettings;
  private faultList: ActiveFault[] = [];
  private readonly records: OpenAIRequestRecord[] = [];
  private nextId = 1;
  readonly batch: Batch;
  private readonly routes: OpenAIRoutes;

  constructor(options: OpenAISimulatorOptions = {}) {
    const { port, host, ...config } = options;
    super('openai simulator', host, port);
    this.initial = config;
    this.batch = new Batch(() => ({ maxBatch: this.settingsNow.maxBatch, maxQueue: this.settingsNow.maxQueue }));
    this.applyFresh(config);
    this.routes = new OpenAIRoutes({
      settings: () => this.settingsNow,
      record: (method, path, endpoint, headers) => {
        const r: OpenAIRequestRecord = { id: this.nextId++, method, path, endpoint, headers, arrivedAt: Date.now(), aborted: false, tokensSent: 0, text: '', faults: [] };
        this.records.push(r);
        return r;
      },
      takeFaults: (r) => this.takeFaults(r),
      batch: this.batch,
      stopping: () => this.isStopping,
    });
  }

  // start, stop, restart, online, port and url (the OpenAI base URL is `${url}/v1`): LoopbackServer.

  protected handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.routes.handle(req, res);
  }

  protected killed(): void {
    this.routes.killAll();
  }

  protected stopped(): void {
    this.batch.reset();
  }

  configure(config: OpenAISimConfig): this {
    const s = this.settingsNow;
    if (config.flavour) s.flavour = config.flavour;
    if (config.errorShape) s.errorShape = config.errorShape;
    if (config.reasoningParser !== undefined) s.reasoningParser = config.reasoningParser;
    if (config.legacyContextError !== undefined) s.legacyContextError = config.legacyContextError;
    if (config.toolParser !== undefined) s.toolParser = config.toolParser;
    if (config.models) s.models = [...config.models];
    if ('apiKey' in config) s.apiKey = config.apiKey;
    if (config.timing) s.timing = { ...s.timing, ...config.timing };
    if (config.maxBatch !== undefined) s.maxBatch = config.maxBatch;
    if (config.maxQueue !== undefined) s.maxQueue = config.maxQueue;
    if (config.completions) s.completions = [...config.completions];
    if (config.defaultCompletion !== undefined) s.defaultCompletion = config.defaultCompletion;
    if (config.defaultGenerate !== undefined) s.defaultGenerate = config.defaultGenerate;
    if (config.chats) s.chats = [...config.chats];
    if (config.chatAnswer !== undefined) s.chatAnswer = config.chatAnswer;
    if (config.faults) this.faultList = config.faults.map((spec) => ({ spec, hits: 0 }));
    return this;
  }

  reset(): this {
    this.records.length = 0;
    this.faultList = [];
    this.batch.clearStats();
    this.applyFresh(this.initial);
    return this;
  }

  private applyFresh(config: OpenAISimConfig): void {
    const flavour = config.flavour ?? 'vllm';
    this.settingsNow = {
      flavour,
      errorShape: 'nested',
      reasoningParser: false,
      legacyContextError: false,
      toolParser: true,
      models: flavour === 'llamacpp' ? [...LLAMACPP_MODELS] : [...VLLM_MODELS],
      apiKey: undefined,
      timing: { ...DEFAULT_OPENAI_TIMING },
      maxBatch: 32,
      maxQueue: 64,
      completions: [],
      defaultCompletion: DEFAULT_COMPLETION,
      defaultGenerate: DEFAULT_GENERATE,
      chats: [],
      chatAnswer: DEFAULT_CHAT,
    };
    this.faultList = [];
    this.configure(config);
  }

  get settings(): Readonly<OpenAISettings> {
    return this.settingsNow;
  }

  setCompletion(answer: AnswerSource<GenerateContext>): this {
    this.settingsNow.defaultCompletion = answer;
    return this;
  }

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

  /** Adds a fault (default: completions, chat and infill; until cleared or `times` used up). */
  addFault(spec: OpenAIFault): this {
    this.faultList.push({ spec, hits: 0 });
    return this;
  }

  clearFaults(): this {
    this.faultList = [];
    return this;
  }

  private takeFaults(r: OpenAIRequestRecord): OpenAIFault[] {
    const hit: OpenAIFault[] = [];
    for (const f of this.faultList) {
      const endpoints = f.spec.endpoint === undefined ? DEFAULT_FAULT_ENDPOINTS : f.spec.endpoint === '*' ? undefined : [f.spec.endpoint].flat();
      if (endpoints && !endpoints.includes(r.endpoint)) continue;
      f.hits++;
      hit.push(f.spec);
      r.faults.push(f.spec.kind);
    }
    this.faultList = this.faultList.filter((f) => f.spec.times === undefined || f.hits < f.spec.times);
    return hit;
  }

  // ---- log -----------------------------------------------------------------------------------

  get requests(): readonly OpenAIRequestRecord[] {
    return this.records;
  }

  find(filter: OpenAIRequestMatcher): OpenAIRequestRecord[] {
    return this.records.filter((r) => matches(r, filter));
  }

  get lastId(): number {
    return this.records.at(-1)?.id ?? 0;
  }

  clearLog(): this {
    this.records.length = 0;
    this.batch.clearStats();
    return this;
  }

  /** Most sequences that decoded together (continuous batching at work). */
  maxBatchSeen(): number {
    return this.batch.maxRunning;
  }

  /** Sequences decoding now. */
  get running(): number {
    return this.batch.running;
  }

  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 2000): Promise<T> {
    return waitFor(probe, timeoutMs, () => this.summary());
  }

  waitForRequest(filter: OpenAIRequestMatcher, timeoutMs = 2000): Promise<OpenAIRequestRecord> {
    return this.waitFor(() => this.records.find((r) => matches(r, filter)), timeoutMs);
  }

  /** Waits until nothing decodes or waits for the batch. */
  async waitForIdle(timeoutMs = 2000): Promise<void> {
    await this.waitFor(() => this.batch.running === 0 && this.batch.queued === 0, timeoutMs);
  }

  summary(last = 8): string {
    const lines = this.records
      .slice(-last)
      .map((r) => `#${r.id} ${r.method} ${r.path}${r.model ? ` ${r.model}` : ''} status=${r.status ?? '-'} outcome=${r.outcome ?? 'open'} tokens=${r.tokensSent}`);
    return lines.length ? `Last requests:\n  ${lines.join('\n  ')}` : 'No requests logged.';
  }
}
