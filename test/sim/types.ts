// Public types of the Ollama simulator. Everything here except the function-valued answers and
// `when` predicates is plain JSON, so the same shapes configure the standalone CLI (cli.ts).

/** Which Ollama route a request hit; faults and log filters name routes this way. */
export type Endpoint = 'root' | 'version' | 'tags' | 'ps' | 'show' | 'pull' | 'generate' | 'chat' | 'delete' | 'embed' | 'other';

/** Latencies. Defaults are small so tests stay fast; a model's own `timing` overrides them. */
export interface Timing {
  /** Loading a model into memory: first use, after keep_alive expired, or when num_ctx changes. */
  loadMs: number;
  /** Prompt evaluation per prompt token that is not already in the model's prompt cache. */
  promptMsPerToken: number;
  /** Delay before each generated token. */
  tokenMs: number;
  /** Delay before each progress step of a pull (and before the manifest arrives). */
  pullStepMs: number;
  /** Progress steps per pulled layer. */
  pullSteps: number;
}

/** A model, installed (`models`) or pullable (`registry`). Only `name` is required. */
export interface ModelSpec {
  /** "qwen2.5-coder:1.5b-base"; ":latest" is implied when there is no tag. */
  name: string;
  /** Architecture, reported as details.family and the model_info key prefix. Default "qwen2". */
  family?: string;
  /** Default from the name's size: "1.5b" → "1.5B" (Qwen2.5's real figures). */
  parameterSize?: string;
  /** Default "Q4_K_M" (or the quantization named in the tag). */
  quantization?: string;
  /** Default: base models ["completion", "insert"], instruct/chat models ["completion", "tools"]. */
  capabilities?: string[];
  /** model_info["<family>.context_length"]. Default 32768. */
  contextLength?: number;
  /** Blob sizes in bytes, weights first (what a pull downloads). Default from the parameter size. */
  layers?: number[];
  template?: string;
  system?: string;
  /** ISO time for /api/tags modified_at. Default: when the simulator learned of it. */
  modifiedAt?: string;
  /** Per-model latencies (e.g. a big model that loads slowly). */
  timing?: Partial<Timing>;
}

/**
 * An answer. A string is split into tokens deterministically (tokens.ts); `chunks` streams exactly
 * those pieces (to test reassembly across chunk borders); `tokenMs` overrides the speed.
 */
export type Answer = string | { text?: string; chunks?: string[]; tokenMs?: number };

/** What a completion answer function sees of a /api/generate request. */
export interface GenerateContext {
  model: string;
  prompt: string;
  /** True when the request is fill-in-the-middle: a `suffix` field, or FIM tokens in a raw prompt. */
  fim: boolean;
  /** Code before the cursor: parsed from a raw FIM prompt, else the prompt itself. */
  prefix: string;
  /** Code after the cursor: parsed from a raw FIM prompt, else the `suffix` field. */
  suffix: string;
  /** Text before `<|fim_prefix|>` in a raw prompt (repository-level context, other files). */
  fileContext: string;
  raw: boolean;
  system?: string;
  options: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface ChatMessage {
  role: string;
  content: string;
}

/** What a chat answer function sees of a /api/chat request. */
export interface ChatContext {
  model: string;
  messages: ChatMessage[];
  /** Content of the last user message ('' if none). */
  lastUser: string;
  /** Content of the first system message ('' if none). */
  system: string;
  options: Record<string, unknown>;
  body: Record<string, unknown>;
}

export type AnswerSource<C> = Answer | ((ctx: C) => Answer | Promise<Answer>);

/** First matching rule answers. All given conditions must hold. */
export interface CompletionRule {
  model?: string;
  whenPrefixEndsWith?: string;
  whenPrefixIncludes?: string;
  whenSuffixStartsWith?: string;
  /** Matches anywhere in the prompt as sent (raw FIM prompts included). */
  whenPromptIncludes?: string;
  answer: AnswerSource<GenerateContext>;
}

export interface ChatRule {
  model?: string;
  whenLastUserIncludes?: string;
  whenSystemIncludes?: string;
  /** Matches any message's content. */
  whenAnyIncludes?: string;
  answer: AnswerSource<ChatContext>;
}

interface FaultBase {
  /** Routes it applies to. Default: generate and chat. */
  endpoint?: Endpoint | Endpoint[] | '*';
  /** Only requests naming this model (":latest" implied). */
  model?: string;
  /** How many matching requests it hits, then it is spent. Default: until cleared. */
  times?: number;
  /** Programmatic filter (not in JSON). */
  when?: (request: RequestRecord) => boolean;
}

/**
 * A misbehaviour. `after` counts streamed lines already sent (tokens for generate/chat, progress
 * lines for pull). Server-wide refusal is not a fault: stop() / restart(), or the CLI's /offline.
 */
export type FaultSpec = FaultBase &
  (
    | { kind: 'status'; status: number; error?: string; /** Raw non-JSON body (e.g. a proxy page). */ body?: string }
    | { kind: 'reset' }
    | { kind: 'stall'; /** Omitted: until the client gives up. */ ms?: number }
    | { kind: 'errorLine'; after?: number; error?: string }
    | { kind: 'malformedLine'; after?: number; line?: string }
    | { kind: 'drop'; after?: number }
    | { kind: 'endless'; /** Safety stop. Default 60000. */ maxMs?: number }
    | { kind: 'slowLoad'; ms: number }
  );

export type FaultKind = FaultSpec['kind'];

export type Outcome = 'ok' | 'error' | 'aborted' | 'dropped' | 'killed';

/** One request as the simulator saw it. Times are Date.now() milliseconds. */
export interface RequestRecord {
  id: number;
  method: string;
  path: string;
  endpoint: Endpoint;
  model?: string;
  headers: Record<string, string>;
  /** The parsed JSON body (undefined for GET, or when it was not JSON). */
  body?: Record<string, unknown>;
  arrivedAt: number;
  /** When it got a generation slot (left the queue). */
  startedAt?: number;
  /** When the model was loaded for it. */
  loadedAt?: number;
  firstTokenAt?: number;
  endedAt?: number;
  status?: number;
  /** The client went away before the response was complete. */
  aborted: boolean;
  outcome?: Outcome;
  /** Generate/chat: tokens streamed (or generated, when not streaming). Pull: progress lines. */
  tokensSent: number;
  /** Generate/chat text sent so far. */
  text: string;
  doneReason?: string;
  /** For FIM requests: what the answer function saw. */
  fim?: { prefix: string; suffix: string };
  promptTokens?: number;
  /** Prompt tokens that had to be evaluated (the rest came from the prompt cache). */
  promptEvaluated?: number;
  numCtx?: number;
  /** The prompt was longer than num_ctx (Ollama truncates it). */
  truncated?: boolean;
  /** Kinds of the faults applied to it. */
  faults: FaultKind[];
  error?: string;
}

/** The whole configuration; every field optional. Also the CLI's --config file and POST /config body. */
export interface SimConfig {
  /**
   * Reported by /api/version; also picks the version-dependent defaults (profiles.ts: parallel
   * slots, context_length in /api/ps, errors before the first token). Default: the current profile.
   */
  version?: string;
  /** Shorthand for `version`: "old" (0.6.5) or "current" (profiles.ts). `version` wins if both are given. */
  profile?: 'old' | 'current';
  /** Installed models (replaces the defaults when given). */
  models?: ModelSpec[];
  /** Models a pull can find (replaces the built-in Qwen2.5-Coder catalogue when given). */
  registry?: ModelSpec[];
  timing?: Partial<Timing>;
  /** Generations at once per model (OLLAMA_NUM_PARALLEL). Default: the version's (profiles.ts). */
  numParallel?: number;
  /** Requests waiting for a model load before 503 (OLLAMA_MAX_QUEUE). Default 512. */
  maxQueue?: number;
  /** Models loaded at once (OLLAMA_MAX_LOADED_MODELS). Default 0: 3 when vramBytes is set (one GPU), else no limit. */
  maxLoadedModels?: number;
  /** num_ctx when a request does not set it. Default 4096. */
  defaultNumCtx?: number;
  /** keep_alive when a request does not set it. Default "5m". */
  defaultKeepAlive?: string | number;
  /**
   * GPU memory. Loading a model that does not fit next to the loaded ones unloads idle ones first
   * (scheduler.ts `makeRoom`); a model bigger than all of it is partly in system RAM
   * (size_vram < size). Default: unlimited.
   */
  vramBytes?: number;
  /** When set, every /api request needs "Authorization: Bearer <apiKey>" (like a proxy in front), else 401. */
  apiKey?: string;
  /** Reuse the common prefix of the previous prompt (Ollama's KV cache). Default true. */
  promptCache?: boolean;
  completions?: CompletionRule[];
  /** FIM requests no rule matched. */
  defaultCompletion?: AnswerSource<GenerateContext>;
  /** Plain (non-FIM) generate requests no rule matched. */
  defaultGenerate?: AnswerSource<GenerateContext>;
  chats?: ChatRule[];
  /** Chat requests no rule matched. */
  chatAnswer?: AnswerSource<ChatContext>;
  faults?: FaultSpec[];
}
