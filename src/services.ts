// What every feature module receives from the core (core.ts): the shared services, as interfaces.
// Feature modules export `register…(context, services)` and push their disposables themselves.

import type { Backend } from './backend/backend';
import type { BackendError } from './backend/errors';
import type { Logger } from './log';
import type { Settings } from './settings';

/**
 * The one settings reader: `Config` in the editor, a plain object in tests. `settings` is read on
 * every use (never kept), so a value loaded after activation applies at once.
 */
export interface SettingsSource {
  readonly settings: Settings;
  /** Writes a user-level value. */
  update(key: string, value: unknown): Promise<void>;
  /** Fires after the settings changed. */
  onDidChange(listener: (settings: Settings) => void): { dispose(): void };
}

/** The status bar and the one-notification-per-incident rule, as the features see them. */
export interface StatusReporter {
  /** Marks work in progress ("working" spinner) until the returned function is called. */
  beginWork(label: string): () => void;
  /** The model is being loaded into memory by the server (can take a while). */
  setLoading(model: string | undefined): void;
  /** A request failed: updates the status and shows at most one notification per incident. */
  reportError(error: BackendError): void;
  /** A request succeeded: the server is reachable; clears an offline incident. */
  reportOk(): void;
}

/** Which models to use now: explicit settings win, `auto` resolves through the hardware choice. */
export interface ModelResolver {
  completionModel(): string;
  chatModel(): string;
  /** The num_ctx each model is loaded with; one value per model, or Ollama reloads it. */
  completionNumCtx(): number;
  chatNumCtx(): number;
}

export interface Services {
  config: SettingsSource;
  log: Logger;
  /** The backend for the current host setting; a new one after the host or key changes. */
  backend(): Backend;
  status: StatusReporter;
  models: ModelResolver;
  /**
   * Marks a foreground request (a chat answer, an action) until the returned function is called:
   * completions wait meanwhile, since a default Ollama runs one request at a time.
   */
  holdServer(): () => void;
}
