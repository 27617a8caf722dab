// The model server as the rest of the extension sees it. Pure types: no `vscode`, no `ollama`.
// Every call takes a standard AbortSignal; aborting it must reach the server at once.

/** Sampling and runtime options, named as Ollama names them (`options` in /api/generate). */
export interface ModelOptions {
  num_ctx?: number;
  num_predict?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  repeat_penalty?: number;
  seed?: number;
  stop?: string[];
}

/** Per-call time limits; a completion wants a short first-token wait, a chat answer a long one. */
export interface CallLimits {
  /** Until the first chunk arrives (includes a model load). */
  firstTokenMs?: number;
  /** The whole answer. */
  totalMs?: number;
}

export interface GenerateRequest {
  model: string;
  prompt: string;
  /** Raw prompts bypass the model's template: the extension builds FIM prompts itself. */
  raw?: boolean;
  suffix?: string;
  system?: string;
  options?: ModelOptions;
  /** Ollama's keep_alive: a duration string such as "30m", or seconds. */
  keepAlive?: string | number;
  signal?: AbortSignal;
  limits?: CallLimits;
}

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A call the model made (or, in history, made earlier); `id` only where the server gives one. */
export interface ChatToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** An assistant message's tool calls. */
  toolCalls?: ChatToolCall[];
  /** A `tool` message: which tool answered (Ollama) and which call (OpenAI-compatible servers). */
  toolName?: string;
  toolCallId?: string;
}

/** A tool the model may call; `parameters` is its input JSON schema. */
export interface ChatTool {
  name: string;
  description?: string;
  parameters?: object;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  options?: ModelOptions;
  keepAlive?: string | number;
  signal?: AbortSignal;
  limits?: CallLimits;
}

/** Timings and counts from the final `done` object; durations in nanoseconds as Ollama reports them. */
export interface GenerationStats {
  doneReason?: string;
  totalDurationNs?: number;
  loadDurationNs?: number;
  promptEvalCount?: number;
  promptEvalDurationNs?: number;
  evalCount?: number;
  evalDurationNs?: number;
}

/** One streamed piece of an answer. The last chunk has `done: true` and carries the stats. */
export interface StreamChunk {
  text: string;
  done: boolean;
  /** Tool calls the server parsed from the model's output (chat with `tools`). */
  toolCalls?: ChatToolCall[];
  stats?: GenerationStats;
}

export interface InstalledModel {
  name: string;
  sizeBytes: number;
  digest: string;
  modifiedAt: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  /** Context window the server runs the model with, when its list says (vLLM's max_model_len). */
  contextLength?: number;
}

export interface LoadedModel {
  name: string;
  sizeBytes: number;
  sizeVramBytes: number;
  expiresAt?: string;
  contextLength?: number;
}

export interface ModelDetails {
  capabilities: string[];
  contextLength?: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  template?: string;
}

export interface PullProgress {
  status: string;
  digest?: string;
  totalBytes?: number;
  completedBytes?: number;
}

export interface Backend {
  /** The normalized server address, for messages ("Ollama is not running at …"). */
  readonly host: string;
  generate(request: GenerateRequest): AsyncIterable<StreamChunk>;
  chat(request: ChatRequest): AsyncIterable<StreamChunk>;
  listModels(signal?: AbortSignal): Promise<InstalledModel[]>;
  loadedModels(signal?: AbortSignal): Promise<LoadedModel[]>;
  show(model: string, signal?: AbortSignal): Promise<ModelDetails>;
  pull(model: string, signal?: AbortSignal): AsyncIterable<PullProgress>;
  version(signal?: AbortSignal): Promise<string>;
  /** One vector per text, in order (Ollama's /api/embed, /v1/embeddings); for the codebase index. */
  embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

/** An embedding batch may include loading the model: longer than a metadata call, shorter than an answer. */
export const EMBED_TIMEOUT_MS = 120_000;
