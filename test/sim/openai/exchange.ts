// One HTTP exchange of the OpenAI-compatible simulator: JSON replies, server-sent events
// (`data: {...}\n\n` lines, headers sent with the first event), and knowing when the client left.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { drained } from '../drain';
import type { OpenAIOutcome, OpenAIRequestRecord } from './types';

export class SseExchange {
  private readonly ac = new AbortController();
  /** Aborts when the connection closes before the response was complete. */
  readonly signal = this.ac.signal;
  private serverDropped = false;
  private flushed: Promise<void> = Promise.resolve();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly rec: OpenAIRequestRecord,
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

  get gone(): boolean {
    return this.signal.aborted;
  }

  send(status: number, contentType: string, body: string, outcome?: OpenAIOutcome, headers: Record<string, string> = {}): void {
    if (this.gone || this.res.headersSent) return;
    this.res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
    this.finish(status, outcome);
  }

  json(status: number, value: unknown, headers?: Record<string, string>): void {
    this.send(status, 'application/json', JSON.stringify(value), undefined, headers);
  }

  /** One SSE event; the first sends 200 and `text/event-stream`. False when the client is gone. */
  event(data: unknown): boolean {
    if (this.gone) return false;
    if (!this.res.headersSent) {
      this.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
      this.rec.status = 200;
    }
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    this.flushed = new Promise((resolve) => this.res.write(`data: ${text}\n\n`, () => resolve()));
    return true;
  }

  /**
   * Waits while the client has not read what was written. vLLM streams through uvicorn, whose
   * send() awaits `self.flow.drain()` while writing is paused over the transport's high-water mark
   * (uvicorn/protocols/http/h11_impl.py). llama.cpp's server (cpp-httplib) is assumed to block in
   * its socket write the same way; not verified.
   */
  drained(): Promise<void> {
    return drained(this.res, this.signal);
  }

  end(outcome: OpenAIOutcome = 'ok'): void {
    if (this.gone) return;
    this.res.end();
    this.finish(this.rec.status ?? 200, outcome);
  }

  /** Cuts the socket after what was already written reaches the client (a crash, a proxy timeout). */
  drop(): void {
    if (this.gone || this.serverDropped) return;
    this.serverDropped = true;
    this.rec.outcome = 'dropped';
    this.rec.endedAt = Date.now();
    void this.flushed.then(() => this.req.socket.destroy());
  }

  kill(): void {
    if (this.rec.outcome !== undefined) return;
    this.rec.outcome = 'killed';
    this.rec.endedAt = Date.now();
  }

  private finish(status: number, outcome?: OpenAIOutcome): void {
    this.rec.status = status;
    this.rec.endedAt = Date.now();
    this.rec.outcome ??= outcome ?? (status >= 400 ? 'error' : 'ok');
  }
}
