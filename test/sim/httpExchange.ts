// One HTTP exchange as both simulators keep it: a whole reply, or a stream whose headers go out with
// its first chunk; knowing when the client left; and how it ended, for the request log.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Outcome } from './types';

/** The part of a logged request an exchange fills in. */
export interface ExchangeRecord {
  status?: number;
  endedAt?: number;
  aborted: boolean;
  outcome?: Outcome;
}

export class HttpExchange<R extends ExchangeRecord = ExchangeRecord> {
  private readonly ac = new AbortController();
  /** Aborts when the connection closes before the response was complete. */
  readonly signal = this.ac.signal;
  private serverDropped = false;
  /** Settles when the last chunk written has reached the socket. */
  private flushed: Promise<void> = Promise.resolve();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly rec: R,
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

  /** A stream has begun (its status and headers are sent). */
  get streaming(): boolean {
    return this.res.headersSent;
  }

  /** A whole reply with its length; nothing when one was already sent. */
  send(status: number, contentType: string, body: string, outcome?: Outcome, headers: Record<string, string> = {}): void {
    if (this.gone || this.res.headersSent) return;
    this.res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
    this.finish(status, outcome);
  }

  /** One chunk of a stream; the first sends 200 with `headers`. False when the client is gone. */
  protected write(chunk: string, headers: Record<string, string>): boolean {
    if (this.gone) return false;
    if (!this.res.headersSent) {
      this.res.writeHead(200, headers);
      this.rec.status = 200;
    }
    this.flushed = new Promise((resolve) => this.res.write(chunk, () => resolve()));
    return true;
  }

  /** Resolves once the client has read what was written (at once when it has), or it left. */
  async drained(): Promise<void> {
    if (this.gone || !this.res.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      this.res.on('drain', done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Ends a stream. */
  end(outcome: Outcome = 'ok'): void {
    if (this.gone) return;
    this.res.end();
    this.finish(this.rec.status ?? 200, outcome);
  }

  /**
   * Destroys the socket mid-response, as a crashed server, a proxy timeout or a broken network
   * would. Chunks already written still reach the client first (destroying at once drops them).
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
