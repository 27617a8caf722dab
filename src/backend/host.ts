// Where the model server is: the setting, else OLLAMA_HOST, else Ollama's default.
// Parsed the way Ollama parses OLLAMA_HOST: no scheme → http, no port → 11434.

import { isIPv4, isIPv6 } from 'node:net';

export const DEFAULT_HOST = 'http://127.0.0.1:11434';

export type HostSource = 'setting' | 'env' | 'default';

export interface ResolvedHost {
  url: string;
  source: HostSource;
  /** Something in the value was fixed (an invalid port): show it once, as for an invalid value. */
  warning?: string;
}

/** A normalized address, and what was fixed on the way (say it to the user; never fix silently). */
export interface ParsedHost {
  url: string;
  warning?: string;
}

/**
 * OLLAMA_HOST as Ollama itself reads it (envconfig/config.go `Host()`): no scheme → http with port
 * 11434 (a bare `example.com` is `http://example.com:11434`; only the literal `ollama.com` means
 * `https://ollama.com:443` in recent releases); an explicit http/https without a port → 80/443;
 * `:PORT` → loopback; a port that is not a number in 0–65535 → a warning and the default port.
 * Where a client differs from the server: the listen-everywhere addresses 0.0.0.0 and [::] are
 * connected to as 127.0.0.1 and [::1]. `user:pass@` is refused with the reason (a password in
 * settings.json would sit in clear text and show in every message), never dropped silently.
 * Throws a readable Error for a value that cannot be a server address.
 */
export function parseHost(raw: string): ParsedHost {
  // Ollama trims spaces and quotes around the value.
  const value = raw.trim().replace(/^["']+|["']+$/g, '').trim();
  if (!value) return { url: DEFAULT_HOST };
  if (value.toLowerCase() === 'ollama.com') return { url: 'https://ollama.com:443' };
  let scheme = 'http';
  let rest = value.startsWith(':') && !isIPv6(value) ? `127.0.0.1${value}` : value;
  let defaultPort = '11434';
  const sep = rest.indexOf('://');
  if (sep >= 0) {
    scheme = rest.slice(0, sep).toLowerCase();
    rest = rest.slice(sep + 3);
    if (scheme !== 'http' && scheme !== 'https') throw new Error(`"${raw}" uses ${scheme}: — the Ollama host must be http:// or https://.`);
    defaultPort = scheme === 'https' ? '443' : '80';
  }
  const slash = rest.indexOf('/');
  const hostport = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash).replace(/\/+$/, '');
  if (hostport.includes('@')) {
    throw new Error(
      `"${raw}" contains a user name or password (user:pass@). Qwen Local does not send credentials from the address: they would sit in clear text in settings.json and show in every message. Remove them, and use "Qwen Local: Set API Key for the Model Server" if the server needs a key.`,
    );
  }
  // net.SplitHostPort's split: [v6]:port, host:port; a bare IPv6 literal has no port.
  let host = hostport;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  if (bracketed) [, host, port] = bracketed;
  else if (hostport.split(':').length === 2) [host, port] = hostport.split(':');
  if (!host) host = '127.0.0.1';
  let warning: string | undefined;
  if (port === undefined) port = defaultPort;
  else if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    warning = `"${raw}" has an invalid port "${port}"; using ${defaultPort}, as Ollama does.`;
    port = defaultPort;
  }
  port = String(Number(port));
  // Ollama listens on every address when told 0.0.0.0 or [::]; a client cannot connect to those.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (isIPv6(host) && /^[0:]+$/.test(host)) host = '::1';
  let url: URL;
  try {
    url = new URL(`${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}${path}`);
  } catch {
    throw new Error(`"${raw}" is not a server address (expected e.g. http://127.0.0.1:11434).`);
  }
  // URL drops a port equal to the scheme's default: write the one decided above.
  const normalized = `${url.protocol}//${url.hostname}:${port}${url.pathname.replace(/\/+$/, '')}`;
  return warning ? { url: normalized, warning } : { url: normalized };
}

/** parseHost's address; the warning, if any, is for whoever shows settings problems. */
export function normalizeHost(raw: string): string {
  return parseHost(raw).url;
}

export function resolveHost(setting: string | undefined, env: string | undefined): ResolvedHost {
  if (setting && setting.trim()) return { ...parseHost(setting), source: 'setting' };
  if (env && env.trim()) return { ...parseHost(env), source: 'env' };
  return { url: DEFAULT_HOST, source: 'default' };
}

/**
 * `resolveHost` once per (setting, env) value: an invalid value is reported once through `onBad`,
 * not on every request, and the default used instead. Reads both per call, never keeps what it saw
 * first: the settings may load after activation.
 */
export function hostResolver(setting: () => string, env: () => string | undefined, onBad: (message: string) => void): () => ResolvedHost {
  let resolved: { raw: string; host: ResolvedHost } | undefined;
  return () => {
    const value = setting();
    const envValue = env();
    const raw = `${value}\n${envValue ?? ''}`;
    if (resolved?.raw !== raw) {
      try {
        resolved = { raw, host: resolveHost(value, envValue) };
      } catch (error) {
        onBad(`Ignoring the Ollama host setting: ${error instanceof Error ? error.message : String(error)}`);
        resolved = { raw, host: resolveHost(undefined, undefined) };
      }
    }
    return resolved.host;
  };
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

/**
 * The question to ask before the first request when the environment, not the user, chose a server
 * off this machine: OLLAMA_HOST can come from a dev container's `containerEnv` or a repository's
 * tooling, and decides where code is sent (security review, suspicion 13.2). Undefined when the
 * address is the user's setting, the default, loopback, or one the user already confirmed.
 */
export function envHostQuestion(resolved: ResolvedHost, confirmed: readonly string[]): string | undefined {
  if (resolved.source !== 'env' || confirmed.includes(resolved.url)) return undefined;
  if (isLoopbackHost(new URL(resolved.url).hostname)) return undefined;
  return `The OLLAMA_HOST environment variable points Qwen Local at ${resolved.url}, which is not this machine. Send your code to that server? (To choose another, set Qwen Local: Ollama Host in your user settings.)`;
}
