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
export function errorBody(style: ErrorStyle, status: number, message: string, type?: string): Record<string, unknown> {
  if (style.flavour === 'llamacpp') return { error: { code: status, message, type: type ?? llamaType(status) } };
  const info = { message, type: type ?? vllmType(status), param: null, code: status };
  return style.errorShape === 'flat' ? { object: 'error', ...info } : { error: info };
}

/** vLLM serving_engine.py OpenAIServing._validate_input (the long-standing wording; newer releases phrase the second sentence differently). */
export function vllmContextTooLong(maxModelLen: number, promptTokens: number, maxTokens: number): string {
  return (
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptTokens + maxTokens} tokens ` +
    `(${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`
  );
}

/** llama.cpp's exceed_context_size_error text (newer builds; older ones answered 500). From memory, not re-verified. */
export const LLAMA_CONTEXT_TOO_LONG = 'the request exceeds the available context size, try increasing it';

/** vLLM OpenAIServing._check_model. */
export function vllmModelMissing(model: string): string {
  return `The model \`${model}\` does not exist.`;
}
