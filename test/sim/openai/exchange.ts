// One HTTP exchange of the OpenAI-compatible simulator: JSON replies, server-sent events
// (`data: {...}\n\n` lines, headers sent with the first event), and knowing when the client left.

import { HttpExchange } from '../httpExchange';
import type { OpenAIRequestRecord } from './types';

/**
 * The OpenAI-compatible side of an exchange. Its stream loop awaits drained() after each event:
 * vLLM streams through uvicorn, whose send() awaits `self.flow.drain()` while writing is paused over
 * the transport's high-water mark (uvicorn/protocols/http/h11_impl.py). llama.cpp's server
 * (cpp-httplib) is assumed to block in its socket write the same way; not verified.
 */
export class SseExchange extends HttpExchange<OpenAIRequestRecord> {
  json(status: number, value: unknown, headers?: Record<string, string>): void {
    this.send(status, 'application/json', JSON.stringify(value), undefined, headers);
  }

  /** One SSE event; the first sends 200 and `text/event-stream`. False when the client is gone. */
  event(data: unknown): boolean {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return this.write(`data: ${text}\n\n`, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
  }
}
