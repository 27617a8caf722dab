// Where the model server is: the setting, else OLLAMA_HOST, else Ollama's default.
// Normalized the way Ollama does it: no scheme → http, no port → 11434.

import { isIPv4, isIPv6 } from 'node:net';

export const DEFAULT_HOST = 'http://127.0.0.1:11434';

export type HostSource = 'setting' | 'env' | 'default';

export interface ResolvedHost {
  url: string;
  source: HostSource;
}

/**
 * Same rules as Ollama's own OLLAMA_HOST parsing: no scheme → http and port 11434; an explicit
 * scheme without a port → that scheme's port (80/443); ":PORT" → loopback. Throws a readable Error
 * for a value that cannot be a server address.
 */
export function normalizeHost(raw: string): string {
  let value = raw.trim();
  if (!value) return DEFAULT_HOST;
  if (value.startsWith(':')) value = `http://127.0.0.1${value}`;
  const explicitScheme = value.includes('://');
  if (!explicitScheme) value = `http://${value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`"${raw}" is not a server address (expected e.g. http://127.0.0.1:11434).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`"${raw}" uses ${url.protocol} — the Ollama host must be http:// or https://.`);
  }
  // Ollama listens on 0.0.0.0 when told to; a client cannot connect to that address.
  const hostname = url.hostname === '0.0.0.0' ? '127.0.0.1' : url.hostname;
  // URL drops a port equal to the scheme's default, so read an explicit one from the text.
  const authority = (value.split('://')[1] ?? '').split('/')[0]?.replace(/^.*@/, '') ?? '';
  const written = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/.exec(authority)?.[1];
  const port = written ?? (!explicitScheme ? '11434' : url.protocol === 'https:' ? '443' : '80');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${hostname}:${port}${path}`;
}

export function resolveHost(setting: string | undefined, env: string | undefined): ResolvedHost {
  if (setting && setting.trim()) return { url: normalizeHost(setting), source: 'setting' };
  if (env && env.trim()) return { url: normalizeHost(env), source: 'env' };
  return { url: DEFAULT_HOST, source: 'default' };
}

/**
 * True for an address that cannot leave this machine: `localhost`, 127.0.0.0/8, ::1 and the
 * IPv4-mapped ::ffff:127.x. IP literals are parsed, never prefix-matched: `127.0.0.1.attacker.example`
 * is a name any DNS server can point anywhere. `hostname` is a URL's (lower-case, brackets allowed);
 * the URL parser has already turned `0x7f.1` or `2130706433` into dotted form.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.split('.')[0] === '127';
  if (isIPv6(h)) {
    if (h === '::1') return true;
    // URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1; the first hex group after ffff is 127.x's top half.
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(h);
    if (mapped) return parseInt(mapped[1], 16) >> 8 === 127;
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return !!dotted && isIPv4(dotted[1]) && dotted[1].startsWith('127.');
  }
  return false;
}

/** True when a key sent to this host would travel in clear text over a network. */
export function keyTravelsInClear(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'https:') return false;
  return !isLoopbackHost(u.hostname);
}
