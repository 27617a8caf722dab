// A fetch that also trusts one extra CA (a team server's self-signed certificate), for the
// `qwenLocal.server.caFile` setting. Built on node:https with an Agent that trusts the public roots
// plus the file's certificates, so no HTTP package beyond Node is needed. http:// goes to the
// global fetch unchanged. Redirects are returned, never followed (the backends refuse them).

import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => (out[key] = value));
  return out;
}

async function bodyOf(body: unknown): Promise<Uint8Array | string | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  // Anything else fetch accepts (Blob, ArrayBuffer, a stream): let a Response read it.
  return new Uint8Array(await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer());
}

/** fetch for https:// with `caPem` trusted besides the usual roots. */
export function fetchWithCa(caPem: string): typeof fetch {
  const agent = new Agent({ ca: [...rootCertificates, caPem], keepAlive: true });
  const caFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:') return fetch(input, init);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const headers = headerRecord(new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)));
    const body = await bodyOf(init?.body);
    const signal = init?.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method, headers, agent, ...(signal ? { signal } : {}) }, (res) => {
        const out = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const one of Array.isArray(value) ? value : [value]) out.append(key, one);
        }
        const status = res.statusCode ?? 502;
        const empty = status === 204 || status === 304 || method === 'HEAD';
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: out }));
      });
      // As the global fetch does: an abort rejects with the signal's reason, anything else is a
      // TypeError whose cause carries the socket or TLS code (the error mappers read it there).
      req.on('error', (error) => reject(signal?.aborted ? (signal.reason ?? error) : new TypeError('fetch failed', { cause: error })));
      req.end(body);
    });
  };
  return caFetch as typeof fetch;
}
