// The connection doctor: probes the model server the way Qwen Local uses it and turns each failure
// into one concrete fix. Pure apart from `fetch` (injected; no `vscode`): the command that shows the
// result gathers the environment facts and passes them in.
//
// Probes: /api/version (is it Ollama, which version), /api/tags (installed models), /api/ps (loaded
// models), /v1/models (the OpenAI-compatible API). Never a body, never the user's code; the key only
// if the caller passes the one bound to this origin (keys.ts). Redirects are reported, not followed.

import { isIP } from 'node:net';
import { summarizeBody } from './errors';
import { isLoopbackHost, type ResolvedHost } from './host';

export const DOCTOR_PATHS = ['/api/version', '/api/tags', '/api/ps', '/v1/models'] as const;
export type DoctorPath = (typeof DOCTOR_PATHS)[number];

export interface Probe {
  path: DoctorPath;
  /** The URL asked. */
  url: string;
  ok: boolean;
  status?: number;
  /** The network error code (ECONNREFUSED, ENOTFOUND, TIMEOUT…) when no answer came. */
  code?: string;
  /** One line: the body's gist, a redirect target, or the error. */
  detail: string;
  /** A sign that something other than the server answered (HTML, a proxy header). */
  proxied?: boolean;
  ms: number;
}

/** Facts about where the extension runs, gathered by the caller (all optional). */
export interface DoctorEnvironment {
  platform?: NodeJS.Platform;
  /** WSL_DISTRO_NAME is set: the extension runs inside WSL. */
  wsl?: boolean;
  /** The Windows host as seen from WSL (the nameserver in /etc/resolv.conf). */
  wslHostAddress?: string;
  /** /.dockerenv exists, or REMOTE_CONTAINERS / CODESPACES is set. */
  container?: boolean;
  /** HTTP(S)_PROXY / http.proxy, and NO_PROXY / http.noProxy, as the extension host sees them. */
  proxy?: string;
  noProxy?: string;
  /** Who listens on the server's loopback port, when it is not this user (see listenerOwner). */
  foreignListener?: string;
}

export interface DoctorInput {
  host: ResolvedHost;
  environment?: DoctorEnvironment;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type Severity = 'ok' | 'problem' | 'warning';

export interface Finding {
  severity: Severity;
  /** What was seen, one sentence. */
  title: string;
  /** The one thing to do about it; plain text (notifications render no markdown). */
  fix?: string;
}

export interface DoctorResult {
  host: ResolvedHost;
  probes: Probe[];
  findings: Finding[];
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
    if (e instanceof Error && /redirect/i.test(e.message)) return 'REDIRECT';
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  }
  return error instanceof Error && error.name === 'TimeoutError' ? 'TIMEOUT' : undefined;
}

async function probe(base: string, path: DoctorPath, input: DoctorInput): Promise<Probe> {
  const url = `${base}${path}`;
  const started = Date.now();
  const doFetch = input.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      redirect: 'manual',
      headers: input.apiKey ? { Authorization: `Bearer ${input.apiKey}` } : {},
      signal: AbortSignal.timeout(input.timeoutMs ?? 4000),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    // An empty 403 is Ollama's own host check, whatever content type the server put on it.
    const proxied = (/text\/html/i.test(type) && text.trim() !== '') || response.headers.has('via') || response.headers.has('proxy-agent') || response.headers.has('x-squid-error');
    const location = response.headers.get('location');
    const detail = location ? `redirect to ${location}` : summarizeBody(text) || `${response.status} ${response.statusText}`;
    return { path, url, ok: response.ok, status: response.status, detail, proxied, ms: Date.now() - started };
  } catch (error) {
    const code = errorCode(error) ?? 'ERROR';
    return { path, url, ok: false, code, detail: error instanceof Error ? error.message : String(error), ms: Date.now() - started };
  }
}

/** Probes the server at `input.host`, and its origin too when the address has a path. */
export async function runDoctor(input: DoctorInput): Promise<DoctorResult> {
  const probes: Probe[] = [];
  for (const path of DOCTOR_PATHS) probes.push(await probe(input.host.url, path, input));
  const origin = new URL(input.host.url).origin;
  let atOrigin: Probe | undefined;
  if (origin !== input.host.url && !probes[0].ok) atOrigin = await probe(origin, '/api/version', input);
  return { host: input.host, probes, findings: diagnose(input.host, probes, input.environment ?? {}, atOrigin) };
}

function hostPort(url: string): { hostname: string; port: string; loopback: boolean } {
  const u = new URL(url);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  return { hostname, port: u.port || (u.protocol === 'https:' ? '443' : '80'), loopback: isLoopbackHost(u.hostname) };
}

function isPrivateAddress(hostname: string): boolean {
  if (isIP(hostname) === 4) return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(hostname);
  return /\.local$|\.lan$|\.home$|\.internal$/i.test(hostname) || /^f[cd][0-9a-f]{2}:/i.test(hostname);
}

function proxyCoversLoopback(env: DoctorEnvironment): boolean {
  if (!env.proxy) return false;
  const excluded = (env.noProxy ?? '').split(/[\s,]+/).map((s) => s.trim().toLowerCase());
  return !excluded.some((s) => s === '*' || s === 'localhost' || s === '127.0.0.1' || s === '::1' || s === '[::1]' || s.startsWith('127.'));
}

/** What failed to connect, and the one fix for this setup. */
function unreachableFinding(host: ResolvedHost, p: Probe, env: DoctorEnvironment): Finding {
  const { hostname, port, loopback } = hostPort(host.url);
  const where = `${hostname}:${port}`;
  if (p.code === 'ENOTFOUND' || p.code === 'EAI_AGAIN') {
    const fix =
      hostname === 'host.docker.internal' && !env.container
        ? 'host.docker.internal exists only inside a container; outside one, use http://127.0.0.1:11434.'
        : `Check the spelling of "${hostname}" in the Qwen Local: Ollama Host setting, or use the machine's IP address.`;
    return { severity: 'problem', title: `The name ${hostname} does not resolve.`, fix };
  }
  if (p.code === 'TIMEOUT' || p.code === 'ETIMEDOUT' || p.code === 'EHOSTUNREACH' || p.code === 'ENETUNREACH') {
    if (env.platform === 'darwin' && !loopback && isPrivateAddress(hostname)) {
      return {
        severity: 'problem',
        title: `No answer from ${where} on the local network.`,
        fix: 'macOS may be blocking VS Code from the local network: System Settings > Privacy & Security > Local Network, allow Visual Studio Code, then restart it.',
      };
    }
    return { severity: 'problem', title: `No answer from ${where}.`, fix: `A firewall on the way (or on that machine) drops connections to port ${port}; allow it, or check that the machine is up.` };
  }
  if (loopback && env.wsl) {
    const address = env.wslHostAddress ? `http://${env.wslHostAddress}:11434` : "the Windows host's address (the nameserver in /etc/resolv.conf), port 11434,";
    return {
      severity: 'problem',
      title: `Nothing listens at ${where} inside WSL.`,
      fix: `If Ollama runs on Windows, set Qwen Local: Ollama Host to ${address} and start Ollama on Windows with OLLAMA_HOST=0.0.0.0 (or turn on WSL's mirrored networking). Otherwise start it inside WSL with "ollama serve".`,
    };
  }
  if (loopback && env.container) {
    return {
      severity: 'problem',
      title: `Nothing listens at ${where} inside this container.`,
      fix: 'Inside a dev container, 127.0.0.1 is the container itself. Set Qwen Local: Ollama Host to http://host.docker.internal:11434 and start Ollama on the host with OLLAMA_HOST=0.0.0.0 (on Linux, add --add-host=host.docker.internal:host-gateway to the container).',
    };
  }
  if (loopback) {
    return {
      severity: 'problem',
      title: `Nothing listens at ${where}.`,
      fix: 'Start Ollama with "ollama serve" (or the desktop app). If it runs on another port or machine, set Qwen Local: Ollama Host to that address.',
    };
  }
  return {
    severity: 'problem',
    title: `${where} refuses connections.`,
    fix: `Ollama listens only on 127.0.0.1 unless told otherwise: on that machine set OLLAMA_HOST=0.0.0.0, restart Ollama, and allow port ${port} in its firewall.`,
  };
}

/** Turns the probes into findings: at most one fix per cause, the most telling first. Pure. */
export function diagnose(host: ResolvedHost, probes: Probe[], env: DoctorEnvironment, atOrigin?: Probe): Finding[] {
  const findings: Finding[] = [];
  const [version, tags, ps, v1] = DOCTOR_PATHS.map((path) => probes.find((p) => p.path === path));
  const { loopback } = hostPort(host.url);
  const path = new URL(host.url).pathname.replace(/\/+$/, '');

  if (host.source === 'env' && !loopback) {
    findings.push({
      severity: 'warning',
      title: `The server address ${host.url} comes from the OLLAMA_HOST environment variable (for example a dev container's containerEnv), not from your settings.`,
      fix: 'If you did not choose this server, set Qwen Local: Ollama Host in your user settings: your code is sent to it.',
    });
  }
  if (env.foreignListener && loopback) {
    findings.push({
      severity: 'warning',
      title: `The port is served by ${env.foreignListener}, not by you, root or the ollama service.`,
      fix: 'On a shared machine another user can read what you send there: run your own Ollama on another port (OLLAMA_HOST=127.0.0.1:PORT) and point Qwen Local: Ollama Host at it.',
    });
  }
  if (!version) return findings;

  const unreachable = probes.every((p) => p.code !== undefined && p.code !== 'REDIRECT');
  if (unreachable) {
    findings.push(unreachableFinding(host, version, env));
    if (loopback && proxyCoversLoopback(env)) {
      findings.push({ severity: 'warning', title: `A proxy is configured (${env.proxy}) and does not exclude localhost.`, fix: 'Add localhost,127.0.0.1 to NO_PROXY (and to VS Code\'s http.noProxy setting).' });
    }
    return findings;
  }
  if (version.status !== undefined && version.status >= 300 && version.status < 400) {
    findings.push({
      severity: 'problem',
      title: `${host.url} answers with a ${version.detail}.`,
      fix: 'Qwen Local does not follow redirects (they would carry your code elsewhere). If you trust the target, put it in Qwen Local: Ollama Host.',
    });
    return findings;
  }
  if (version.proxied && !version.ok) {
    const capture = loopback && proxyCoversLoopback(env);
    findings.push({
      severity: 'problem',
      title: `A web page answered instead of Ollama (${version.status}: ${version.detail}).`,
      fix: capture
        ? `The proxy ${env.proxy} captures localhost: add localhost,127.0.0.1 to NO_PROXY and to VS Code's http.noProxy setting.`
        : version.status === 401 || version.status === 403
          ? 'A proxy in front of Ollama wants credentials: set them with "Qwen Local: Set API Key for the Model Server", or ask whoever runs the proxy.'
          : 'Something other than Ollama answers at this address: check the port and any proxy in front of it.',
    });
    return findings;
  }
  if (version.status === 403 && /^(403 Forbidden|)$/.test(version.detail.trim())) {
    findings.push({
      severity: 'problem',
      title: 'Ollama refuses this host name (403 with no explanation).',
      fix: 'Ollama bound to loopback only accepts local host names. On the server set OLLAMA_HOST=0.0.0.0 (or make the proxy send "Host: localhost"); browser clients also need OLLAMA_ORIGINS.',
    });
    return findings;
  }
  if (version.status === 401 || version.status === 403) {
    findings.push({ severity: 'problem', title: `The server refuses the request (${version.status}: ${version.detail}).`, fix: 'Set the key with "Qwen Local: Set API Key for the Model Server".' });
    return findings;
  }
  if (version.status === 404) {
    if (path && atOrigin?.ok) {
      findings.push({
        severity: 'problem',
        title: `Ollama answers at ${new URL(host.url).origin}, not under ${path}.`,
        fix: `Remove "${path}" from Qwen Local: Ollama Host: Ollama's API is at the root (the /v1 path is for OpenAI-style clients).`,
      });
    } else if (v1?.ok) {
      findings.push({
        severity: 'problem',
        title: 'This is an OpenAI-compatible server (vLLM, llama.cpp, LM Studio…), not Ollama: /v1/models answers, /api/version does not.',
        fix: 'Point Qwen Local: Ollama Host at an Ollama server, or use the OpenAI-compatible backend for this one.',
      });
    } else {
      findings.push({ severity: 'problem', title: `${host.url} does not serve Ollama's API (404 "${version.detail}").`, fix: 'Check the port and path: Ollama listens on 11434 at the root.' });
    }
    return findings;
  }
  if (!version.ok) {
    findings.push({ severity: 'problem', title: `Ollama answered /api/version with ${version.status}: ${version.detail}.`, fix: "See Ollama's server log (ollama serve's output, or ~/.ollama/logs/server.log)." });
    return findings;
  }

  findings.push({ severity: 'ok', title: `Ollama ${versionOf(version.detail)} answers at ${host.url}.` });
  for (const p of [tags, ps]) {
    if (p && !p.ok) findings.push({ severity: 'problem', title: `${p.path} failed (${p.status ?? p.code}: ${p.detail}).`, fix: "See Ollama's server log; restarting Ollama usually clears it." });
  }
  if (tags?.ok && /"models"\s*:\s*\[\s*\]/.test(tags.detail)) {
    findings.push({ severity: 'warning', title: 'No model is installed yet.', fix: 'Run "Qwen Local: Pull Model", or accept the download Qwen Local offers.' });
  }
  if (v1 && !v1.ok) {
    // /v1/models exists since Ollama 0.1.24 (its OpenAI compatibility layer).
    const [major = 0, minor = 0, patch = 0] = versionOf(version.detail).split('.').map((n) => parseInt(n, 10) || 0);
    const old = major === 0 && (minor < 1 || (minor === 1 && patch < 24));
    findings.push({
      severity: 'warning',
      title: `The OpenAI-compatible API (/v1/models) is not available: ${old ? 'this Ollama is older than 0.1.24' : 'a proxy in front of Ollama may hide it'}.`,
      fix: "Not needed by Qwen Local's Ollama backend; only other tools use it.",
    });
  }
  return findings;
}

function versionOf(detail: string): string {
  return /"version"\s*:\s*"([^"]{1,40})"/.exec(detail)?.[1] ?? '';
}

/**
 * Who owns the socket listening on `port` on loopback, from /proc/net/tcp and tcp6 (Linux): the
 * uid when it is neither `myUid`, root, nor a system user named in `serviceUsers` (the ollama
 * service runs as "ollama"). `passwd` maps uid → name (/etc/passwd). Undefined when nothing to say.
 */
export function listenerOwner(procNetTcp: string, port: number, myUid: number, passwd: string, serviceUsers: readonly string[] = ['ollama']): string | undefined {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const names = new Map<number, string>();
  for (const line of passwd.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid)) names.set(Number(uid), name);
  }
  for (const line of procNetTcp.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid …
    if (cols.length < 8 || cols[3] !== '0A') continue;
    const [address, localPort] = cols[1].split(':');
    if (localPort !== portHex) continue;
    const loopbackOrAny = /^(0100007F|00000000|0{24}01000000|0{32}|0{31}1)$/i.test(address) || /^0+FFFF0000[0-9A-F]{6}7F$/i.test(address);
    if (!loopbackOrAny) continue;
    const uid = Number(cols[7]);
    const name = names.get(uid);
    if (uid === myUid || uid === 0 || (name && serviceUsers.includes(name))) return undefined;
    return name ? `user "${name}" (uid ${uid})` : `uid ${uid}`;
  }
  return undefined;
}

/** The doctor's result as a short markdown report (escaping is not needed: every text is ours or summarized). */
export function doctorReport(result: DoctorResult): string {
  const mark: Record<Severity, string> = { ok: '✓', problem: '✗', warning: '!' };
  const lines = ['# Qwen Local: connection doctor', '', `Server: ${result.host.url} (from ${result.host.source === 'env' ? 'OLLAMA_HOST' : result.host.source === 'setting' ? 'your setting' : 'the default'})`, ''];
  for (const f of result.findings) lines.push(`- ${mark[f.severity]} ${f.title}${f.fix ? ` **Fix:** ${f.fix}` : ''}`);
  lines.push('', '| Probe | Result | Time |', '| --- | --- | --- |');
  for (const p of result.probes) lines.push(`| ${p.path} | ${(p.status ?? p.code ?? '').toString()} ${p.detail.replace(/[|`<>[\]!]/g, ' ').slice(0, 80)} | ${p.ms} ms |`);
  return lines.join('\n');
}
