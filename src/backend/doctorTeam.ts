// The connection doctor for an OpenAI-compatible team server (vLLM, SGLang, llama.cpp's server, LM
// Studio): its findings are about /v1/models and the server URL setting, never about Ollama.
// Probes: /v1/models (the API Qwen Local uses, with the key bound to this origin) and /api/version
// at the root (only to recognise an Ollama at this address). Pure.

import { addressSetting, hostPort, proxyCoversLoopback, unreachableFinding, type DoctorEnvironment, type Finding, type Probe } from './doctorNetwork';
import type { ResolvedHost } from './host';

const SETTING = addressSetting('openai');
const SET_KEY = 'Set it with "Qwen Local: Set API Key for the Model Server" (it is sent only to this server).';

/** Model ids in a /v1/models body's gist ("id": "Qwen/…"). */
function modelIds(detail: string): string[] {
  return [...detail.matchAll(/"id"\s*:\s*"([^"]{1,200})"/g)].map((m) => m[1] as string);
}

/** Turns the team server's probes into findings, the most telling first. `keySent`: an API key went with them. */
export function diagnoseTeamServer(host: ResolvedHost, probes: readonly Probe[], env: DoctorEnvironment, keySent: boolean): Finding[] {
  const v1 = probes.find((p) => p.path === '/v1/models');
  const version = probes.find((p) => p.path === '/api/version');
  if (!v1) return [];
  const findings: Finding[] = [];
  const { loopback } = hostPort(host.url);

  if (v1.code !== undefined && v1.code !== 'REDIRECT') {
    findings.push(unreachableFinding(host, v1, env, 'openai'));
    if (loopback && proxyCoversLoopback(env)) {
      findings.push({ severity: 'warning', title: `A proxy is configured (${env.proxy}) and does not exclude localhost.`, fix: "Add localhost,127.0.0.1 to NO_PROXY (and to VS Code's http.noProxy setting)." });
    }
    return findings;
  }
  if (v1.code === 'REDIRECT' || (v1.status !== undefined && v1.status >= 300 && v1.status < 400)) {
    findings.push({ severity: 'problem', title: `${v1.url} answers with a ${v1.detail}.`, fix: `Qwen Local does not follow redirects (they would carry your code elsewhere). If you trust the target, put it in ${SETTING}.` });
    return findings;
  }
  if (v1.status === 401 || v1.status === 403) {
    findings.push({
      severity: 'problem',
      title: keySent ? `The server refuses the API key (${v1.status}: ${v1.detail}).` : `The server needs an API key (${v1.status}: ${v1.detail}).`,
      fix: keySent ? `The key may be wrong or revoked. ${SET_KEY}` : SET_KEY,
    });
    return findings;
  }
  if (v1.proxied && !v1.ok) {
    findings.push({ severity: 'problem', title: `A web page answered instead of the model server (${v1.status}: ${v1.detail}).`, fix: 'Something other than the server answers at this address: check the port and any proxy in front of it.' });
    return findings;
  }
  if (v1.status === 404) {
    findings.push(
      version?.ok
        ? { severity: 'problem', title: `This is Ollama (it answers /api/version), and it has no /v1/models: an Ollama older than 0.1.24, or a proxy that hides it.`, fix: 'Set qwenLocal.server.kind to "auto" or "ollama" so that Qwen Local uses Ollama\'s own API.' }
        : { severity: 'problem', title: `No OpenAI-compatible API at ${v1.url} (404).`, fix: `Check the port and path in ${SETTING}: the API is under /v1 (vLLM listens on 8000, llama-server on 8080, LM Studio on 1234).` },
    );
    return findings;
  }
  if (!v1.ok) {
    findings.push({ severity: 'problem', title: `The server answered /v1/models with ${v1.status}: ${v1.detail}.`, fix: "See the server's log." });
    return findings;
  }
  const ids = modelIds(v1.detail);
  findings.push({ severity: 'ok', title: `An OpenAI-compatible server answers at ${v1.url.replace(/\/models$/, '')}${ids.length ? `, serving ${ids.join(', ')}` : ''}.` });
  if (ids.length === 0 && /"data"\s*:\s*\[\s*\]/.test(v1.detail)) {
    findings.push({ severity: 'warning', title: 'It lists no model.', fix: 'Start the server with a model (for example "vllm serve Qwen/Qwen2.5-Coder-7B"), then pick it with "Qwen Local: Select Completion Model".' });
  }
  return findings;
}
