// What kind of server answers at the configured address, asked once per (address, configured kind,
// key, CA file) and asked again when one of them changes; and the fetch that trusts a team
// server's own CA file. Pure apart from reading that file: no `vscode`.

import { readFileSync } from 'node:fs';
import { fetchWithCa } from './caFetch';
import type { BackendKind } from './connection';
import { probeServer, type ProbeResult } from './probe';

/** The fetch for a CA file, read once per path; a file that cannot be read is said once and ignored. */
export class CaFileFetch {
  private current: { path: string; fetch?: typeof fetch } | undefined;

  constructor(private readonly onError: (message: string) => void, private readonly onLoaded: (path: string) => void) {}

  fetchFor(path: string): typeof fetch | undefined {
    if (!this.current || this.current.path !== path) {
      this.current = { path };
      if (path) {
        try {
          this.current.fetch = fetchWithCa(readFileSync(path, 'utf8'));
          this.onLoaded(path);
        } catch (error) {
          this.onError(`Cannot read the CA file of setting qwenLocal.server.caFile (${path}): ${error instanceof Error ? error.message : String(error)}. Fix the path or clear the setting.`);
        }
      }
    }
    return this.current.fetch;
  }
}

export interface ServerProbeDeps {
  url(): string;
  configuredKind(): 'auto' | BackendKind;
  apiKey(): string | undefined;
  caFile(): string;
  fetch(): typeof fetch | undefined;
  /** Called with each new result of the current probe (not of one overtaken by a change). */
  onResult(result: ProbeResult): void;
}

export class ServerProbe {
  private probe: { id: string; running: Promise<ProbeResult>; result?: ProbeResult } | undefined;

  constructor(private readonly deps: ServerProbeDeps) {}

  private id(): string {
    const d = this.deps;
    return `${d.url()}\n${d.configuredKind()}\n${d.apiKey() ?? ''}\n${d.caFile()}`;
  }

  /** The current probe's result, if it has answered. */
  result(): ProbeResult | undefined {
    return this.probe?.id === this.id() ? this.probe.result : undefined;
  }

  /** The configured kind, or what the probe found; Ollama until it has answered. */
  kind(): BackendKind {
    const configured = this.deps.configuredKind();
    if (configured !== 'auto') return configured;
    return this.result()?.kind ?? 'ollama';
  }

  /** Asks the server (again when `force`, else only after a change). */
  run(force = false): Promise<ProbeResult> {
    const id = this.id();
    if (this.probe?.id === id && !force) return this.probe.running;
    const d = this.deps;
    const entry: { id: string; running: Promise<ProbeResult>; result?: ProbeResult } = {
      id,
      running: probeServer({ kind: d.configuredKind(), url: d.url(), apiKey: d.apiKey(), fetch: d.fetch(), signal: AbortSignal.timeout(5_000) }).then((result) => {
        entry.result = result;
        if (this.probe === entry) d.onResult(result);
        return result;
      }),
    };
    this.probe = entry;
    return entry.running;
  }
}
