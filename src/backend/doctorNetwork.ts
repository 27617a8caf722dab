// The connection doctor's shared parts: what a probe found, the facts of the machine, and the
// finding for a server that cannot be reached (worded for Ollama or for an OpenAI-compatible team
// server). Pure.

import { isIP } from 'node:net';
import { isLoopbackHost, type ResolvedHost } from './host';

/** Which kind of server the doctor talks to (its settings, its words). */
export type DoctorServer = 'ollama' | 'openai';

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

export type Severity = 'ok' | 'problem' | 'warning';

export interface Finding {
  severity: Severity;
  /** What was seen, one sentence. */
  title: string;
  /** The one thing to do about it; plain text (notifications render no markdown). */
  fix?: string;
}

export function hostPort(url: string): { hostname: string; port: string; loopback: boolean } {
  const u = new URL(url);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  return { hostname, port: u.port || (u.protocol === 'https:' ? '443' : '80'), loopback: isLoopbackHost(u.hostname) };
}

function isPrivateAddress(hostname: string): boolean {
  if (isIP(hostname) === 4) return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(hostname);
  return /\.local$|\.lan$|\.home$|\.internal$/i.test(hostname) || /^f[cd][0-9a-f]{2}:/i.test(hostname);
}

export function proxyCoversLoopback(env: DoctorEnvironment): boolean {
  if (!env.proxy) return false;
  const excluded = (env.noProxy ?? '').split(/[\s,]+/).map((s) => s.trim().toLowerCase());
  return !excluded.some((s) => s === '*' || s === 'localhost' || s === '127.0.0.1' || s === '::1' || s === '[::1]' || s.startsWith('127.'));
}

/** Where the server address is set, for fixes that say to change it. */
export function addressSetting(server: DoctorServer): string {
  return server === 'openai' ? 'the Qwen Local server URL setting (qwenLocal.server.url)' : 'Qwen Local: Ollama Host';
}

/** What failed to connect, and the one fix for this setup and kind of server. */
export function unreachableFinding(host: ResolvedHost, p: Probe, env: DoctorEnvironment, server: DoctorServer = 'ollama'): Finding {
  const { hostname, port, loopback } = hostPort(host.url);
  const where = `${hostname}:${port}`;
  const team = server === 'openai';
  const setting = addressSetting(server);
  if (p.code === 'ENOTFOUND' || p.code === 'EAI_AGAIN') {
    const fix =
      hostname === 'host.docker.internal' && !env.container
        ? `host.docker.internal exists only inside a container; outside one, use http://127.0.0.1:${team ? port : '11434'}.`
        : `Check the spelling of "${hostname}" in ${team ? setting : 'the Qwen Local: Ollama Host setting'}, or use the machine's IP address.`;
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
    // Ollama on Windows listens on its own default port, whatever this address says.
    const windowsPort = team ? port : '11434';
    const address = env.wslHostAddress ? `http://${env.wslHostAddress}:${windowsPort}` : `the Windows host's address (the nameserver in /etc/resolv.conf), port ${windowsPort},`;
    return {
      severity: 'problem',
      title: `Nothing listens at ${where} inside WSL.`,
      fix: team
        ? `If the server runs on Windows, set ${setting} to ${address} and have it listen on 0.0.0.0 (or turn on WSL's mirrored networking). Otherwise start it inside WSL.`
        : `If Ollama runs on Windows, set ${setting} to ${address} and start Ollama on Windows with OLLAMA_HOST=0.0.0.0 (or turn on WSL's mirrored networking). Otherwise start it inside WSL with "ollama serve".`,
    };
  }
  if (loopback && env.container) {
    return {
      severity: 'problem',
      title: `Nothing listens at ${where} inside this container.`,
      fix: team
        ? `Inside a dev container, 127.0.0.1 is the container itself. Set ${setting} to http://host.docker.internal:${port} and have the server on the host listen on 0.0.0.0 (on Linux, add --add-host=host.docker.internal:host-gateway to the container).`
        : `Inside a dev container, 127.0.0.1 is the container itself. Set ${setting} to http://host.docker.internal:11434 and start Ollama on the host with OLLAMA_HOST=0.0.0.0 (on Linux, add --add-host=host.docker.internal:host-gateway to the container).`,
    };
  }
  if (loopback) {
    return {
      severity: 'problem',
      title: `Nothing listens at ${where}.`,
      fix: team
        ? `Start the model server (for example "vllm serve Qwen/Qwen2.5-Coder-7B", "llama-server -m <model>.gguf --port ${port}", or LM Studio's local server). If it runs on another port or machine, set ${setting} to that address.`
        : `Start Ollama with "ollama serve" (or the desktop app). If it runs on another port or machine, set ${setting} to that address.`,
    };
  }
  return {
    severity: 'problem',
    title: `${where} refuses connections.`,
    fix: team
      ? `The server may listen on 127.0.0.1 only: start it with --host 0.0.0.0 (vLLM, llama-server; LM Studio: "Serve on Local Network"), and allow port ${port} in that machine's firewall.`
      : `Ollama listens only on 127.0.0.1 unless told otherwise: on that machine set OLLAMA_HOST=0.0.0.0, restart Ollama, and allow port ${port} in its firewall.`,
  };
}
