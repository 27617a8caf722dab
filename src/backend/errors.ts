// Typed failures of the model server and the sentence a person reads for each.
// Pure: classifies whatever the client threw without importing it.

export type BackendErrorKind =
  | 'unreachable' // nothing listens at the host, or the connection dropped
  | 'timeout' // connected, but no answer (or no first token) in time
  | 'modelNotFound' // 404: the model is not pulled
  | 'capability' // 400: e.g. "does not support insert"
  | 'unauthorized' // 401/403: the server (or a proxy before it) wants a key
  | 'busy' // 503: the server is overloaded
  | 'server' // 500, or an {"error"} line mid-stream
  | 'badResponse' // a malformed NDJSON line
  | 'aborted'; // we cancelled it ourselves

export interface BackendErrorContext {
  host: string;
  model?: string;
}

export class BackendError extends Error {
  constructor(
    readonly kind: BackendErrorKind,
    message: string,
    readonly context: BackendErrorContext,
    readonly status?: number,
    readonly detail?: string,
    /** How long the server asked callers to wait (its Retry-After header), for a busy answer. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof BackendError ? error.kind === 'aborted' : errorName(error) === 'AbortError';
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
}

function errorCode(error: unknown): string | undefined {
  // Node's fetch (undici) hides the socket error in `cause`.
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}

function errorStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status_code' in error && typeof error.status_code === 'number') {
    return error.status_code;
  }
  return undefined;
}

function causeMessages(error: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) out.push(e.message);
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  }
  return out;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** The sentence for a kind, naming the server and the model, and what to do. Plain text: notifications do not render markdown. */
export function describe(kind: BackendErrorKind, ctx: BackendErrorContext, detail?: string): string {
  const model = ctx.model ? `"${ctx.model}"` : 'the model';
  switch (kind) {
    case 'unreachable':
      return `Ollama is not running at ${ctx.host}. Start it with "ollama serve" (or check the Qwen Local: Ollama Host setting).`;
    case 'timeout':
      return `Ollama at ${ctx.host} did not answer in time${ctx.model ? ` for ${model}` : ''}. It may be loading a large model; try again, or pick a smaller model.`;
    case 'modelNotFound':
      return `Model ${model} is not installed on ${ctx.host}. Pull it with "ollama pull ${ctx.model ?? '<model>'}" or the "Qwen Local: Pull Model" command.`;
    case 'capability':
      return `Model ${model} on ${ctx.host} cannot do this: ${detail ?? 'unsupported request'}. Pick another model.`;
    case 'unauthorized':
      return `The server at ${ctx.host} refused the request (${detail ?? 'unauthorized'}). Set the key with "Qwen Local: Set API Key for the Model Server".`;
    case 'busy':
      return `Ollama at ${ctx.host} is busy (503). Wait a moment, or raise OLLAMA_NUM_PARALLEL / OLLAMA_MAX_QUEUE.`;
    case 'server':
      return `Ollama at ${ctx.host} failed${ctx.model ? ` running ${model}` : ''}: ${detail ?? 'internal error'}. See Ollama's server log.`;
    case 'badResponse':
      return `Ollama at ${ctx.host} sent a response Qwen Local could not read${detail ? ` (${detail})` : ''}. Is this really an Ollama server?`;
    case 'aborted':
      return 'Cancelled.';
  }
}

/** How a secret reads once it is taken out of a text. */
export const REDACTED = '[redacted]';
/** A run this long of a secret's characters counts as the secret (a server may echo part of it). */
const FRAGMENT = 12;

/**
 * The text without secrets, for anything that can reach a log, a notification or a stored chat
 * error: every "Bearer …" / "Basic …" credential a server echoed, and each given secret wherever it
 * appears — whole, URL- or JSON-escaped, or any run of 12 of its characters.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Credential-shaped words only: "Bearer token required" or "basic auth" stay readable.
  let out = text.replace(/\b(Bearer)(\s+)[^\s"',;]{6,}/gi, `$1$2${REDACTED}`).replace(/\b(Basic)(\s+)[A-Za-z0-9+/]{8,}={0,2}/g, `$1$2${REDACTED}`);
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join(REDACTED);
    out = redactFragments(out, secret);
  }
  return out;
}

function redactFragments(text: string, secret: string): string {
  if (secret.length < FRAGMENT || text.length < FRAGMENT) return text;
  const pieces = new Set<string>();
  for (let i = 0; i + FRAGMENT <= secret.length; i++) pieces.add(secret.slice(i, i + FRAGMENT));
  const hit = new Uint8Array(text.length);
  let any = false;
  for (let i = 0; i + FRAGMENT <= text.length; i++) {
    if (pieces.has(text.slice(i, i + FRAGMENT))) {
      hit.fill(1, i, i + FRAGMENT);
      any = true;
    }
  }
  if (!any) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!hit[i]) out += text[i];
    else if (i === 0 || !hit[i - 1]) out += REDACTED;
  }
  return out;
}

/** The same error with every secret taken out of its message, detail and stack. */
export function redactError(error: BackendError, secrets: readonly (string | undefined)[]): BackendError {
  const message = redact(error.message, secrets);
  const detail = error.detail === undefined ? undefined : redact(error.detail, secrets);
  if (message === error.message && detail === error.detail) return error;
  return new BackendError(error.kind, message, error.context, error.status, detail, error.retryAfterMs);
}

const MAX_BODY_TEXT = 300;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A response body as one short line: a proxy's or web server's HTML page becomes its title (or its
 * first words), never the page itself; any other text is collapsed to one line and capped.
 */
export function summarizeBody(text: string): string {
  const t = text.trim();
  if (/^<(!doctype|html|head|body|\?xml)|<\/(html|body|title|h1|center)>/i.test(t)) {
    const heading = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(t)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(t)?.[1];
    const words = (heading ?? t.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' '))
      .replace(/<[^>]*>/g, ' ')
      .replace(/&(nbsp|#160);/gi, ' ')
      .replace(/&[a-z]+;|&#\d+;/gi, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return words ? `an HTML page: "${clip(words, 80)}"` : 'an HTML page';
  }
  return clip(t.replace(/\s+/g, ' '), MAX_BODY_TEXT);
}

/**
 * A 404 from Ollama's own handlers always names the model ("model 'x' not found", "model \"x\" not
 * found, try pulling it first": server/routes.go GenerateHandler, ChatHandler, ShowHandler). An
 * unknown route gets gin's plain-text "404 page not found" (gin's default NoRoute body, which
 * routes.go GenerateRoutes does not replace) — a wrong path prefix, or a server that is not Ollama.
 */
function isModelNotFound(text: string): boolean {
  return /\bmodel\b.*\bnot found\b|try pulling/i.test(text);
}

/**
 * The empty-body 403 of Ollama's allowedHostsMiddleware (server/routes.go: `c.AbortWithStatus(
 * http.StatusForbidden)`): an Ollama bound to loopback received a Host header that is not local, as
 * behind a proxy that forwards the public name. The client's text is then only its own fallback.
 */
function isBareForbidden(text: string): boolean {
  return text.trim() === '' || /^Error 403: ?(Forbidden)?$/i.test(text.trim());
}

/** Maps anything the client or fetch threw to a BackendError; no text in it carries a credential. */
export function toBackendError(error: unknown, ctx: BackendErrorContext): BackendError {
  if (error instanceof BackendError) return error;
  const name = errorName(error);
  const raw = redact(error instanceof Error ? error.message : String(error));
  const make = (kind: BackendErrorKind, status?: number, detail?: string, message?: string) =>
    new BackendError(kind, message ?? describe(kind, ctx, detail), ctx, status, detail ?? raw);

  if (name === 'AbortError') return make('aborted');
  if (name === 'TimeoutError') return make('timeout');
  // `ResponseError` is not exported by the client: match on its name and status.
  const status = errorStatus(error);
  if (name === 'ResponseError' || status !== undefined) {
    // A JSON error whose `error` is an object (llama.cpp's server) reaches us as "[object Object]".
    const body = raw === '[object Object]' ? 'an error in a format Ollama does not use' : summarizeBody(raw);
    if (status === 404) {
      if (isModelNotFound(body)) return make('modelNotFound', status, body);
      return make(
        'badResponse',
        status,
        body,
        `The server at ${ctx.host} does not know Ollama's API (404 "${clip(body, 80)}"). Check the address in the Qwen Local: Ollama Host setting: no extra path (such as /v1 or /api) unless a proxy needs one, and a server that really is Ollama (not vLLM, llama.cpp or another service).`,
      );
    }
    if (status === 403 && isBareForbidden(raw)) {
      return make(
        'server',
        status,
        '403 Forbidden with no explanation',
        `Ollama at ${ctx.host} refuses requests under this host name (403 with no explanation): it listens on loopback only and was reached through a proxy or another name. On the server, set OLLAMA_HOST=0.0.0.0 (or make the proxy send "Host: localhost"); for browser-based clients, add the origin to OLLAMA_ORIGINS. An API key does not help here.`,
      );
    }
    if (status === 401 || status === 403) return make('unauthorized', status, `${status}: ${body}`);
    if (status === 503) return make('busy', status, body);
    if (status === 400 && /does not support|not support/i.test(raw)) return make('capability', status, body);
    if (status !== undefined && status >= 500) return make('server', status, body);
    // An {"error"} line in a 200 stream surfaces as a ResponseError without a useful status.
    return make('server', status, body);
  }
  const code = errorCode(error);
  if (code && UNREACHABLE_CODES.has(code)) return make('unreachable', undefined, code);
  if (name === 'SyntaxError') return make('badResponse', undefined, clip(raw, MAX_BODY_TEXT));
  // A refused redirect (undici: "fetch failed", cause "unexpected redirect"): ollama.ts sends every
  // request with `redirect: 'error'`, so the body and the key never follow it to another address.
  if (error instanceof TypeError && causeMessages(error).some((m) => /redirect/i.test(m))) {
    return make(
      'badResponse',
      undefined,
      'redirect refused',
      `The server at ${ctx.host} answered with a redirect, which Qwen Local does not follow (it would carry your code and key to another address). If you trust where it points, put that address in the Qwen Local: Ollama Host setting.`,
    );
  }
  if (error instanceof TypeError && /fetch failed|terminated|network/i.test(raw)) return make('unreachable', undefined, raw);
  return make('server', undefined, clip(raw, MAX_BODY_TEXT));
}
