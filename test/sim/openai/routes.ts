// The OpenAI-compatible API, route by route, as vLLM and llama-server answer it. Sources (read for
// this simulator; behaviour not re-checked line by line is marked "not verified"):
// - vLLM: vllm/entrypoints/openai/api_server.py (routes, the --api-key middleware answering
//   401 {"error":"Unauthorized"} for /v1 paths), completion/serving.py and chat_completion/serving.py
//   (SSE chunks, finish_reason, `data: [DONE]`, abort on disconnect), engine/protocol.py (ModelCard
//   with max_model_len, ErrorResponse), engine/serving.py (_check_model 404).
// - llama.cpp: tools/server/server.cpp (handle_infill: input_prefix/input_suffix required,
//   input_extra an array of {filename,text}; /health; /v1/models with owned_by "llamacpp" and meta).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerChat, answerGenerate, planAnswer, type PlannedAnswer } from '../answers';
import { abortableSleep } from '../scheduler';
import { countTokens, parseFim } from '../tokens';
import type { AnswerSource, ChatContext, ChatRule, CompletionRule, GenerateContext } from '../types';
import { AbortedError, QueueFullError, type Batch } from './batch';
import { errorBody, llamaContextTooLong, vllmContextTooLong, vllmModelMissing, type ErrorStyle } from './errors';
import { embeddingsRoute } from './embeddings';
import { SseExchange } from './exchange';
import { deltaChunks, HermesStream, parseHermes, type HermesDelta } from './hermes';
import { chunkOf, isFimModel, llamaInfillPrompt, modelListOf, objectName, splitReasoning, wholeOf } from './shapes';
import type { OpenAIEndpoint, OpenAIFault, OpenAIRequestRecord, OpenAITiming, ServedModel } from './types';

export interface OpenAISettings extends ErrorStyle {
  models: ServedModel[];
  reasoningParser: boolean;
  legacyContextError: boolean;
  toolParser: boolean;
  apiKey: string | undefined;
  timing: OpenAITiming;
  maxBatch: number;
  maxQueue: number;
  completions: CompletionRule[];
  defaultCompletion: AnswerSource<GenerateContext>;
  defaultGenerate: AnswerSource<GenerateContext>;
  chats: ChatRule[];
  chatAnswer: AnswerSource<ChatContext>;
}

export interface OpenAIState {
  settings(): OpenAISettings;
  record(method: string, path: string, endpoint: OpenAIEndpoint, headers: Record<string, string>): OpenAIRequestRecord;
  takeFaults(rec: OpenAIRequestRecord): OpenAIFault[];
  readonly batch: Batch;
  stopping(): boolean;
}

type Body = Record<string, unknown>;

const ROUTES: Record<string, { method: string; endpoint: OpenAIEndpoint; llamaOnly?: boolean }> = {
  '/v1/models': { method: 'GET', endpoint: 'models' },
  '/v1/completions': { method: 'POST', endpoint: 'completions' },
  '/v1/chat/completions': { method: 'POST', endpoint: 'chat' },
  '/health': { method: 'GET', endpoint: 'health' },
  '/infill': { method: 'POST', endpoint: 'infill', llamaOnly: true },
  '/v1/embeddings': { method: 'POST', endpoint: 'embeddings' },
};

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function stops(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : undefined;
}

export interface Job {
  endpoint: 'completions' | 'chat' | 'infill';
  model: string;
  promptTokens: number;
  stream: boolean;
  includeUsage: boolean;
  answer: () => Promise<PlannedAnswer>;
  faults: OpenAIFault[];
  /** A chat with `tools`: the answer goes through vLLM's hermes tool parser (hermes.ts). */
  tools?: boolean;
}

export class OpenAIRoutes {
  private readonly open = new Set<SseExchange>();
  private nextId = 1;

  constructor(private readonly s: OpenAIState) {}

  killAll(): void {
    for (const x of this.open) x.kill();
  }

  private error(x: SseExchange, status: number, message: string, type?: string, headers?: Record<string, string>): void {
    x.rec.error = message;
    x.json(status, errorBody(this.s.settings(), status, message, type), headers);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const settings = this.s.settings();
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    const method = req.method ?? 'GET';
    const route = ROUTES[path];
    const usable = route && !(route.llamaOnly && settings.flavour !== 'llamacpp');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec = this.s.record(method, path, usable ? route.endpoint : 'other', headers);
    const x = new SseExchange(req, res, rec, () => this.s.stopping());
    this.open.add(x);
    res.on('close', () => this.open.delete(x));

    let raw: string;
    try {
      const parts: Buffer[] = [];
      for await (const chunk of req) parts.push(chunk as Buffer);
      raw = Buffer.concat(parts).toString('utf8');
    } catch {
      return;
    }

    // FastAPI's 404 for an unknown path (vLLM); llama.cpp answers its own 404 JSON.
    if (!usable) {
      return settings.flavour === 'llamacpp' ? this.error(x, 404, 'File Not Found') : x.json(404, { detail: 'Not Found' });
    }
    if (method !== route.method) return x.json(405, { detail: 'Method Not Allowed' });

    // --api-key. vLLM guards every /v1 path; llama.cpp leaves /health and /v1/models public (from memory).
    const key = settings.apiKey;
    const guarded = settings.flavour === 'llamacpp' ? route.endpoint !== 'health' && route.endpoint !== 'models' : path.startsWith('/v1');
    if (key !== undefined && guarded && headers.authorization !== `Bearer ${key}`) {
      if (settings.flavour === 'llamacpp') return this.error(x, 401, 'Invalid API Key');
      rec.error = 'Unauthorized';
      return x.json(401, { error: 'Unauthorized' });
    }

    let body: Body = {};
    if (method === 'POST') {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('body is not a JSON object');
        body = parsed as Body; // checked just above
      } catch (e) {
        return this.error(x, 400, `JSON decode error: ${e instanceof Error ? e.message : String(e)}`);
      }
      rec.body = body;
      if (str(body.model)) rec.model = str(body.model);
    }

    const faults = this.s.takeFaults(rec);
    try {
      for (const f of faults) if (f.kind === 'stall' && f.after === undefined) await abortableSleep(f.ms ?? Infinity, x.signal);
    } catch {
      return;
    }
    for (const f of faults) {
      if (f.kind === 'reset') return x.drop();
      if (f.kind === 'status') {
        rec.error = f.message ?? `simulated ${f.status}`;
        if (f.body !== undefined) return x.send(f.status, 'text/html; charset=utf-8', f.body, 'error', f.headers);
        return this.error(x, f.status, rec.error, undefined, f.headers);
      }
    }

    switch (route.endpoint) {
      case 'models':
        return x.json(200, modelListOf(this.s.settings().models, this.s.settings().flavour));
      case 'health':
        return x.json(200, { status: 'ok' });
      case 'completions':
        return this.completions(x, body, faults);
      case 'chat':
        return this.chat(x, body, faults);
      case 'infill':
        return this.infill(x, body, faults);
      case 'embeddings':
        return embeddingsRoute(settings, x, body, (status, message, type) => this.error(x, status, message, type));
      default:
        return x.json(404, { detail: 'Not Found' });
    }
  }

  /** The served model a request names; llama-server serves one model and ignores the name. Sends 404 otherwise. */
  private target(x: SseExchange, body: Body): ServedModel | undefined {
    const { models, flavour } = this.s.settings();
    if (flavour === 'llamacpp') return models[0];
    const name = str(body.model);
    const found = models.find((m) => m.id === name);
    if (!found) this.error(x, 404, vllmModelMissing(name));
    return found;
  }

  /** Rejects what does not fit: vLLM prompt + max_tokens (none: up to the limit); llama-server the prompt alone (errors.ts). */
  private fits(x: SseExchange, model: ServedModel, promptTokens: number, maxTokens: number | undefined): boolean {
    const limit = model.maxModelLen ?? 32768;
    const { flavour, legacyContextError } = this.s.settings();
    if (flavour === 'llamacpp') {
      if (promptTokens < limit) return true;
      x.json(400, errorBody(this.s.settings(), 400, llamaContextTooLong(promptTokens, limit), 'exceed_context_size_error', { n_prompt_tokens: promptTokens, n_ctx: limit }));
      x.rec.error = 'context too long';
      return false;
    }
    if (promptTokens < limit && promptTokens + (maxTokens ?? 0) <= limit) return true;
    this.error(x, 400, vllmContextTooLong(limit, promptTokens, maxTokens ?? 0, legacyContextError));
    return false;
  }

  private async completions(x: SseExchange, body: Body, faults: OpenAIFault[]): Promise<void> {
    const settings = this.s.settings();
    const model = this.target(x, body);
    if (!model) return;
    const prompt = str(body.prompt);
    const fim = parseFim(prompt);
    // vLLM's CompletionRequest.max_tokens defaults to 16, as OpenAI's legacy endpoint did.
    const maxTokens = int(body.max_tokens) ?? (settings.flavour === 'vllm' ? 16 : undefined);
    const promptTokens = countTokens(prompt);
    if (!this.fits(x, model, promptTokens, maxTokens)) return;
    if (fim) x.rec.fim = { prefix: fim.prefix, suffix: fim.suffix, context: fim.context };
    const ctx: GenerateContext = {
      model: model.id,
      prompt,
      fim: fim !== undefined,
      prefix: fim?.prefix ?? prompt,
      suffix: fim?.suffix ?? '',
      fileContext: fim?.context ?? '',
      raw: true,
      options: body,
      body,
    };
    const stop = stops(body.stop);
    await this.run(x, {
      endpoint: 'completions',
      model: model.id,
      promptTokens,
      ...this.streaming(body),
      answer: async () => planAnswer(await answerGenerate(settings.completions, settings.defaultCompletion, settings.defaultGenerate, ctx), stop, maxTokens),
      faults,
    });
  }

  private async chat(x: SseExchange, body: Body, faults: OpenAIFault[]): Promise<void> {
    const settings = this.s.settings();
    const model = this.target(x, body);
    if (!model) return;
    if (!Array.isArray(body.messages) || body.messages.length === 0) return this.error(x, 400, 'messages: a non-empty list is required');
    const messages = (body.messages as unknown[]).map((m) => {
      const o = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>; // checked field by field
      return { role: str(o.role), content: str(o.content) };
    });
    const rendered = messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
    const maxTokens = int(body.max_completion_tokens) ?? int(body.max_tokens);
    const promptTokens = countTokens(rendered);
    if (!this.fits(x, model, promptTokens, maxTokens)) return;
    const tools = Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none';
    // vLLM without the flags: "auto" tool choice is refused (chat_completion/serving.py).
    if (tools && !settings.toolParser) return this.error(x, 400, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
    const ctx: ChatContext = {
      model: model.id,
      messages,
      lastUser: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
      system: messages.find((m) => m.role === 'system')?.content ?? '',
      options: body,
      body,
    };
    const stop = stops(body.stop);
    await this.run(x, {
      endpoint: 'chat',
      model: model.id,
      promptTokens,
      ...this.streaming(body),
      answer: async () => planAnswer(await answerChat(settings.chats, settings.chatAnswer, ctx), stop, maxTokens),
      faults,
      tools,
    });
  }

  private async infill(x: SseExchange, body: Body, faults: OpenAIFault[]): Promise<void> {
    const settings = this.s.settings();
    const model = settings.models[0];
    if (!model) return this.error(x, 503, 'Loading model');
    if (typeof body.input_prefix !== 'string') return this.error(x, 400, '"input_prefix" is required');
    if (typeof body.input_suffix !== 'string') return this.error(x, 400, '"input_suffix" is required');
    if (body.input_extra !== undefined && !Array.isArray(body.input_extra)) {
      return this.error(x, 400, '"input_extra" must be an array of {"filename": string, "text": string}');
    }
    const extra: { filename: string; text: string }[] = [];
    for (const chunk of (body.input_extra ?? []) as unknown[]) {
      const c = (typeof chunk === 'object' && chunk !== null ? chunk : {}) as Record<string, unknown>; // checked below
      if (typeof c.text !== 'string') return this.error(x, 400, 'extra_context chunk must contain a "text" field with a string value');
      extra.push({ filename: str(c.filename), text: c.text });
    }
    if (!isFimModel(model)) return this.error(x, 501, 'Infill is not supported by this model: prefix token is missing.');
    const prompt = llamaInfillPrompt(body.input_prefix, body.input_suffix, extra, str(body.prompt));
    const promptTokens = countTokens(prompt);
    const maxTokens = int(body.n_predict);
    if (!this.fits(x, model, promptTokens, maxTokens !== undefined && maxTokens > 0 ? maxTokens : undefined)) return;
    const fim = parseFim(prompt);
    x.rec.fim = { prefix: body.input_prefix, suffix: body.input_suffix, context: fim?.context ?? '' };
    const ctx: GenerateContext = {
      model: model.id,
      prompt,
      fim: true,
      prefix: body.input_prefix,
      suffix: body.input_suffix,
      fileContext: fim?.context ?? '',
      raw: true,
      options: body,
      body,
    };
    await this.run(x, {
      endpoint: 'infill',
      model: model.id,
      promptTokens,
      stream: body.stream === true,
      includeUsage: false,
      answer: async () => planAnswer(await answerGenerate(settings.completions, settings.defaultCompletion, settings.defaultGenerate, ctx), stops(body.stop), maxTokens !== undefined && maxTokens > 0 ? maxTokens : undefined),
      faults,
    });
  }

  private streaming(body: Body): Pick<Job, 'stream' | 'includeUsage'> {
    const options = (typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {}) as Record<string, unknown>; // an object, read by key
    return { stream: body.stream === true, includeUsage: options.include_usage === true };
  }

  /** Queue → batch → prefill → decode steps shared with the rest of the batch → the final chunk. */
  private async run(x: SseExchange, job: Job): Promise<void> {
    const { batch } = this.s;
    const timing = this.s.settings().timing;
    const rec = x.rec;
    rec.promptTokens = job.promptTokens;
    const id = `${job.endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${this.nextId++}`;
    const created = Math.floor(Date.now() / 1000);
    let joined = false;
    try {
      try {
        rec.batchAtStart = await batch.join(x.signal);
        joined = true;
      } catch (e) {
        if (e instanceof QueueFullError) return this.error(x, 503, 'The server is overloaded: the waiting queue is full. Please try again later.');
        throw e;
      }
      rec.startedAt = Date.now();
      const plan = await job.answer();
      const reasoning = job.endpoint === 'chat' && this.s.settings().reasoningParser ? splitReasoning(plan) : undefined;
      const hermes = job.tools ? new HermesStream() : undefined;
      await abortableSleep(job.promptTokens * timing.promptMsPerToken, x.signal);

      const drop = job.faults.find((f) => f.kind === 'drop');
      const errorEvent = job.faults.find((f) => f.kind === 'errorEvent');
      const noDone = job.faults.some((f) => f.kind === 'noDone');
      const stall = job.faults.find((f) => f.kind === 'stall' && f.after !== undefined);
      for (let i = 0; i < plan.pieces.length; i++) {
        if (drop?.kind === 'drop' && (drop.after ?? 0) <= i) return x.drop();
        if (errorEvent?.kind === 'errorEvent' && (errorEvent.after ?? 0) <= i) return this.errorEvent(x, errorEvent.message);
        if (stall?.kind === 'stall' && stall.after === i) await abortableSleep(stall.ms ?? Infinity, x.signal);
        // One decode step: as long as the batch is big right now (vLLM aborts the sequence on disconnect).
        await abortableSleep(batch.stepMs(timing), x.signal);
        const piece = plan.pieces[i]!;
        rec.text += piece;
        rec.tokensSent++;
        rec.firstTokenAt ??= Date.now();
        if (job.stream && hermes) {
          if (!this.deltas(x, job, id, created, hermes.add(piece), i === 0)) return;
        } else if (job.stream && !x.event(chunkOf(job, id, created, piece, null, i === 0, reasoning?.[i] ?? false))) return;
        await x.drained();
      }
      if (job.stream && hermes && !this.deltas(x, job, id, created, hermes.flush(), plan.pieces.length === 0)) return;
      if (drop?.kind === 'drop') return x.drop();
      if (errorEvent?.kind === 'errorEvent') return this.errorEvent(x, errorEvent.message);
      if (noDone && job.stream) return x.end('dropped');

      const whole = hermes && !job.stream ? parseHermes(rec.text) : undefined;
      const reason = (hermes?.calls ?? 0) > 0 || (whole?.toolCalls.length ?? 0) > 0 ? 'tool_calls' : plan.doneReason;
      rec.finishReason = reason;
      const usage = { prompt_tokens: job.promptTokens, completion_tokens: rec.tokensSent, total_tokens: job.promptTokens + rec.tokensSent };
      if (!job.stream) {
        const answer = wholeOf(job, id, created, whole ? whole.content : plan.pieces.filter((_, i) => !reasoning?.[i]).join(''), reason, usage);
        if (whole?.toolCalls.length) (answer.choices as { message: Record<string, unknown> }[])[0]!.message.tool_calls = whole.toolCalls;
        return x.json(200, answer);
      }
      x.event(chunkOf(job, id, created, '', reason, plan.pieces.length === 0));
      if (job.endpoint === 'infill') return x.end(); // llama.cpp ends its native streams without [DONE]
      if (job.includeUsage) x.event({ id, object: objectName(job.endpoint, true), created, model: job.model, choices: [], usage });
      x.event('[DONE]');
      x.end();
    } catch (e) {
      if (!(e instanceof AbortedError)) this.error(x, 500, e instanceof Error ? e.message : String(e));
    } finally {
      if (joined) batch.leave();
    }
  }

  /** Chat chunks for the tool parser's deltas (content or tool_calls); false once the client is gone. */
  private deltas(x: SseExchange, job: Job, id: string, created: number, deltas: HermesDelta[], first: boolean): boolean {
    return deltaChunks({ id, object: objectName(job.endpoint, true), created, model: job.model }, deltas, first).every((chunk) => x.event(chunk));
  }

  /** vLLM's create_streaming_error_response: an error event, then [DONE]. */
  private errorEvent(x: SseExchange, message = 'EngineCore encountered an issue. See stack trace (above) for the root cause.'): void {
    x.rec.error = message;
    const body = errorBody({ flavour: this.s.settings().flavour, errorShape: 'nested' }, 500, message);
    x.event(body);
    x.event('[DONE]');
    x.end('error');
  }
}
