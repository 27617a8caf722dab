// One HTTP request/response as Ollama (Go's net/http + gin) answers it: JSON bodies without a
// trailing newline, NDJSON streams whose headers go out with the first line, and knowing when
// the client went away. Also applies the faults that act on a stream (stream-faults below).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { drained } from './drain';
import { defaultErrorText } from './faults';
import type { FaultSpec, Outcome, RequestRecord } from './types';

export class Exchange {
  private readonly ac = new AbortController();
  /** Aborts when the connection closes before the response was complete. */
  readonly signal = this.ac.signal;
  private serverDropped = false;
  /** Settles when the last line written has reached the socket. */
  private flushed: Promise<void> = Promise.resolve();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly rec: RequestRecord,
    stopping: () => boolean,
  ) {
    res.on('close', () => {
      if (!res.writableFinished && rec.outcome === undefined) {
        rec.outcome = this.serverDropped ? 'dropped' : stopping() ? 'killed' : 'aborted';
        rec.aborted = rec.outcome === 'aborted';
        rec.endedAt = Date.now();
      }
      this.ac.abort();
    });
  }

  /** The connection is gone (client left, dropped, or server stopped). */
  get gone(): boolean {
    return this.signal.aborted;
  }

  get streaming(): boolean {
    return this.res.headersSent;
  }

  send(status: number, contentType: string, body: string, outcome?: Outcome): void {
    if (this.gone || this.res.headersSent) return;
    this.res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
    this.finish(status, outcome);
  }

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
    if (this.gone) return false;
    if (!this.res.headersSent) {
      this.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      this.rec.status = 200;
    }
    this.flushed = new Promise((resolve) => this.res.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`, () => resolve()));
    return true;
  }

  /**
   * Waits while the client has not read what was written: Ollama streams through Go's
   * http.ResponseWriter, whose Write blocks on a full socket buffer.
   */
  drained(): Promise<void> {
    return drained(this.res, this.signal);
  }

  /** Ends a stream. */
  end(outcome: Outcome = 'ok'): void {
    if (this.gone) return;
    this.res.end();
    this.finish(this.rec.status ?? 200, outcome);
  }

  /**
   * Destroys the socket mid-response, as a crashed server or a broken network would. Lines
   * already written still reach the client first (destroying at once would discard them).
   */
  drop(): void {
    if (this.gone || this.serverDropped) return;
    this.serverDropped = true;
    this.rec.outcome = 'dropped';
    this.rec.endedAt = Date.now();
    void this.flushed.then(() => this.req.socket.destroy());
  }

  /** The server is being stopped: whatever is still open was killed, not abandoned by its client. */
  kill(): void {
    if (this.rec.outcome !== undefined) return;
    this.rec.outcome = 'killed';
    this.rec.endedAt = Date.now();
  }

  private finish(status: number, outcome?: Outcome): void {
    this.rec.status = status;
    this.rec.endedAt = Date.now();
    this.rec.outcome ??= outcome ?? (status >= 400 ? 'error' : 'ok');
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
