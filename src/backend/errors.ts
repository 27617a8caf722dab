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

/** The sentence for a kind, naming the server and the model, and what to do. */
export function describe(kind: BackendErrorKind, ctx: BackendErrorContext, detail?: string): string {
  const model = ctx.model ? `"${ctx.model}"` : 'the model';
  switch (kind) {
    case 'unreachable':
      return `Ollama is not running at ${ctx.host} — start it with \`ollama serve\` (or check the qwenLocal.ollamaHost setting).`;
    case 'timeout':
      return `Ollama at ${ctx.host} did not answer in time${ctx.model ? ` for ${model}` : ''}. It may be loading a large model; try again, or pick a smaller model.`;
    case 'modelNotFound':
      return `Model ${model} is not installed on ${ctx.host}. Pull it with \`ollama pull ${ctx.model ?? '<model>'}\` or the "Qwen Local: Pull Model" command.`;
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

/** Maps anything the client or fetch threw to a BackendError. */
export function toBackendError(error: unknown, ctx: BackendErrorContext): BackendError {
  if (error instanceof BackendError) return error;
  const name = errorName(error);
  const raw = error instanceof Error ? error.message : String(error);
  const make = (kind: BackendErrorKind, status?: number, detail?: string) =>
    new BackendError(kind, describe(kind, ctx, detail), ctx, status, detail ?? raw);

  if (name === 'AbortError') return make('aborted');
  if (name === 'TimeoutError') return make('timeout');
  // `ResponseError` is not exported by the client: match on its name and status.
  const status = errorStatus(error);
  if (name === 'ResponseError' || status !== undefined) {
    if (status === 404) return make('modelNotFound', status, raw);
    if (status === 401 || status === 403) return make('unauthorized', status, raw);
    if (status === 503) return make('busy', status, raw);
    if (status === 400 && /does not support|not support/i.test(raw)) return make('capability', status, raw);
    if (status !== undefined && status >= 500) return make('server', status, raw);
    // An {"error"} line in a 200 stream surfaces as a ResponseError without a useful status.
    return make('server', status, raw);
  }
  const code = errorCode(error);
  if (code && UNREACHABLE_CODES.has(code)) return make('unreachable', undefined, code);
  if (name === 'SyntaxError') return make('badResponse', undefined, raw);
  if (error instanceof TypeError && /fetch failed|terminated|network/i.test(raw)) return make('unreachable', undefined, raw);
  return make('server', undefined, raw);
}
