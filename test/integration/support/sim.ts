// The Ollama simulator's control API (test/sim/control.ts), for suites that set up answers.

import { config } from './config';

export async function simControl(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const base = config().simControlUrl;
  if (!base) throw new Error('no simulator control URL in the integration config');
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export interface SimRequest {
  id: number;
  endpoint: string;
  model?: string;
  aborted: boolean;
  status?: number;
}

export async function simRequests(afterId = 0): Promise<SimRequest[]> {
  return ((await simControl('GET', `/log?afterId=${afterId}`)) as { requests: SimRequest[] }).requests;
}
