// The OpenAI-compatible implementation of Backend (vLLM, SGLang, llama.cpp's llama-server, LM
// Studio): the only file in src/ that imports `openai`.
//
// - Completions: the caller's raw Qwen FIM prompt goes to /v1/completions as is, or, on llama-server,
//   is taken apart into prefix, suffix and other files for its /infill endpoint (which applies the
//   model's own FIM format). No change to GenerateRequest is needed for that.
// - Chat: /v1/chat/completions, streamed. Reasoning deltas (vLLM's reasoning parser) are wrapped in
//   <think>…</think> so the existing folding shows them.
// - Every call gets a client whose fetch carries the call's own AbortSignal, so an abort closes the
//   connection and the server stops generating (vLLM aborts a request whose client went away). The
//   client's own retries are off: the caller decides about retrying.
// - A stream that ends without finish_reason ends without the final `done` chunk, so readAnswer
//   reports it `incomplete` and keeps the partial text.

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { Stream } from 'openai/core/streaming';
import { EMBED_TIMEOUT_MS, type Backend, type CallLimits, type ChatRequest, type GenerateRequest, type GenerationStats, type InstalledModel, type LoadedModel, type ModelDetails, type PullProgress, type StreamChunk } from './backend';
import { parseRetryAfter } from './busy';
import { BackendError, type BackendErrorContext } from './errors';
import { DEFAULT_TIMEOUTS, RequestGuard, type Timeouts } from './guard';
import { contextTooLong, normalizeErrorBody, stillTooLong, toOpenAIBackendError, type ServerFailure } from './openaiErrors';
import { engineOf, parseServerUrl, serverName } from './probe';
import { chatBody, completionBody, infillBody, parseQwenFim, type InfillEvent } from './openaiRequests';
import { shrinkChat, shrinkGenerate, type ContextOverflow } from './openaiShrink';
import { ToolCallAssembler, type ToolCallDelta } from './openaiToolCalls';

export interface OpenAIBackendOptions {
  /** The server URL as configured, with or without `/v1`. */
  host: string;
  apiKey?: string;
  timeouts?: Partial<Timeouts>;
  /** For tests, instrumentation, or a fetch with a CA-file dispatcher; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** llama.cpp's /infill for FIM prompts: `auto` uses it when /v1/models says llama.cpp. */
  infill?: 'auto' | 'always' | 'never';
}

/** What an HTTP header value can carry: visible ASCII, with spaces and tabs only inside. */
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

interface ModelCard {
  id: string;
  created?: number;
  owned_by?: string;
  max_model_len?: number;
  meta?: { n_ctx_train?: number };
}

function contextOf(card: ModelCard): number | undefined {
  return card.max_model_len ?? card.meta?.n_ctx_train;
}

/** The client's error as plain facts for openaiErrors.ts. */
function failureOf(error: unknown): ServerFailure {
  if (error instanceof APIUserAbortError) return { aborted: true, message: error.message };
  if (error instanceof APIConnectionTimeoutError) return { timeout: true, message: error.message };
  if (error instanceof APIConnectionError) return { connection: true, message: error.message, cause: error.cause };
  if (error instanceof APIError) {
    const body: unknown = error.error;
    const inner = typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : undefined;
    const message = inner ?? (typeof body === 'string' ? body : error.message.replace(/^\d{3}\s+/, ''));
    const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'), Date.now());
    return { status: error.status, message, ...(error.type ? { type: error.type } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (error instanceof Error && error.name === 'AbortError') return { aborted: true, message: error.message };
  if (error instanceof TypeError) return { connection: true, message: error.message, cause: error };
  return { message: error instanceof Error ? error.message : String(error) };
}

export class OpenAICompatibleBackend implements Backend {
  /** The server root without `/v1`, for messages. */
  readonly host: string;
  private readonly apiBase: string;
  private readonly timeouts: Timeouts;
  private readonly apiKey: string | undefined;
  private readonly keyProblem: string | undefined;
  private readonly urlProblem: string | undefined;
  private readonly baseFetch: typeof fetch;
  private readonly infillMode: 'auto' | 'always' | 'never';
  private engine: Promise<string> | undefined;

  constructor(options: OpenAIBackendOptions) {
    // A bad URL fails every call with its sentence instead of throwing here, like a bad key.
    const url = parseServerUrl(options.host);
    this.urlProblem = typeof url === 'string' ? url : undefined;
    // Never keep credentials typed into a bad URL: the host goes into messages and logs.
    this.host = typeof url === 'string' ? options.host.trim().replace(/\/\/[^/@]*@/, '//') : url.root;
    this.apiBase = typeof url === 'string' ? '' : url.apiBase;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.keyProblem =
      options.apiKey && !HEADER_VALUE.test(options.apiKey)
        ? 'the API key contains a line break, a control character or a non-ASCII character, which an HTTP header cannot carry'
        : undefined;
    this.apiKey = options.apiKey && !this.keyProblem ? options.apiKey : undefined;
    this.baseFetch = options.fetch ?? fetch;
    this.infillMode = options.infill ?? 'auto';
  }

  /** The engine from the last model list ("vLLM"), so messages can name the server. */
  private engineSeen: string | undefined;

  private ctx(model?: string): BackendErrorContext & { server?: string } {
    const server = this.engineSeen ? { server: serverName('openai', this.engineSeen, this.host) } : {};
    return model === undefined ? { host: this.host, ...server } : { host: this.host, model, ...server };
  }

  private guard(signal: AbortSignal | undefined, model?: string): RequestGuard {
    const ctx = this.ctx(model);
    if (this.urlProblem) throw new BackendError('unreachable', this.urlProblem, ctx, undefined, 'bad server URL');
    if (this.keyProblem) {
      throw new BackendError('unauthorized', `Qwen Local cannot send your API key to ${this.host}: ${this.keyProblem}. Set it again with "Qwen Local: Set API Key for the Model Server".`, ctx, undefined, this.keyProblem);
    }
    return new RequestGuard(signal, ctx, (what, ms) => toOpenAIBackendError({ timeout: true, message: `${what} after ${ms} ms` }, ctx));
  }

  /** fetch bound to one request: its signal, never following redirects, flat errors normalized. */
  private boundFetch(signal: AbortSignal): typeof fetch {
    const base = this.baseFetch;
    return async (input, init) => {
      const res = await base(input, { ...init, redirect: 'error', signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
      return normalizeErrorBody(res);
    };
  }

  private client(signal: AbortSignal): OpenAI {
    return new OpenAI({
      baseURL: this.apiBase,
      // The client insists on a key; without one the Authorization header is removed below. Explicit
      // nulls keep OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment off the team server.
      apiKey: this.apiKey ?? 'no-key',
      organization: null,
      project: null,
      ...(this.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
      fetch: this.boundFetch(signal),
      maxRetries: 0,
      timeout: 24 * 3600_000,
    });
  }

  private async failure(error: unknown, guard: RequestGuard, model?: string): Promise<BackendError> {
    if (guard.reason) return guard.reason;
    const failure = failureOf(error);
    const mapped = toOpenAIBackendError(failure, { ...this.ctx(model), keySent: this.apiKey !== undefined });
    if (mapped.kind !== 'modelNotFound') return mapped;
    // Say what the server has instead (best effort, short).
    const served = await this.listModels(AbortSignal.timeout(2_000)).then((ms) => ms.map((m) => m.name), () => undefined);
    return toOpenAIBackendError(failure, { ...this.ctx(model), keySent: this.apiKey !== undefined, ...(served ? { servedModels: served } : {}) });
  }

  private async unary<T>(signal: AbortSignal | undefined, model: string | undefined, call: (client: OpenAI, signal: AbortSignal) => Promise<T>, limitMs = this.timeouts.requestMs): Promise<T> {
    const guard = this.guard(signal, model);
    guard.limit(limitMs, 'no answer');
    try {
      return await call(this.client(guard.signal), guard.signal);
    } catch (error) {
      throw await this.failure(error, guard, model);
    } finally {
      guard.dispose();
    }
  }

  /** Runs a stream under the first-token, idle and total limits; yields the raw parts. */
  private async *stream<T>(signal: AbortSignal | undefined, model: string, limits: CallLimits, start: (signal: AbortSignal) => Promise<AsyncIterable<T>>): AsyncGenerator<T, boolean> {
    const guard = this.guard(signal, model);
    const firstToken = guard.limit(limits.firstTokenMs ?? this.timeouts.firstTokenMs, 'no first token');
    guard.limit(limits.totalMs ?? this.timeouts.totalMs, 'answer too long');
    try {
      yield* guard.watch(await start(guard.signal), firstToken, this.timeouts.idleMs);
      // The client ends quietly when its signal aborts: say why.
      if (guard.reason) throw guard.reason;
      return true;
    } catch (error) {
      if (guard.reason) throw guard.reason;
      const failure = failureOf(error);
      // Cut mid-answer (the server died, a proxy closed it): end without the final chunk.
      if (guard.started && failure.connection) return false;
      throw await this.failure(error, guard, model);
    } finally {
      guard.dispose();
    }
  }

  /** Whether FIM prompts go to llama-server's /infill (learned once from /v1/models). */
  private async useInfill(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.infillMode !== 'auto') return this.infillMode === 'always';
    this.engine ??= this.version(signal).catch((e: unknown) => {
      this.engine = undefined;
      throw e;
    });
    return (await this.engine.catch(() => '')) === 'llama.cpp';
  }

  /**
   * Runs a call; if the server says the prompt does not fit its context before any answer came,
   * runs it once more with the request made shorter (openaiShrink.ts), then gives up with a sentence
   * that says what to do.
   */
  private async *fitting<R>(request: R, run: (r: R) => AsyncIterable<StreamChunk>, shorter: (r: R, o: ContextOverflow) => R | undefined): AsyncIterable<StreamChunk> {
    let started = false;
    let overflow: ContextOverflow | undefined;
    try {
      for await (const chunk of run(request)) {
        started = true;
        yield chunk;
      }
      return;
    } catch (error) {
      overflow = contextTooLong(error);
      if (started || !overflow || !(error instanceof BackendError)) throw error;
      const smaller = shorter(request, overflow);
      if (!smaller) throw stillTooLong(error, overflow);
      try {
        yield* run(smaller);
      } catch (again) {
        if (again instanceof BackendError && contextTooLong(again)) throw stillTooLong(again, contextTooLong(again) ?? overflow);
        throw again;
      }
    }
  }

  generate(request: GenerateRequest): AsyncIterable<StreamChunk> {
    return this.fitting(request, (r) => this.generateOnce(r), shrinkGenerate);
  }

  private async *generateOnce(request: GenerateRequest): AsyncIterable<StreamChunk> {
    const fim = request.raw ? parseQwenFim(request.prompt) : undefined;
    if (fim && (await this.useInfill(request.signal))) {
      yield* this.infill(request, fim);
      return;
    }
    if (!request.raw && !request.suffix) {
      // Ollama applies the model's chat template to a non-raw prompt; the chat endpoint does that here.
      const messages = [...(request.system ? [{ role: 'system' as const, content: request.system }] : []), { role: 'user' as const, content: request.prompt }];
      yield* this.chat({ model: request.model, messages, ...(request.options ? { options: request.options } : {}), ...(request.signal ? { signal: request.signal } : {}), ...(request.limits ? { limits: request.limits } : {}) });
      return;
    }
    const body = completionBody(request);
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    const parts = this.stream(request.signal, request.model, request.limits ?? {}, (signal) => this.client(signal).completions.create(body, { signal }));
    for await (const part of parts) {
      const choice = part.choices[0];
      if (choice?.text) yield { text: choice.text, done: false };
      finish = choice?.finish_reason ?? finish;
      usage = part.usage ?? usage;
    }
    if (finish) yield { text: '', done: true, stats: stats(finish, usage) };
  }

  private async *infill(request: GenerateRequest, fim: NonNullable<ReturnType<typeof parseQwenFim>>): AsyncIterable<StreamChunk> {
    const body = infillBody(request, fim);
    let final: InfillEvent | undefined;
    const parts = this.stream<InfillEvent>(request.signal, request.model, request.limits ?? {}, async (signal) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
      if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
      const res = await this.boundFetch(signal)(`${this.host}/infill`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!res.ok) {
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const error = typeof json === 'object' && json !== null && 'error' in json ? json.error : undefined;
        throw APIError.generate(res.status, { error: error ?? text }, text, res.headers);
      }
      const controller = new AbortController();
      signal.addEventListener('abort', () => controller.abort(), { once: true });
      return Stream.fromSSEResponse<InfillEvent>(res, controller);
    });
    for await (const part of parts) {
      if (part.content) yield { text: part.content, done: false };
      if (part.stop) final = part;
    }
    if (final) {
      const reason = final.stop_type === 'limit' ? 'length' : 'stop';
      yield { text: '', done: true, stats: { doneReason: reason, ...(final.tokens_predicted !== undefined ? { evalCount: final.tokens_predicted } : {}), ...(final.tokens_evaluated !== undefined ? { promptEvalCount: final.tokens_evaluated } : {}) } };
    }
  }

  chat(request: ChatRequest): AsyncIterable<StreamChunk> {
    return this.fitting(request, (r) => this.chatOnce(r), shrinkChat);
  }

  private async *chatOnce(request: ChatRequest): AsyncIterable<StreamChunk> {
    const body = chatBody(request);
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    let thinking = false;
    const tools = new ToolCallAssembler();
    const parts = this.stream(request.signal, request.model, request.limits ?? {}, (signal) => this.client(signal).chat.completions.create(body, { signal }));
    for await (const part of parts) {
      const choice = part.choices[0];
      const delta = (choice?.delta ?? {}) as { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: ToolCallDelta[] };
      tools.add(delta.tool_calls);
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      let text = '';
      if (reasoning) {
        text += thinking ? reasoning : `<think>${reasoning}`;
        thinking = true;
      }
      if (delta.content) {
        if (thinking) text += '</think>';
        thinking = false;
        text += delta.content;
      }
      if (text) yield { text, done: false };
      finish = choice?.finish_reason ?? finish;
      usage = part.usage ?? usage;
    }
    if (!finish) return;
    // Native tool calls, whole, with the final chunk: as the Ollama backend gives them to src/lm/.
    const called = tools.finish();
    yield { text: (thinking ? '</think>' : '') + called.text, done: true, stats: stats(finish, usage), ...(called.calls.length ? { toolCalls: called.calls } : {}) };
  }

  async listModels(signal?: AbortSignal): Promise<InstalledModel[]> {
    const cards = await this.cards(signal);
    return cards.map((c) => ({
      name: c.id,
      sizeBytes: 0,
      digest: '',
      modifiedAt: c.created ? new Date(c.created * 1000).toISOString() : '',
      ...(contextOf(c) !== undefined ? { contextLength: contextOf(c) } : {}),
    }));
  }

  private cards(signal?: AbortSignal): Promise<ModelCard[]> {
    return this.unary(signal, undefined, async (client, s) => {
      const page = await client.models.list({ signal: s });
      const cards = page.data as unknown as ModelCard[]; // vLLM and llama.cpp add fields the client's type omits
      if (cards[0]) this.engineSeen = engineOf(cards[0].owned_by);
      return cards;
    });
  }

  /** A server serves what it was started with: every listed model counts as loaded. */
  async loadedModels(signal?: AbortSignal): Promise<LoadedModel[]> {
    const cards = await this.cards(signal);
    return cards.map((c) => ({ name: c.id, sizeBytes: 0, sizeVramBytes: 0, ...(contextOf(c) !== undefined ? { contextLength: contextOf(c) } : {}) }));
  }

  async show(model: string, signal?: AbortSignal): Promise<ModelDetails> {
    const cards = await this.cards(signal);
    const card = cards.find((c) => c.id === model);
    if (!card) throw toOpenAIBackendError({ status: 404, message: `model ${model} not listed` }, { ...this.ctx(model), servedModels: cards.map((c) => c.id) });
    const instruct = /instruct|chat|-it\b/i.test(model);
    const contextLength = contextOf(card);
    // Instruct models call tools natively where the server parses them (vLLM --enable-auto-tool-choice).
    return { capabilities: instruct ? ['completion', 'tools'] : ['completion', 'insert'], ...(contextLength !== undefined ? { contextLength } : {}) };
  }

  pull(model: string): AsyncIterable<PullProgress> {
    const ctx = this.ctx(model);
    const error = new BackendError(
      'capability',
      `Pulling models is an Ollama-only action: ${this.host} serves the models it was started with. Start it with the model you want (e.g. \`vllm serve ${model}\`).`,
      ctx,
      undefined,
      'pull not supported',
    );
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
    };
  }

  /** The engine, from `owned_by` in /v1/models ("vLLM", "llama.cpp", …): these servers have no common version call. */
  async version(signal?: AbortSignal): Promise<string> {
    const cards = await this.cards(signal);
    return engineOf(cards[0]?.owned_by);
  }

  /** POST /v1/embeddings. Floats asked for explicitly: the client's default, base64, is not served by every engine. */
  embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> {
    return this.unary(
      signal,
      model,
      async (client, s) => {
        const res = await client.embeddings.create({ model, input: texts, encoding_format: 'float' }, { signal: s });
        return [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      },
      EMBED_TIMEOUT_MS,
    );
  }
}

function stats(finish: string, usage: OpenAI.CompletionUsage | undefined): GenerationStats {
  return { doneReason: finish, ...(usage ? { promptEvalCount: usage.prompt_tokens, evalCount: usage.completion_tokens } : {}) };
}
