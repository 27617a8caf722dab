// Where the model server is: the setting, else OLLAMA_HOST, else Ollama's default.
// Normalized the way Ollama does it: no scheme → http, no port → 11434.

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

/** True when a key sent to this host would travel in clear text over a network. */
export function keyTravelsInClear(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'https:') return false;
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return !(h === 'localhost' || h === '::1' || /^127\./.test(h));
}
