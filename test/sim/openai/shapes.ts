// The JSON shapes of answers: OpenAI completion and chat chunks (vLLM completion/serving.py and
// chat_completion/serving.py: the first chat delta carries the role, the last chunk finish_reason),
// and llama.cpp's native /infill events ({content, stop, stop_type}, server.cpp send_partial/final).

import type { PlannedAnswer } from '../answers';
import { FIM, tokenize } from '../tokens';
import type { Job } from './routes';
import type { Flavour, ServedModel } from './types';

export function isFimModel(m: ServedModel): boolean {
  return m.fim ?? !/instruct|chat|-it\b/i.test(m.id);
}

/** llama.cpp's format_infill for a model with repo-level tokens (tools/server/utils.hpp; the literal
 * "myproject" and "filename" placeholders are from memory, not re-verified). */
export function llamaInfillPrompt(prefix: string, suffix: string, extra: { filename: string; text: string }[], prompt: string): string {
  const files = extra.map((c) => `${FIM.fileSep}${c.filename}\n${c.text}`).join('');
  const repo = extra.length > 0 ? `${FIM.repoName}myproject\n${files}${FIM.fileSep}filename\n` : '';
  return `${repo}${FIM.prefix}${prefix}${FIM.suffix}${suffix}${FIM.middle}${prompt}`;
}

export function objectName(endpoint: Job['endpoint'], chunk: boolean): string {
  if (endpoint === 'chat') return chunk ? 'chat.completion.chunk' : 'chat.completion';
  return 'text_completion';
}

export function chunkOf(job: Job, id: string, created: number, piece: string, reason: string | null, first: boolean, reasoning = false): Record<string, unknown> {
  if (job.endpoint === 'infill') {
    const final = reason !== null;
    return {
      index: 0,
      content: piece,
      tokens: [],
      stop: final,
      id_slot: 0,
      ...(final ? { stop_type: reason === 'length' ? 'limit' : 'eos', stopping_word: '', truncated: false } : {}),
    };
  }
  const choice =
    job.endpoint === 'chat'
      ? { index: 0, delta: { ...(first ? { role: 'assistant' } : {}), [reasoning ? 'reasoning_content' : 'content']: piece }, logprobs: null, finish_reason: reason }
      : { index: 0, text: piece, logprobs: null, finish_reason: reason, stop_reason: null };
  return { id, object: objectName(job.endpoint, true), created, model: job.model, choices: [choice] };
}

export function wholeOf(job: Job, id: string, created: number, text: string, reason: string, usage: Record<string, number>): Record<string, unknown> {
  if (job.endpoint === 'infill') return { index: 0, content: text, stop: true, stop_type: reason === 'length' ? 'limit' : 'eos', tokens_predicted: usage.completion_tokens, tokens_evaluated: usage.prompt_tokens };
  const choice =
    job.endpoint === 'chat'
      ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: reason }
      : { index: 0, text, logprobs: null, finish_reason: reason, stop_reason: null };
  return { id, object: objectName(job.endpoint, false), created, model: job.model, choices: [choice], usage };
}

/**
 * vLLM's reasoning parser (vllm/reasoning/, qwen3 and deepseek_r1 parsers): the text of a leading
 * <think>…</think> goes out as `reasoning_content`, without the tags. Re-cuts the planned pieces and
 * says which are reasoning.
 */
export function splitReasoning(plan: PlannedAnswer): boolean[] {
  const full = plan.pieces.join('');
  const m = /^\s*<think>([\s\S]*?)(?:<\/think>\s*|$)([\s\S]*)$/.exec(full);
  if (!m) return plan.pieces.map(() => false);
  const thought = tokenize(m[1] ?? '');
  const answer = tokenize(m[2] ?? '');
  plan.pieces = [...thought, ...answer];
  return [...thought.map(() => true), ...answer.map(() => false)];
}

/** GET /v1/models: vLLM's ModelCard list (max_model_len), or llama-server's (owned_by "llamacpp", meta, and its own `models`). */
export function modelListOf(models: readonly ServedModel[], flavour: Flavour): Record<string, unknown> {
  const created = Math.floor(Date.now() / 1000);
  if (flavour === 'llamacpp') {
    // n_ctx_train is the model's trained context, not the server's --ctx-size.
    const data = models.map((m) => ({ id: m.id, object: 'model', created, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: m.maxModelLen ?? 32768, n_embd: 3584, n_params: 7_615_616_512 } }));
    return { models: models.map((m) => ({ name: m.id, model: m.id, type: 'model', capabilities: ['completion'] })), object: 'list', data };
  }
  const data = models.map((m) => ({ id: m.id, object: 'model', created, owned_by: 'vllm', root: m.id, parent: null, max_model_len: m.maxModelLen ?? 32768, permission: [] }));
  return { object: 'list', data };
}
