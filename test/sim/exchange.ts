// One HTTP request/response as Ollama (Go's net/http + gin) answers it: JSON bodies without a
// trailing newline, NDJSON streams whose headers go out with the first line, and knowing when
// the client went away. Also applies the faults that act on a stream (stream-faults below).

import { defaultErrorText } from './faults';
import { HttpExchange } from './httpExchange';
import type { FaultSpec, RequestRecord } from './types';

/**
 * Ollama's side of an exchange. Its stream loop awaits drained() after each line: Ollama streams
 * through Go's http.ResponseWriter, whose Write blocks while the socket buffer is full.
 */
export class Exchange extends HttpExchange<RequestRecord> {
  json(status: number, value: unknown): void {
    this.send(status, 'application/json; charset=utf-8', JSON.stringify(value));
  }

  /** Ollama's error shape: `{"error": "..."}` with the status. */
  error(status: number, message: string): void {
    this.rec.error = message;
    this.json(status, { error: message });
  }

  text(status: number, body: string): void {
    this.send(status, 'text/plain; charset=utf-8', body);
  }

  /** Writes one NDJSON line; the first one sends 200 and the headers. False if the client is gone. */
  line(value: unknown): boolean {
    return this.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`, { 'Content-Type': 'application/x-ndjson' });
  }
}

/**
 * Stream faults (errorLine, malformedLine, drop) for one response. `before(n)` runs before the
 * n-th line (0-based) is produced and says whether to go on. When not streaming, an error line
 * becomes a 500 like Ollama's non-streamed errors and a malformed line becomes the whole body.
 */
export class StreamFaults {
  private readonly pending: FaultSpec[];
  malformedBody: string | undefined;

  constructor(
    private readonly x: Exchange,
    faults: readonly FaultSpec[],
    private readonly stream: boolean,
    /** Ollama ≥ 0.12.6: an error before the first line is an HTTP status (profiles.ts). */
    private readonly statusBeforeFirstLine = false,
  ) {
    this.pending = faults.filter((f) => f.kind === 'errorLine' || f.kind === 'malformedLine' || f.kind === 'drop');
  }

  /** Applies faults due at line `n`; `final` applies all that are still pending. False: stop now. */
  before(n: number, final = false): boolean {
    for (const f of [...this.pending]) {
      if (f.kind !== 'errorLine' && f.kind !== 'malformedLine' && f.kind !== 'drop') continue;
      if (!final && (f.after ?? 0) > n) continue;
      this.pending.splice(this.pending.indexOf(f), 1);
      switch (f.kind) {
        case 'drop':
          this.x.drop();
          return false;
        case 'errorLine': {
          const message = f.error ?? defaultErrorText(500);
          this.x.rec.error = message;
          if (this.stream && !(this.statusBeforeFirstLine && !this.x.streaming)) {
            this.x.line({ error: message });
            this.x.end('error');
          } else {
            this.x.error(500, message);
          }
          return false;
        }
        case 'malformedLine': {
          const bad = f.line ?? '{"model":"broken","created_at":"2024-01-01T00:00:00Z","response":"unterminated';
          if (this.stream) this.x.line(bad);
          else this.malformedBody = bad;
          break;
        }
      }
    }
    return !this.x.gone;
  }
}
