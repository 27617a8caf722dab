// A shorter request after an OpenAI-compatible server said the prompt does not fit the model's
// context (vLLM's 400 "maximum context length", llama-server's exceed_context_size_error). The
// backend retries once with it. What goes first: for a completion, the other files given as context,
// then the far ends of the prefix and suffix; for chat and actions, the oldest turns, then the middle
// of the longest message. When only max_tokens made it overflow, that is lowered instead.
// Pure: no `openai`, no `vscode`.

import type { ChatMessage, ChatRequest, GenerateRequest } from './backend';
import { parseQwenFim } from './openaiRequests';
import { estimateTokens } from '../tokens';

export interface ContextOverflow {
  /** The context size the server runs the model with (max_model_len, n_ctx). */
  limit?: number;
  /** The prompt's size in the server's own tokens, when it said so. */
  promptTokens?: number;
}

export interface ShrinkPlan {
  /** The share of the prompt's characters to keep (1 = keep the prompt). */
  keep: number;
  /** A lower max_tokens, when the prompt fits and only the answer's room did not. */
  maxTokens?: number;
}

/** Room the prompt must leave for the answer when the request sets no max_tokens. */
const ANSWER_SHARE = 0.25;
/** Head room for the gap between our token estimate and the server's tokenizer. */
const MARGIN = 0.9;

/** How much to cut, from what the server said and the request's own sizes. */
export function shrinkPlan(overflow: ContextOverflow, promptTokensEstimate: number, maxTokens: number | undefined): ShrinkPlan {
  const limit = overflow.limit;
  if (limit === undefined) return { keep: 0.5 };
  const prompt = overflow.promptTokens ?? promptTokensEstimate;
  const room = limit - prompt;
  // vLLM counts prompt + max_tokens: a prompt that fits with room to answer keeps every token.
  if (maxTokens !== undefined && room >= Math.min(32, maxTokens) + 8) return { keep: 1, maxTokens: room - 8 };
  const reserve = Math.min(maxTokens ?? limit * ANSWER_SHARE, limit / 2);
  const keep = ((limit - reserve) * MARGIN) / Math.max(1, prompt);
  return { keep: Math.min(0.9, Math.max(0.05, keep)), ...(maxTokens !== undefined && maxTokens > reserve ? { maxTokens: Math.floor(reserve) } : {}) };
}

const REPO = '<|repo_name|>';
const FILE_SEP = '<|file_sep|>';

/** The start of `text` cut to its last `chars` characters, from a line start where one is near. */
function keepTail(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(text.length - Math.max(0, chars));
  const nl = cut.indexOf('\n');
  return nl >= 0 && nl < cut.length / 4 ? cut.slice(nl + 1) : cut;
}

/** `text` cut to its first `chars` characters, at a line end where one is near. */
function keepHead(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(0, Math.max(0, chars));
  const nl = cut.lastIndexOf('\n');
  return nl >= 0 && nl > (cut.length * 3) / 4 ? cut.slice(0, nl + 1) : cut;
}

/** A raw prompt at most `keep` of its length: a Qwen FIM prompt keeps its shape, anything else its end. */
export function shrinkPrompt(prompt: string, keep: number): string {
  const fim = parseQwenFim(prompt);
  if (!fim) return keepTail(prompt, Math.floor(prompt.length * keep));
  const repo = prompt.startsWith(REPO) ? prompt.slice(0, prompt.indexOf('\n') + 1) : '';
  const extra = [...fim.extra];
  // The code is what can be cut; the markup (special tokens, file names) stays as long as its file.
  const code = (prefix: string, suffix: string): number => extra.reduce((n, f) => n + f.text.length, 0) + prefix.length + suffix.length;
  const markup = prompt.length - code(fim.prefix, fim.suffix);
  const target = Math.max(0, Math.floor(prompt.length * keep) - markup);
  const build = (prefix: string, suffix: string): string => {
    const files = extra.map((f) => `${FILE_SEP}${f.filename}\n${f.text}\n`).join('');
    const head = extra.length > 0 || fim.path !== undefined ? `${extra.length > 0 ? repo : ''}${files}${fim.path !== undefined ? `${FILE_SEP}${fim.path}\n` : ''}` : '';
    return `${head}<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
  };
  // Other files first, the first given (the least relevant) first.
  while (extra.length > 0 && code(fim.prefix, fim.suffix) > target) extra.shift();
  const over = code(fim.prefix, fim.suffix) - target;
  if (over <= 0) return build(fim.prefix, fim.suffix);
  // The code next to the cursor matters most: cut three parts from the prefix's start for one of the suffix's end.
  const fromSuffix = Math.min(fim.suffix.length, Math.ceil(over / 4));
  const fromPrefix = Math.min(fim.prefix.length, over - fromSuffix);
  const suffixCut = Math.min(fim.suffix.length, fromSuffix + (over - fromSuffix - fromPrefix));
  return build(keepTail(fim.prefix, fim.prefix.length - fromPrefix), keepHead(fim.suffix, fim.suffix.length - suffixCut));
}

/** The generate request, shorter; undefined when nothing can be cut. */
export function shrinkGenerate(request: GenerateRequest, overflow: ContextOverflow): GenerateRequest | undefined {
  const whole = request.prompt + (request.suffix ?? '');
  const plan = shrinkPlan(overflow, estimateTokens(whole), request.options?.num_predict);
  const options = plan.maxTokens !== undefined ? { ...request.options, num_predict: plan.maxTokens } : request.options;
  if (plan.keep >= 1) return { ...request, ...(options ? { options } : {}) };
  const prompt = request.raw ? shrinkPrompt(request.prompt, plan.keep) : keepTail(request.prompt, Math.floor(request.prompt.length * plan.keep));
  const suffix = request.suffix === undefined || request.raw ? request.suffix : keepHead(request.suffix, Math.floor(request.suffix.length * plan.keep));
  if (prompt.length + (suffix?.length ?? 0) >= whole.length) return undefined;
  return { ...request, prompt, ...(suffix !== undefined ? { suffix } : {}), ...(options ? { options } : {}) };
}

const LEFT_OUT = (n: number): string => `\n[… ${n} characters left out to fit the model's context …]\n`;

/** The message with the middle of its text left out, `by` characters shorter (its start and end say the most). */
function cutMiddle(message: ChatMessage, by: number): ChatMessage {
  const text = message.content;
  const keep = Math.max(0, text.length - by - 60);
  if (keep >= text.length) return message;
  const head = Math.ceil(keep * 0.6);
  return { ...message, content: `${text.slice(0, head)}${LEFT_OUT(text.length - keep)}${text.slice(text.length - (keep - head))}` };
}

/** The messages at most `keep` of their length: system messages and the last message stay, the oldest turns go first. */
export function shrinkMessages(messages: readonly ChatMessage[], keep: number): ChatMessage[] {
  const size = (ms: readonly ChatMessage[]): number => ms.reduce((n, m) => n + m.content.length, 0);
  const target = Math.floor(size(messages) * keep);
  const last = messages.length - 1;
  const out = messages.map((m, i) => ({ m, fixed: m.role === 'system' || i === last }));
  let total = size(messages);
  // Whole turns: a dropped answer takes its tool results with it, and history starts at a user message.
  let i = 0;
  while (i < out.length && total > target) {
    if (out[i]!.fixed) {
      i++;
      continue;
    }
    do {
      total -= out[i]!.m.content.length;
      out.splice(i, 1);
    } while (out[i] && !out[i]!.fixed && out[i]!.m.role !== 'user');
  }
  const kept = out.map((e) => e.m);
  // Still too long (a big selection or attached file): cut the middle of the longest message.
  while (total > target) {
    const longest = kept.reduce((best, m, i) => (m.content.length > kept[best]!.content.length ? i : best), 0);
    const before = kept[longest]!.content.length;
    kept[longest] = cutMiddle(kept[longest]!, total - target);
    const after = kept[longest]!.content.length;
    if (after >= before) break;
    total -= before - after;
  }
  return kept;
}

/** The chat request, shorter; undefined when nothing can be cut. */
export function shrinkChat(request: ChatRequest, overflow: ContextOverflow): ChatRequest | undefined {
  const chars = request.messages.reduce((n, m) => n + m.content.length, 0);
  const plan = shrinkPlan(overflow, estimateTokens(request.messages.map((m) => m.content).join('\n')) + 4 * request.messages.length, request.options?.num_predict);
  const options = plan.maxTokens !== undefined ? { ...request.options, num_predict: plan.maxTokens } : request.options;
  if (plan.keep >= 1) return { ...request, ...(options ? { options } : {}) };
  const messages = shrinkMessages(request.messages, plan.keep);
  if (messages.reduce((n, m) => n + m.content.length, 0) >= chars) return undefined;
  return { ...request, messages, ...(options ? { options } : {}) };
}
