// Public types of the OpenAI-compatible simulator (vLLM or llama.cpp's llama-server). Answers and
// rules are the Ollama simulator's own (../types.ts), so one scripted model serves both modes.

import type { AnswerSource, ChatContext, ChatRule, CompletionRule, GenerateContext } from '../types';

/**
 * Which server it imitates:
 * - `vllm`: vLLM's OpenAI server (also what SGLang and LM Studio resemble): /v1/* only, errors as
 *   `{"error":{message,type,param,code}}` (or the pre-0.10 flat shape, `errorShape: 'flat'`).
 * - `llamacpp`: llama.cpp's llama-server: /v1/* plus /infill and /health, errors as
 *   `{"error":{code,message,type}}`.
 */
export type Flavour = 'vllm' | 'llamacpp';

/** Routes, for faults and log filters. */
export type OpenAIEndpoint = 'models' | 'completions' | 'chat' | 'infill' | 'health' | 'embeddings' | 'other';

export interface ServedModel {
  /** The id clients send as `model` ("Qwen/Qwen2.5-Coder-7B", "qwen2.5-coder-7b-q8_0.gguf"). */
  id: string;
  /** vLLM's `max_model_len` (--max-model-len); llama.cpp's n_ctx. Default 32768. */
  maxModelLen?: number;
  /** Has FIM tokens (a base/coder model). Default: true unless the id says instruct/chat. */
  fim?: boolean;
}

export interface OpenAITiming {
  /** Prompt processing (prefill) per prompt token. */
  promptMsPerToken: number;
  /** One decode step with a batch of one. */
  tokenMs: number;
  /**
   * Continuous batching: each decode step costs `tokenMs * (1 + batchSlowdown * (running - 1))`,
   * so every running sequence gets slower as the batch grows, but all of them progress together.
   */
  batchSlowdown: number;
}

export type OpenAIFault = {
  endpoint?: OpenAIEndpoint | OpenAIEndpoint[] | '*';
  /** How many matching requests it hits; default until cleared. */
  times?: number;
} & (
  | {
      kind: 'status';
      status: number;
      /** Raw body (e.g. a proxy's HTML page); default the flavour's error JSON. */
      body?: string;
      message?: string;
      /**
       * Extra response headers, e.g. `Retry-After` from a rate-limiting gateway in front of the
       * server (RFC 9110 10.2.3). vLLM and llama.cpp themselves were not seen to send one (not verified).
       */
      headers?: Record<string, string>;
    }
  | { kind: 'reset' }
  | { kind: 'stall'; /** Omitted: until the client gives up. */ ms?: number; /** Tokens streamed first (a stall mid-answer); omitted: before any answer. */ after?: number }
  | { kind: 'drop'; /** Tokens streamed before the socket is cut. */ after?: number }
  | { kind: 'errorEvent'; after?: number; message?: string }
  | { kind: 'noDone' }
);

export interface OpenAISimConfig {
  flavour?: Flavour;
  /** vLLM only: 'nested' (current, engine/protocol.py ErrorResponse{error: ErrorInfo}) or 'flat' (before 0.10). */
  errorShape?: 'nested' | 'flat';
  /** Default: one base and one instruct Qwen2.5-Coder 7B under Hugging Face names (vLLM) or GGUF file names (llama.cpp). */
  models?: ServedModel[];
  /** vLLM --reasoning-parser (qwen3, deepseek_r1): a chat answer's <think>…</think> is sent as `reasoning_content` deltas. */
  reasoningParser?: boolean;
  /** vLLM before 0.9 worded the context error "However, you requested N tokens (P in the messages, C in the completion)". */
  legacyContextError?: boolean;
  /**
   * vLLM --enable-auto-tool-choice --tool-call-parser hermes (what Qwen2.5 uses): a chat with `tools`
   * gets the model's <tool_call>…</tool_call> as streamed `tool_calls` deltas. Default on; off, vLLM
   * answers a request with tools 400 (auto tool choice needs the flags).
   */
  toolParser?: boolean;
  /** --api-key: every /v1 request needs "Authorization: Bearer <apiKey>", else 401. */
  apiKey?: string;
  timing?: Partial<OpenAITiming>;
  /** Sequences decoded together (vLLM --max-num-seqs; llama.cpp --parallel). Default 32. */
  maxBatch?: number;
  /** Requests that may wait for a batch slot; one more gets 503. Default 64. */
  maxQueue?: number;
  completions?: CompletionRule[];
  defaultCompletion?: AnswerSource<GenerateContext>;
  defaultGenerate?: AnswerSource<GenerateContext>;
  chats?: ChatRule[];
  chatAnswer?: AnswerSource<ChatContext>;
  faults?: OpenAIFault[];
}

export type OpenAIOutcome = 'ok' | 'error' | 'aborted' | 'dropped' | 'killed';

/** One request as the simulator saw it (Date.now() milliseconds). */
export interface OpenAIRequestRecord {
  id: number;
  method: string;
  path: string;
  endpoint: OpenAIEndpoint;
  model?: string;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
  arrivedAt: number;
  /** When it joined the running batch. */
  startedAt?: number;
  firstTokenAt?: number;
  endedAt?: number;
  status?: number;
  /** The client closed the connection before the answer was complete (the engine aborted it). */
  aborted: boolean;
  outcome?: OpenAIOutcome;
  tokensSent: number;
  text: string;
  finishReason?: string;
  promptTokens?: number;
  /** Sequences running (this one included) when it joined the batch. */
  batchAtStart?: number;
  fim?: { prefix: string; suffix: string; context: string };
  faults: OpenAIFault['kind'][];
  error?: string;
}
