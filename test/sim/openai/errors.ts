// Error bodies and texts of the imitated servers, in one place so tests and routes agree.

import type { Flavour } from './types';

export interface ErrorStyle {
  flavour: Flavour;
  errorShape: 'nested' | 'flat';
}

/** vLLM's error `type` per status (engine/serving.py create_error_response uses HTTPStatus names). */
function vllmType(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 404:
      return 'NotFoundError';
    case 503:
      return 'ServiceUnavailableError';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequestError';
  }
}

/** llama.cpp's `type` per status (tools/server/utils.hpp format_error_response, from memory of the enum). */
function llamaType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 501:
      return 'not_supported_error';
    case 503:
      return 'unavailable_error';
    default:
      return 'server_error';
  }
}

/**
 * The JSON error body:
 * - vLLM now: `{"error":{"message","type","param","code"}}` (entrypoints/openai/engine/protocol.py
 *   ErrorResponse{error: ErrorInfo});
 * - vLLM before 0.10: `{"object":"error","message","type","param","code"}` (entrypoints/openai/protocol.py);
 * - llama.cpp: `{"error":{"code","message","type"}}` (server.cpp res_error around format_error_response).
 */
export function errorBody(style: ErrorStyle, status: number, message: string, type?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (style.flavour === 'llamacpp') return { error: { code: status, message, type: type ?? llamaType(status), ...extra } };
  const info = { message, type: type ?? vllmType(status), param: null, code: status };
  return style.errorShape === 'flat' ? { object: 'error', ...info } : { error: info };
}

/**
 * vLLM's 400 for a request that does not fit max_model_len, in the wording of current releases
 * (checked in vllm-project/vllm: vllm/entrypoints/renderer.py `_create_tokens_prompt` for a prompt
 * that alone is too long; entrypoints/openai/serving_engine.py `_validate_input` for a prompt that
 * fits but leaves no room for max_tokens). Releases before 0.9 said "However, you requested N tokens
 * (P in the messages, C in the completion)" for both; `legacy` gives that text.
 */
export function vllmContextTooLong(maxModelLen: number, promptTokens: number, maxTokens: number, legacy = false): string {
  if (legacy) {
    return (
      `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptTokens + maxTokens} tokens ` +
      `(${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`
    );
  }
  if (promptTokens >= maxModelLen) {
    return `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`;
  }
  return (
    `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens ` +
    `and your request has ${promptTokens} input tokens (${maxTokens} > ${maxModelLen} - ${promptTokens}).`
  );
}

/**
 * llama-server's exceed_context_size_error (ggml-org/llama.cpp tools/server/server-context.cpp, the
 * check `slot.task->n_tokens() >= slot.n_ctx`; the error's to_json in server-task.cpp adds
 * n_prompt_tokens and n_ctx to the body). It checks the prompt only: generation stops at the context.
 */
export function llamaContextTooLong(promptTokens: number, nCtx: number): string {
  return `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`;
}

/** vLLM OpenAIServing._check_model. */
export function vllmModelMissing(model: string): string {
  return `The model \`${model}\` does not exist.`;
}
