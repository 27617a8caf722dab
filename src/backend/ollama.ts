// The Ollama implementation of Backend: the only file in src/ that imports `ollama`.
//
// Every call builds a client whose `fetch` carries the call's own AbortSignal. The stock client only
// aborts once response headers arrive — for /api/generate that is after the model load and the prompt
// evaluation — so a cancelled completion would keep the server busy. Injecting the signal into fetch
// makes the abort reach the server at once.

import { Ollama, type ChatResponse, type GenerateResponse, type Message, type ProgressResponse, type Tool } from 'ollama';
import {
  EMBED_TIMEOUT_MS,
  type Backend,
  CallLimits,
  ChatMessage,
  ChatRequest,
  ChatTool,
  GenerateRequest,
  GenerationStats,
  InstalledModel,
  LoadedModel,
  ModelDetails,
  PullProgress,
  StreamChunk,
} from './backend';
import { DEFAULT_TIMEOUTS, RequestGuard, type Timeouts } from './guard';
import { BackendError, describe, redactError, summarizeBody, toBackendError, type BackendErrorContext } from './errors';
import { ollamaFeatures } from './probe';

export { DEFAULT_TIMEOUTS, type Timeouts } from './guard';

export interface OllamaBackendOptions {
  host: string;
  apiKey?: string;
  timeouts?: Partial<Timeouts>;
  /** For tests and instrumentation; defaults to the global fetch. */
  fetch?: typeof fetch;
}


/**
 * Ollama reads a JSON number as seconds and a string as a Go duration, which rejects "-1" or "1.5"
 * for lacking a unit (api/types.go Duration.UnmarshalJSON): send those as numbers.
 */
export function keepAliveValue(value: string | number | undefined): string | number | undefined {
  return typeof value === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)$/.test(value.trim()) ? Number(value.trim()) : value;
}

function stats(part: GenerateResponse | ChatResponse): GenerationStats {
  return {
    doneReason: part.done_reason,
    totalDurationNs: part.total_duration,
    loadDurationNs: part.load_duration,
    promptEvalCount: part.prompt_eval_count,
    promptEvalDurationNs: part.prompt_eval_duration,
    evalCount: part.eval_count,
    evalDurationNs: part.eval_duration,
  };
}

/** Errors the client raises itself once the stream has started (it does not export their types). */
function streamFailure(error: unknown, ctx: BackendErrorContext): BackendError | undefined {
  if (!(error instanceof Error) || error.name !== 'Error') return undefined;
  if (/did not receive done/i.test(error.message)) {
    return new BackendError('unreachable', `The connection to Ollama at ${ctx.host} closed before the answer was complete. Is the server still running?`, ctx, undefined, error.message);
  }
  // An {"error": "..."} line in the middle of a 200 stream.
  const text = summarizeBody(error.message);
  return new BackendError('server', describe('server', ctx, text), ctx, undefined, text);
}

/** Ollama's message: tool calls as {function: {name, arguments}}, a tool result named by `tool_name`. */
function toOllamaMessage(m: ChatMessage): Message {
  return {
    role: m.role,
    content: m.content,
    ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) } : {}),
    ...(m.role === 'tool' && m.toolName ? { tool_name: m.toolName } : {}),
  };
}

function toOllamaTool(t: ChatTool): Tool {
  return { type: 'function', function: { name: t.name, description: t.description ?? '', parameters: (t.parameters ?? { type: 'object', properties: {} }) as Tool['function']['parameters'] } };
}

/** What an HTTP header value can carry: visible ASCII, with spaces and tabs only inside. */
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

export class OllamaBackend implements Backend {
  readonly host: string;
  private readonly timeouts: Timeouts;
  private readonly headers: Record<string, string>;
  private readonly baseFetch: typeof fetch;
  /** Why the API key cannot be sent; fetch would otherwise throw an error that quotes the key. */
  private readonly keyProblem: string | undefined;
  /** Taken out of every error text: a server (or proxy) may echo the key it was sent. */
  private readonly secrets: readonly (string | undefined)[];

  constructor(options: OllamaBackendOptions) {
    this.host = options.host;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.keyProblem =
      options.apiKey && !HEADER_VALUE.test(options.apiKey)
        ? 'the API key contains a line break, a control character or a non-ASCII character, which an HTTP header cannot carry'
        : undefined;
    this.headers = options.apiKey && !this.keyProblem ? { Authorization: `Bearer ${options.apiKey}` } : {};
    this.baseFetch = options.fetch ?? fetch;
    this.secrets = [options.apiKey, options.apiKey?.trim()];
  }

  /** The error as callers may show and log it: without the key, however the server quoted it. */
  private clean(error: BackendError): BackendError {
    return redactError(error, this.secrets);
  }

  /** Refuses before anything is sent when the key cannot be sent (never quoting it). */
  private checkKey(ctx: BackendErrorContext): void {
    if (!this.keyProblem) return;
    const message = `Qwen Local cannot send your API key to ${ctx.host}: ${this.keyProblem}. Set it again with "Qwen Local: Set API Key for the Model Server".`;
    throw new BackendError('unauthorized', message, ctx, undefined, this.keyProblem);
  }

  /** A client bound to one request's signal (cheap: the client holds no connection state). */
  private client(signal: AbortSignal): Ollama {
    const base = this.baseFetch;
    // `redirect: 'error'`: a redirect would re-send the body (the user's code) and the key to an
    // address nobody configured; it fails the request instead (errors.ts names it).
    const boundFetch: typeof fetch = (input, init) =>
      base(input, { ...init, redirect: 'error', signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return new Ollama({ host: this.host, fetch: boundFetch, headers: this.headers });
  }

  private async unary<T>(signal: AbortSignal | undefined, model: string | undefined, call: (client: Ollama) => Promise<T>, limitMs = this.timeouts.requestMs): Promise<T> {
    const ctx = { host: this.host, model };
    this.checkKey(ctx);
    const guard = new RequestGuard(signal, ctx, (what, ms) => new BackendError('timeout', describe('timeout', ctx), ctx, undefined, `${what} after ${ms} ms`));
    guard.limit(limitMs, 'no answer');
    try {
      return await call(this.client(guard.signal));
    } catch (error) {
      throw this.clean(guard.reason ?? toBackendError(error, ctx));
    } finally {
      guard.dispose();
    }
  }

  /** Runs a streaming call under the first-token, idle and total limits; yields the raw parts. */
  private async *stream<T extends object>(
    signal: AbortSignal | undefined,
    model: string,
    limits: CallLimits,
    start: (client: Ollama) => Promise<AsyncIterable<T>>,
    /** The server sends the answer whole at its end: no first-token or silence limit short of the total one. */
    wholeAtEnd = false,
  ): AsyncGenerator<T> {
    const ctx = { host: this.host, model };
    this.checkKey(ctx);
    const guard = new RequestGuard(signal, ctx, (what, ms) => new BackendError('timeout', describe('timeout', ctx), ctx, undefined, `${what} after ${ms} ms`));
    const totalMs = limits.totalMs ?? this.timeouts.totalMs;
    const firstToken = guard.limit(wholeAtEnd ? totalMs : (limits.firstTokenMs ?? this.timeouts.firstTokenMs), 'no first token');
    guard.limit(totalMs, 'answer too long');
    try {
      yield* guard.watch(await start(this.client(guard.signal)), firstToken, wholeAtEnd ? totalMs : this.timeouts.idleMs);
    } catch (error) {
      if (guard.reason) throw this.clean(guard.reason);
      throw this.clean((guard.started && streamFailure(error, ctx)) || toBackendError(error, ctx));
    } finally {
      guard.dispose();
    }
  }

  async *generate(request: GenerateRequest): AsyncIterable<StreamChunk> {
    const parts = this.stream(request.signal, request.model, request.limits ?? {}, (client) =>
      client.generate({
        model: request.model,
        prompt: request.prompt,
        raw: request.raw,
        suffix: request.suffix,
        system: request.system,
        options: request.options,
        keep_alive: keepAliveValue(request.keepAlive),
        stream: true,
      }),
    );
    for await (const part of parts) {
      if (part.done) {
        yield { text: part.response ?? '', done: true, stats: stats(part) };
        return;
      }
      yield { text: part.response ?? '', done: false };
    }
  }

  async *chat(request: ChatRequest): AsyncIterable<StreamChunk> {
    // Before Ollama 0.8.0 a streamed chat with tools sends its content whole at the end (probe.ts).
    const wholeAtEnd = request.tools?.length ? !ollamaFeatures(await this.serverVersion(request.signal)).streamsContentWithTools : false;
    const parts = this.stream(
      request.signal,
      request.model,
      request.limits ?? {},
      (client) =>
        client.chat({
          model: request.model,
          messages: request.messages.map(toOllamaMessage),
          ...(request.tools?.length ? { tools: request.tools.map(toOllamaTool) } : {}),
          options: request.options,
          keep_alive: keepAliveValue(request.keepAlive),
          stream: true,
        }),
      wholeAtEnd,
    );
    for await (const part of parts) {
      const text = part.message?.content ?? '';
      const calls = part.message?.tool_calls?.map((c) => ({ name: c.function.name, arguments: c.function.arguments ?? {} }));
      const toolCalls = calls?.length ? { toolCalls: calls } : {};
      if (part.done) {
        yield { text, done: true, stats: stats(part), ...toolCalls };
        return;
      }
      yield { text, done: false, ...toolCalls };
    }
  }

  async *pull(model: string, signal?: AbortSignal): AsyncIterable<PullProgress> {
    // A pull can sit silent while verifying a large blob, and runs for as long as the download takes.
    const parts = this.stream<ProgressResponse>(signal, model, { firstTokenMs: 60_000, totalMs: 24 * 3600_000 }, (client) =>
      client.pull({ model, stream: true }),
    );
    for await (const part of parts) {
      yield { status: part.status, digest: part.digest || undefined, totalBytes: part.total || undefined, completedBytes: part.completed || undefined };
    }
  }

  listModels(signal?: AbortSignal): Promise<InstalledModel[]> {
    return this.unary(signal, undefined, async (client) => {
      const { models } = await client.list();
      return models.map((m) => ({
        name: m.name,
        sizeBytes: m.size,
        digest: m.digest,
        modifiedAt: String(m.modified_at),
        family: m.details?.family,
        parameterSize: m.details?.parameter_size,
        quantization: m.details?.quantization_level,
      }));
    });
  }

  loadedModels(signal?: AbortSignal): Promise<LoadedModel[]> {
    return this.unary(signal, undefined, async (client) => {
      const { models } = await client.ps();
      return models.map((m) => ({
        name: m.name,
        sizeBytes: m.size,
        sizeVramBytes: m.size_vram,
        expiresAt: m.expires_at ? String(m.expires_at) : undefined,
        // Newer servers report the context the model was loaded with; older ones omit it.
        contextLength: (m as { context_length?: number }).context_length,
      }));
    });
  }

  show(model: string, signal?: AbortSignal): Promise<ModelDetails> {
    return this.unary(signal, model, async (client) => {
      const info = await client.show({ model });
      const modelInfo = (info.model_info ?? {}) as unknown as Record<string, unknown>;
      const arch = typeof modelInfo['general.architecture'] === 'string' ? modelInfo['general.architecture'] : undefined;
      const ctxLen = arch ? modelInfo[`${arch}.context_length`] : undefined;
      return {
        capabilities: info.capabilities ?? [],
        contextLength: typeof ctxLen === 'number' ? ctxLen : undefined,
        family: info.details?.family,
        parameterSize: info.details?.parameter_size,
        quantization: info.details?.quantization_level,
        template: info.template,
      };
    });
  }

  version(signal?: AbortSignal): Promise<string> {
    return this.unary(signal, undefined, async (client) => (await client.version()).version);
  }

  /** The server's version, asked once per backend; undefined while it cannot be read (asked again next time). */
  private knownVersion: Promise<string | undefined> | undefined;

  private serverVersion(signal?: AbortSignal): Promise<string | undefined> {
    this.knownVersion ??= this.version(signal ? AbortSignal.any([signal, AbortSignal.timeout(5_000)]) : AbortSignal.timeout(5_000)).catch(() => {
      this.knownVersion = undefined;
      return undefined;
    });
    return this.knownVersion;
  }

  /** POST /api/embed; `truncate` lets the server cut a chunk longer than the model's context. */
  embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> {
    return this.unary(signal, model, async (client) => (await client.embed({ model, input: texts, truncate: true })).embeddings, EMBED_TIMEOUT_MS);
  }
}
