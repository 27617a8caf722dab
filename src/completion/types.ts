// The completion engine's plain types: what the editor glue passes in and gets back.

import type { GenerationStats } from '../backend/backend';
import type { BackendError } from '../backend/errors';
import type { MaxLinesSetting } from './multiline';
import type { Indentation } from './postprocess';

/** The settings the engine reads, per request (so a change applies at the next keystroke). */
export interface CompletionSettings {
  enabled: boolean;
  debounceMs: number;
  exclude: readonly string[];
  maxLines: MaxLinesSetting;
  contextFromOtherFiles: boolean;
  /** Ollama's keep_alive for the completion model (`qwenLocal.keepAlive`). */
  keepAlive: string;
}

export interface CompletionRequest {
  /** File system path, or the untitled document's name. */
  path: string;
  /** The path shown to the model (relative to the workspace folder); defaults to the file name. */
  displayPath?: string;
  /** Workspace folder name, for repo-level prompts. */
  repoName?: string;
  languageId: string;
  text: string;
  /** Cursor offset in `text`. */
  offset: number;
  indentation: Indentation;
  /** The resolved Ollama model name (never "auto"). */
  model: string;
  /**
   * The context window the model is loaded with; defaults to the template's. It must not vary
   * between requests to one model (Ollama reloads on a change), so chat and completions that share
   * a model pass the same value.
   */
  numCtx?: number;
  settings: CompletionSettings;
  /** True when the user asked explicitly (e.g. Alt+\): no debounce. */
  explicit?: boolean;
  /** Aborted when the editor no longer wants this completion (its CancellationToken). */
  signal: AbortSignal;
}

export interface CompletionItem {
  /** Identifies the suggestion for the acceptance count (`engine.accepted(id)`). */
  id: string;
  /** Inserted at `offset` (an empty range: VS Code shows an item only if the replaced text prefixes it). */
  insertText: string;
  offset: number;
  /**
   * Characters after `offset` the item replaces: auto-inserted closers that `insertText` contains
   * (VS Code shows the ghost text around them). 0 for a plain insertion.
   */
  replaceLength: number;
  fromCache: boolean;
}

export type RequestOutcome = 'shown' | 'empty' | 'aborted' | 'error';

export interface RequestEndEvent {
  id: string;
  model: string;
  outcome: RequestOutcome;
  /** From sending the request to the cleaned result. */
  latencyMs: number;
  /** From sending the request to the first streamed text. */
  firstTokenMs?: number;
  /** Ollama's own timings, when the answer ran to its end (not when stopped early). */
  stats?: GenerationStats;
  promptTokensEstimate: number;
  /** How the request failed (outcome `error`): a failure, or an answer that ended before it was whole. */
  error?: BackendError;
}

export interface EngineEvents {
  onRequestStart?(event: { id: string; model: string }): void;
  onRequestEnd?(event: RequestEndEvent): void;
}

export interface EngineLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}
