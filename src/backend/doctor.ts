// The connection doctor: probes the model server the way Qwen Local uses it and turns each failure
// into one concrete fix. Pure apart from `fetch` (injected; no `vscode`): the command that shows the
// result gathers the environment facts and passes them in.
//
// Probes: /api/version (is it Ollama, which version), /api/tags (installed models), /api/ps (loaded
// models), /v1/models (the OpenAI-compatible API). A team server (kind "openai") is probed and
// advised by doctorTeam.ts instead. Never a body, never the user's code; the key only
// if the caller passes the one bound to this origin (keys.ts). Redirects are reported, not followed.

import { diagnoseTeamServer } from './doctorTeam';
import { DOCTOR_PATHS, hostPort, proxyCoversLoopback, unreachableFinding, type DoctorEnvironment, type DoctorPath, type DoctorServer, type Finding, type Probe, type Severity } from './doctorNetwork';
import { summarizeBody } from './errors';
import type { ResolvedHost } from './host';
import { parseServerUrl } from './probe';

export { DOCTOR_PATHS } from './doctorNetwork';
export type { DoctorEnvironment, DoctorPath, Finding, Probe, Severity } from './doctorNetwork';

export interface DoctorInput {
  host: ResolvedHost;
  /** An OpenAI-compatible team server is probed and advised in its own terms (doctorTeam.ts). */
  kind?: DoctorServer;
  environment?: DoctorEnvironment;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
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
  if (input.kind === 'openai') {
    const parsed = parseServerUrl(input.host.url);
    if (typeof parsed === 'string') return { host: input.host, probes: [], findings: [{ severity: 'problem', title: parsed }] };
    // The API under /v1, and /api/version at the root only to tell an Ollama behind this address.
    const probes = [await probe(parsed.root, '/v1/models', input), await probe(parsed.root, '/api/version', input)];
    return { host: input.host, probes, findings: diagnoseTeamServer(input.host, probes, input.environment ?? {}, input.apiKey !== undefined) };
  }
  const probes: Probe[] = [];
  for (const path of DOCTOR_PATHS) probes.push(await probe(input.host.url, path, input));
  const origin = new URL(input.host.url).origin;
  let atOrigin: Probe | undefined;
  if (origin !== input.host.url && !probes[0].ok) atOrigin = await probe(origin, '/api/version', input);
  return { host: input.host, probes, findings: diagnose(input.host, probes, input.environment ?? {}, atOrigin) };
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
