// The request log and concurrency counters: how tests prove what reached the server and when
// (an abort arrived, never more than one generation at a time, a retry happened).

import type { Endpoint, RequestRecord } from './types';

export interface RequestFilter {
  endpoint?: Endpoint;
  path?: string;
  model?: string;
  /** Only requests that have finished (endedAt set). */
  finished?: boolean;
  /** Only requests with an id above this (to skip what an earlier step sent). */
  afterId?: number;
}

export type RequestMatcher = RequestFilter | ((r: RequestRecord) => boolean);

export function matches(r: RequestRecord, m: RequestMatcher): boolean {
  if (typeof m === 'function') return m(r);
  if (m.endpoint !== undefined && r.endpoint !== m.endpoint) return false;
  if (m.path !== undefined && r.path !== m.path) return false;
  if (m.model !== undefined && r.model?.toLowerCase() !== m.model.toLowerCase()) return false;
  if (m.finished !== undefined && (r.endedAt !== undefined) !== m.finished) return false;
  if (m.afterId !== undefined && r.id <= m.afterId) return false;
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something truthy; rejects after `timeoutMs` with `describe()` in the message. */
export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms. ${describe()}`);
    await sleep(5);
  }
}

export class RequestLog {
  readonly records: RequestRecord[] = [];
  private nextId = 1;
  private generating = new Map<string, number>();
  private generatingTotal = 0;
  private maxGeneratingTotal = 0;
  private maxGeneratingByModel = new Map<string, number>();
  private openInference = 0;
  private maxOpenInference = 0;

  create(method: string, path: string, endpoint: Endpoint, headers: Record<string, string>): RequestRecord {
    const r: RequestRecord = {
      id: this.nextId++,
      method,
      path,
      endpoint,
      headers,
      arrivedAt: Date.now(),
      aborted: false,
      tokensSent: 0,
      text: '',
      faults: [],
    };
    this.records.push(r);
    return r;
  }

  /** A generate/chat HTTP request is open (queued or running). */
  openRequest(): void {
    this.openInference++;
    this.maxOpenInference = Math.max(this.maxOpenInference, this.openInference);
  }

  closeRequest(): void {
    this.openInference--;
  }

  /** A request holds a generation slot of `model`. */
  beginGeneration(model: string): void {
    const n = (this.generating.get(model) ?? 0) + 1;
    this.generating.set(model, n);
    this.maxGeneratingByModel.set(model, Math.max(n, this.maxGeneratingByModel.get(model) ?? 0));
    this.generatingTotal++;
    this.maxGeneratingTotal = Math.max(this.maxGeneratingTotal, this.generatingTotal);
  }

  endGeneration(model: string): void {
    this.generating.set(model, (this.generating.get(model) ?? 1) - 1);
    this.generatingTotal--;
  }

  /** Most generations that ran at the same moment, for one model or overall. */
  maxConcurrentGenerations(model?: string): number {
    return model === undefined ? this.maxGeneratingTotal : (this.maxGeneratingByModel.get(model) ?? 0);
  }

  /** Most generate/chat HTTP requests open at once, queued ones included. */
  maxConcurrentRequests(): number {
    return this.maxOpenInference;
  }

  /** Generate/chat HTTP requests open now. */
  openRequests(): number {
    return this.openInference;
  }

  generatingNow(): number {
    return this.generatingTotal;
  }

  clear(): void {
    this.records.length = 0;
    this.maxGeneratingTotal = this.generatingTotal;
    this.maxGeneratingByModel = new Map(this.generating);
    this.maxOpenInference = this.openInference;
  }

  summary(last = 8): string {
    const lines = this.records
      .slice(-last)
      .map((r) => `#${r.id} ${r.method} ${r.path}${r.model ? ` ${r.model}` : ''} status=${r.status ?? '-'} outcome=${r.outcome ?? 'open'} tokens=${r.tokensSent}`);
    return lines.length ? `Last requests:\n  ${lines.join('\n  ')}` : 'No requests logged.';
  }
}
