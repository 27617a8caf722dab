// The connection to the model server as the features use it: one backend per (kind, host, key), every
// call's outcome reported to the status, and health checks with backoff while offline.
// Pure (no `vscode`), so the fault tests build exactly what activate() builds.

import type { Backend } from './backend';
import { BusyBackoff, withBusyGate } from './busy';
import { toBackendError, type BackendError } from './errors';
import { HealthMonitor } from './health';
import { OllamaBackend } from './ollama';
import { OpenAICompatibleBackend } from './openai';
import { withOutcomeReporting } from './reporting';

export interface ConnectionStatus {
  readonly offline: boolean;
  reportOk(): void;
  reportError(error: BackendError): void;
}

export interface ConnectionDeps {
  /** The normalized server address (read on every call: a settings change applies at once). */
  host(): string;
  apiKey(): string | undefined;
  status: ConnectionStatus;
  isFocused(): boolean;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
  now?(): number;
  /** Anything else the backend is built from (the CA file): a change builds a new one. */
  variant?(): string;
  /** Which API the server speaks (configured or probed); Ollama when not given. */
  kind?(): BackendKind;
  /** Jitter of the busy backoff; tests make it fixed. */
  random?(): number;
  /** Defaults to the backend for `kind`; tests may wrap it to count calls. */
  createBackend?(host: string, apiKey: string | undefined, kind: BackendKind): Backend;
}

export type BackendKind = 'ollama' | 'openai';

/** The backend for a server kind: the `ollama` package for Ollama, the `openai` package for the rest. */
export function defaultBackend(host: string, apiKey: string | undefined, kind: BackendKind, fetcher?: typeof fetch): Backend {
  const f = fetcher ? { fetch: fetcher } : {};
  return kind === 'openai' ? new OpenAICompatibleBackend({ host, apiKey, ...f }) : new OllamaBackend({ host, apiKey, ...f });
}

export class Connection {
  readonly health: HealthMonitor;
  /** 429/503 from the server: completions pause (with jitter) until it has room again. */
  readonly busy: BusyBackoff;
  private built: { key: string; inner: Backend; reporting: Backend } | undefined;

  constructor(private readonly deps: ConnectionDeps) {
    this.busy = new BusyBackoff(deps.now ?? (() => Date.now()), deps.random);
    this.health = new HealthMonitor({
      probe: (signal) => this.current().inner.version(signal),
      onResult: (ok, error) => (ok ? deps.status.reportOk() : deps.status.reportError(toBackendError(error, { host: deps.host() }))),
      isFocused: () => deps.isFocused(),
      setTimer: deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
      clearTimer: deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
      now: deps.now ?? (() => Date.now()),
    });
  }

  /** The backend the features call: outcomes go to the status and the health monitor. */
  backend(): Backend {
    return this.current().reporting;
  }

  /** The host the current backend talks to. */
  get host(): string {
    return this.deps.host();
  }

  private current(): { key: string; inner: Backend; reporting: Backend } {
    const host = this.deps.host();
    const apiKey = this.deps.apiKey();
    const kind = this.deps.kind?.() ?? 'ollama';
    const key = `${kind}\n${host}\n${apiKey ?? ''}\n${this.deps.variant?.() ?? ''}`;
    if (this.built?.key !== key) {
      // Another server (or key): its room is unknown, not busy.
      if (this.built) this.busy.clear();
      const inner = this.deps.createBackend?.(host, apiKey, kind) ?? defaultBackend(host, apiKey, kind);
      const reporting = withOutcomeReporting(inner, {
        // While offline, a success also ends the health monitor's backoff; any success ends "busy".
        ok: () => {
          this.busy.clear();
          if (this.deps.status.offline) this.health.markResult(true);
          else this.deps.status.reportOk();
        },
        // The server answered but the call has not succeeded (yet): that ends an outage, never a
        // model or server-error incident (a working /api/show does not fix a crashing runner).
        reachable: () => {
          if (this.deps.status.offline) this.health.markResult(true);
        },
        failed: (error) => {
          if (error.kind === 'busy') this.busy.hit(error.retryAfterMs);
          if (error.kind !== 'unreachable') this.deps.status.reportError(error);
          // Only the failure that starts an outage counts: later keystrokes must not stretch the
          // background retry's backoff (30 s → 5 min) while the user waits for the server.
          else if (!this.deps.status.offline) this.health.markResult(false, error);
        },
      });
      this.built = { key, inner, reporting: withBusyGate(reporting, this.busy) };
    }
    return this.built;
  }

  dispose(): void {
    this.health.dispose();
  }
}
