// The request bodies the OpenAI-compatible backend sends, as pure functions (exact JSON is unit
// tested), and the reading of a Qwen FIM prompt back into the parts llama-server's /infill takes.
// Pure: no `openai`, no `vscode`.

import type { ChatRequest, GenerateRequest, ModelOptions } from './backend';

/** Every Qwen special token: a raw FIM answer must stop at any of them (the model may run on into another file). */
export const QWEN_STOPS: readonly string[] = ['<|endoftext|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>'];

const PREFIX = '<|fim_prefix|>';
const SUFFIX = '<|fim_suffix|>';
const MIDDLE = '<|fim_middle|>';
const FILE_SEP = '<|file_sep|>';
const REPO = '<|repo_name|>';

export interface ExtraFile {
  filename: string;
  text: string;
}

/** A Qwen2.5-Coder FIM prompt taken apart (file-level or repository-level). */
export interface QwenFim {
  prefix: string;
  suffix: string;
  /** Other files given as context, in prompt order. */
  extra: ExtraFile[];
  /** The current file's path, when the prompt named it. */
  path?: string;
}

/**
 * Reads `[<|repo_name|>repo\n][<|file_sep|>path\ncontent\n]…[<|file_sep|>path\n]<|fim_prefix|>…<|fim_suffix|>…<|fim_middle|>`.
 * Undefined when the prompt is not exactly that (then it goes to /v1/completions unchanged).
 */
export function parseQwenFim(prompt: string): QwenFim | undefined {
  const p = prompt.indexOf(PREFIX);
  const s = prompt.indexOf(SUFFIX, p);
  const m = prompt.indexOf(MIDDLE, s);
  if (p < 0 || s < 0 || m < 0 || !prompt.endsWith(MIDDLE) || m !== prompt.length - MIDDLE.length) return undefined;
  const prefix = prompt.slice(p + PREFIX.length, s);
  const suffix = prompt.slice(s + SUFFIX.length, m);
  if ([PREFIX, SUFFIX, MIDDLE].some((t) => prefix.includes(t) || suffix.includes(t))) return undefined;
  let head = prompt.slice(0, p);
  if (head === '') return { prefix, suffix, extra: [] };
  if (head.startsWith(REPO)) {
    const nl = head.indexOf('\n');
    if (nl < 0) return undefined;
    head = head.slice(nl + 1);
  }
  if (!head.startsWith(FILE_SEP)) return undefined;
  const files = head.slice(FILE_SEP.length).split(FILE_SEP);
  const current = files.pop() ?? '';
  if (!current.endsWith('\n') || current.slice(0, -1).includes('\n')) return undefined;
  const extra: ExtraFile[] = [];
  for (const f of files) {
    const nl = f.indexOf('\n');
    if (nl < 0) return undefined;
    // The template ends each file with one newline of its own.
    extra.push({ filename: f.slice(0, nl), text: f.slice(nl + 1).replace(/\n$/, '') });
  }
  return { prefix, suffix, extra, path: current.slice(0, -1) };
}

function sampling(options: ModelOptions | undefined): { temperature?: number; top_p?: number; seed?: number } {
  return {
    ...(options?.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options?.top_p !== undefined ? { top_p: options.top_p } : {}),
    ...(options?.seed !== undefined ? { seed: options.seed } : {}),
  };
}

function maxTokens(options: ModelOptions | undefined): number | undefined {
  const n = options?.num_predict;
  return n !== undefined && n > 0 ? Math.floor(n) : undefined;
}

export interface CompletionBody {
  model: string;
  prompt: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  stream: true;
  stream_options: { include_usage: boolean };
}

/**
 * POST /v1/completions. A non-raw prompt with a suffix is wrapped in Qwen's FIM format here.
 * Without num_predict no max_tokens is sent, and vLLM then stops after 16 tokens (its
 * CompletionRequest default, as OpenAI's legacy endpoint): callers always set num_predict. A large
 * default is no way out: vLLM rejects prompt + max_tokens beyond max_model_len with a 400.
 */
export function completionBody(request: GenerateRequest): CompletionBody {
  const prompt = !request.raw && request.suffix ? `${PREFIX}${request.prompt}${SUFFIX}${request.suffix}${MIDDLE}` : request.prompt;
  const fim = parseQwenFim(prompt) !== undefined;
  const stop = [...new Set([...(request.options?.stop ?? []), ...(fim ? QWEN_STOPS : [])])];
  const max = maxTokens(request.options);
  return {
    model: request.model,
    prompt,
    ...(max !== undefined ? { max_tokens: max } : {}),
    ...sampling(request.options),
    ...(stop.length ? { stop } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
}

export interface InfillBody {
  input_prefix: string;
  input_suffix: string;
  input_extra: ExtraFile[];
  n_predict?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  stream: true;
  cache_prompt: true;
}

/** POST /infill (llama-server): the model's own FIM format is applied by the server. */
export function infillBody(request: GenerateRequest, fim: QwenFim): InfillBody {
  const max = maxTokens(request.options);
  const stop = request.options?.stop ?? [];
  return {
    input_prefix: fim.prefix,
    input_suffix: fim.suffix,
    input_extra: fim.extra,
    ...(max !== undefined ? { n_predict: max } : {}),
    ...sampling(request.options),
    ...(stop.length ? { stop: [...stop] } : {}),
    stream: true,
    cache_prompt: true,
  };
}

/** One event of /infill's stream (llama.cpp's native shape, not OpenAI's). */
export interface InfillEvent {
  content?: string;
  stop?: boolean;
  stop_type?: string;
  tokens_predicted?: number;
  tokens_evaluated?: number;
}

/** OpenAI's chat message: tool calls carry JSON-string arguments; a tool result names its call. */
export type ChatBodyMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[] }
  | { role: 'tool'; content: string; tool_call_id: string };

export interface ChatBody {
  model: string;
  messages: ChatBodyMessage[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  stream: true;
  stream_options: { include_usage: boolean };
}

function toChatBodyMessage(m: ChatRequest['messages'][number], index: number): ChatBodyMessage {
  if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? m.toolName ?? `call_${index}` };
  if (m.role !== 'assistant') return { role: m.role, content: m.content };
  const calls = m.toolCalls?.map((c, i) => ({ id: c.id ?? `call_${index}_${i}`, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } }));
  return { role: 'assistant', content: m.content, ...(calls?.length ? { tool_calls: calls } : {}) };
}

/** POST /v1/chat/completions. */
export function chatBody(request: ChatRequest): ChatBody {
  const max = maxTokens(request.options);
  const stop = request.options?.stop ?? [];
  return {
    model: request.model,
    messages: request.messages.map(toChatBodyMessage),
    ...(request.tools?.length ? { tools: request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters as Record<string, unknown> | undefined } })) } : {}),
    ...(max !== undefined ? { max_tokens: max } : {}),
    ...sampling(request.options),
    ...(stop.length ? { stop: [...stop] } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
}
