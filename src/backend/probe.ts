// Which kind of model server is at a URL: `auto` asks `GET /api/version` (Ollama) and then
// `GET /v1/models` (OpenAI-compatible: vLLM, SGLang, llama-server, LM Studio), and says what it
// found as one sentence for the log and the status tooltip. Ollama is asked first because it also
// serves /v1/models (its OpenAI compatibility layer), and its own API is the better one to use.
// Pure: the caller injects fetch (or the global one is used); nothing here imports a client.

export type ServerKind = 'auto' | 'ollama' | 'openai';

/** What a probe found. `kind` is undefined when the server is neither (or did not answer). */
export interface ProbeResult {
  kind: 'ollama' | 'openai' | undefined;
  /** The server root, without a trailing `/v1` (what the backends take as host). */
  root: string;
  /** Ollama's version, or the OpenAI-compatible engine ("vLLM", "llama.cpp", "LM Studio", …). */
  engine?: string;
  /** Ollama only: what /api/version said ("0.13.0"); `ollamaFeatures` reads what it implies. */
  version?: string;
  /** Model ids the server listed (OpenAI-compatible servers list them in the same answer). */
  models?: string[];
  /** The server wants an API key (401/403 on /v1/models). */
  needsKey?: boolean;
  /** One sentence: what was found, or what is wrong and what to do. */
  summary: string;
}

export interface ServerUrl {
  /** "https://team-gpu.example:8000" or, behind a path prefix, "https://gpu.example/llm". */
  root: string;
  /** The OpenAI base URL: root + "/v1". */
  apiBase: string;
  /** "team-gpu.example:8000": how messages name the server. */
  label: string;
}

/**
 * Reads a server URL as a person types it: with or without `/v1`, with trailing slashes, without a
 * scheme. Returns a sentence instead when it cannot be a server URL.
 */
export function parseServerUrl(input: string): ServerUrl | string {
  const text = input.trim();
  if (!text) return 'The server URL is empty. Enter an address such as http://team-gpu.example:8000.';
  if (/\s/.test(text)) return `The server URL "${text}" contains spaces. Enter an address such as http://team-gpu.example:8000.`;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `"${text}" is not a valid URL. Enter an address such as http://team-gpu.example:8000.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `The server URL must start with http:// or https:// (got ${url.protocol}//).`;
  if (url.username || url.password) return 'Put the API key in "Qwen Local: Set API Key for the Model Server", not in the server URL.';
  if (url.search || url.hash) return `The server URL should not have a query or fragment ("${url.search}${url.hash}").`;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '');
  const root = `${url.protocol}//${url.host}${path}`;
  return { root, apiBase: `${root}/v1`, label: url.host };
}

interface Answer {
  status: number;
  json?: unknown;
}

async function get(fetcher: typeof fetch, url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Answer | Error> {
  try {
    const res = await fetcher(url, { headers, redirect: 'error', ...(signal ? { signal } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** "fetch failed" says nothing: name the socket or TLS code underneath. */
function reason(e: Error): string {
  for (let c: unknown = e, depth = 0; c && depth < 5; depth++) {
    if (typeof c === 'object' && c !== null && 'code' in c && typeof c.code === 'string') return c.code;
    c = typeof c === 'object' && c !== null && 'cause' in c ? c.cause : undefined;
  }
  return e.message;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The engine behind /v1/models, from `owned_by` of its first model. */
export function engineOf(ownedBy: string | undefined): string {
  switch ((ownedBy ?? '').toLowerCase()) {
    case 'vllm':
      return 'vLLM';
    case 'llamacpp':
      return 'llama.cpp';
    case 'sglang':
      return 'SGLang';
    case 'organization_owner':
      return 'LM Studio';
    default:
      return 'an OpenAI-compatible server';
  }
}

/**
 * How messages and the status name the server in use: "vLLM at https://gpu:8000", "llama.cpp server
 * at …", "Ollama at …"; without a known engine, "The model server at …".
 */
export function serverName(kind: 'ollama' | 'openai' | undefined, engine: string | undefined, host: string): string {
  if (kind === 'ollama') return `Ollama at ${host}`;
  if (kind === 'openai' && engine && !engine.startsWith('an ')) return `${engine === 'llama.cpp' ? 'llama.cpp server' : engine} at ${host}`;
  return kind === 'openai' ? `The OpenAI-compatible server at ${host}` : `The model server at ${host}`;
}

export interface ProbeOptions {
  kind: ServerKind;
  url: string;
  apiKey?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Asks the server what it is. Never throws: an unreachable or odd server gives a summary that says so. */
export async function probeServer(options: ProbeOptions): Promise<ProbeResult> {
  const parsed = parseServerUrl(options.url);
  if (typeof parsed === 'string') return { kind: undefined, root: options.url, summary: parsed };
  const fetcher = options.fetch ?? fetch;
  const headers: Record<string, string> = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};
  const where = parsed.label;
  let lastError: Error | undefined;
  /** /api/version wanted a key too: a proxy in front of everything, so the kind stays unknown. */
  let ollamaLocked: number | undefined;

  if (options.kind !== 'openai') {
    const v = await get(fetcher, `${parsed.root}/api/version`, headers, options.signal);
    if (!(v instanceof Error) && v.status === 200 && isRecord(v.json) && typeof v.json.version === 'string') {
      const version = v.json.version;
      const notes = olderOllamaNotes(version);
      return { kind: 'ollama', root: parsed.root, engine: `Ollama ${version}`, version, summary: `Found Ollama ${version} at ${where}.${notes ? ` ${notes}` : ''}` };
    }
    if (v instanceof Error) lastError = v;
    else if (v.status === 401 || v.status === 403) ollamaLocked = v.status;
    if (options.kind === 'ollama' && ollamaLocked !== undefined) {
      const what = options.apiKey ? 'refused the API key' : 'needs an API key';
      return { kind: 'ollama', root: parsed.root, needsKey: true, summary: `The server at ${where} ${what} (${ollamaLocked}). Set it with "Qwen Local: Set API Key for the Model Server".` };
    }
    if (options.kind === 'ollama') {
      const why = v instanceof Error ? `it did not answer (${reason(v)})` : `GET /api/version answered ${v.status}`;
      return { kind: undefined, root: parsed.root, summary: `No Ollama at ${where}: ${why}. Start it with \`ollama serve\`, or set the server kind to "openai" for vLLM, llama.cpp or LM Studio.` };
    }
  }

  const m = await get(fetcher, `${parsed.apiBase}/models`, headers, options.signal);
  if (!(m instanceof Error)) {
    if ((m.status === 401 || m.status === 403) && ollamaLocked === undefined) {
      const what = options.apiKey ? 'refused the API key' : 'needs an API key';
      return { kind: 'openai', root: parsed.root, needsKey: true, summary: `Found an OpenAI-compatible server at ${where}, but it ${what} (${m.status}). Set it with "Qwen Local: Set API Key for the Model Server".` };
    }
    const data = isRecord(m.json) && Array.isArray(m.json.data) ? m.json.data.filter(isRecord) : undefined;
    if (m.status === 200 && data) {
      const models = data.map((d) => d.id).filter((id): id is string => typeof id === 'string');
      const engine = engineOf(typeof data[0]?.owned_by === 'string' ? data[0].owned_by : undefined);
      const list = models.length ? `serving ${models.join(', ')}` : 'serving no models yet';
      return { kind: 'openai', root: parsed.root, engine, models, summary: `Found ${engine} at ${where}, ${list}.` };
    }
  } else {
    lastError = m;
  }
  if (ollamaLocked !== undefined) {
    const what = options.apiKey ? 'refused the API key' : 'needs an API key';
    return { kind: undefined, root: parsed.root, needsKey: true, summary: `The server at ${where} ${what} (${ollamaLocked}) before it says whether it is Ollama or OpenAI-compatible. Set it with "Qwen Local: Set API Key for the Model Server", or set the server kind.` };
  }
  const why = m instanceof Error ? `nothing answered (${reason(lastError ?? m)})` : `it answered ${m.status} to GET /v1/models`;
  const tried = options.kind === 'openai' ? 'GET /v1/models' : 'GET /api/version and GET /v1/models';
  return {
    kind: undefined,
    root: parsed.root,
    summary: `No model server found at ${where}: ${why} (tried ${tried}). Check the URL and that Ollama, vLLM or llama-server is running there.`,
  };
}

// ---- what an Ollama version implies ---------------------------------------------------------
// Checked against Ollama's source at the tags named (git show <tag>:<file>); where a change landed
// only in release candidates (v0.9.7-rc*), the first release that has it is named.

export interface OllamaFeatures {
  /** /api/ps lists `context_length` (api/types.go ProcessModelResponse): from v0.10.0. */
  psContextLength: boolean;
  /**
   * An error before the first token is an HTTP status with a JSON body (routes.go streamResponse,
   * `!c.Writer.Written()`): from v0.12.6. Before: 200, then an `{"error"}` line. ollama.ts reads
   * both the same way, so nothing branches on it.
   */
  errorStatusBeforeFirstToken: boolean;
  /**
   * A streamed chat with tools streams its content (routes.go ChatHandler, tools.Parser): from
   * v0.8.0. Before, the content came whole with the final chunk: no first token until the end.
   */
  streamsContentWithTools: boolean;
  /**
   * OLLAMA_NUM_PARALLEL defaults to 1 (envconfig/config.go): from v0.10.0. Before it was automatic
   * (up to 4), and a model held num_ctx × 4 of KV cache in GPU memory.
   */
  oneSlotByDefault: boolean;
}

/** What a version implies; an unknown or unreadable version counts as current. */
export function ollamaFeatures(version: string | undefined): OllamaFeatures {
  const at = (min: string) => version === undefined || !/^v?\d/.test(version) || versionAtLeast(version, min);
  return {
    psContextLength: at('0.10.0'),
    errorStatusBeforeFirstToken: at('0.12.6'),
    streamsContentWithTools: at('0.8.0'),
    oneSlotByDefault: at('0.10.0'),
  };
}

/** "0.9.7" ≥ "0.9.10"? Numeric, part by part; a pre-release suffix ("-rc1") is ignored. */
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string) => v.replace(/^v/, '').split('-')[0]!.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** For the log: how Qwen Local adapts to an older Ollama, or '' for a current one. */
export function olderOllamaNotes(version: string): string {
  const f = ollamaFeatures(version);
  const notes: string[] = [];
  if (!f.oneSlotByDefault) notes.push('it serves up to 4 requests at once per model unless OLLAMA_NUM_PARALLEL is set, which takes GPU memory');
  if (!f.psContextLength) notes.push('its /api/ps does not say with which context a model is loaded');
  if (!f.streamsContentWithTools) notes.push('chat answers that may call tools arrive whole at the end, so their first-token limit is the whole-answer limit');
  return notes.length ? `Older than 0.10: ${notes.join('; ')}.` : '';
}
