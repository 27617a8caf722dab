// What went wrong talking to an OpenAI-compatible server (vLLM, SGLang, llama-server, LM Studio),
// as the existing typed errors with a sentence that names the server and says what to do.
// Pure: openai.ts turns the client's errors into a `ServerFailure`; this file never imports `openai`.

import { BackendError, type BackendErrorContext, type BackendErrorKind } from './errors';
import type { ContextOverflow } from './openaiShrink';

/** The facts of one failure, taken from the client's error (or a mid-stream error event). */
export interface ServerFailure {
  /** HTTP status, when the server answered. */
  status?: number;
  /** The server's message: `error.message` of the body, the flat vLLM `message`, or the raw body. */
  message: string;
  /** The body's error `type` ("BadRequestError", "exceed_context_size_error", …). */
  type?: string;
  /** The connection failed (refused, reset, TLS, redirect); `cause` holds the socket error. */
  connection?: boolean;
  timeout?: boolean;
  aborted?: boolean;
  cause?: unknown;
  /** The response's Retry-After, in ms (busy.ts `parseRetryAfter`). */
  retryAfterMs?: number;
}

export interface OpenAIErrorContext extends BackendErrorContext {
  /** An API key was sent (401 then means "wrong key", not "missing key"). */
  keySent?: boolean;
  /** How messages name the server once its engine is known ("vLLM at https://gpu:8000"); else "The server at …". */
  server?: string;
  /** What the server serves, for a 404 about the model. */
  servedModels?: readonly string[];
}

/** `detail` of a BackendError for a prompt longer than the model's context: shrink and retry once. */
export const CONTEXT_TOO_LONG = 'context too long';

/** The error for a prompt that did not fit even after the shortened retry: what a person can do. */
export function stillTooLong(first: BackendError, overflow: ContextOverflow | undefined): BackendError {
  const model = first.context.model ? `"${first.context.model}"` : 'the model';
  const limit = overflow?.limit ? ` (${overflow.limit} tokens)` : '';
  return new BackendError(
    'capability',
    `The request is too long for ${model} on ${first.context.host}${limit}, even after Qwen Local shortened it once. Select less code, start a new chat, or give the model a larger context on the server (vLLM --max-model-len, llama-server --ctx-size).`,
    first.context,
    first.status,
    STILL_TOO_LONG,
  );
}

/** `detail` of the error once the shortened retry did not fit either: not retried again. */
export const STILL_TOO_LONG = 'still too long after shortening';

/**
 * The error is "prompt too long for the model's context": the context size and the prompt's size
 * when the server said them (undefined fields left out).
 */
export function contextTooLong(error: unknown): ContextOverflow | undefined {
  if (!(error instanceof BackendError) || !error.detail?.startsWith(CONTEXT_TOO_LONG)) return undefined;
  const limit = /length is (\d+) tokens/.exec(error.detail)?.[1];
  const prompt = /prompt has (\d+) tokens/.exec(error.detail)?.[1];
  return { ...(limit ? { limit: Number(limit) } : {}), ...(prompt ? { promptTokens: Number(prompt) } : {}) };
}

/**
 * The sizes in a server's "does not fit" message:
 * - vLLM (entrypoints/renderer.py, serving_engine.py _validate_input): "This model's maximum context
 *   length is N tokens. However, your request has M input tokens." / "'max_tokens' … is too large: X.
 *   This model's maximum context length is N tokens and your request has M input tokens (…)"; before
 *   0.9: "However, you requested T tokens (M in the messages, C in the completion)".
 * - llama-server (tools/server/server-context.cpp): "request (M tokens) exceeds the available context
 *   size (N tokens), try increasing it"; builds before it: "the request exceeds the available context size".
 * Undefined when the message is not about the context.
 */
export function parseContextOverflow(message: string, type = ''): ContextOverflow | undefined {
  const limit = /maximum context length is (\d+)/i.exec(message)?.[1] ?? /available context size \((\d+) tokens\)/i.exec(message)?.[1];
  const prompt = /request has (\d+) input tokens/i.exec(message)?.[1] ?? /\((\d+) in the messages/i.exec(message)?.[1] ?? /request \((\d+) tokens\) exceeds/i.exec(message)?.[1];
  if (!limit && !/context (size|length|window)|exceed_context|too long/i.test(`${message} ${type}`)) return undefined;
  return { ...(limit ? { limit: Number(limit) } : {}), ...(prompt ? { promptTokens: Number(prompt) } : {}) };
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT']);

/** Node's TLS verification codes and what each means for the person fixing it. */
const TLS_PROBLEMS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA this machine does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it uses a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by a CA this machine does not know',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by a CA this machine does not know',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate is signed by a CA this machine does not know',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check the clocks)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak HTTPS on this port (try http://)',
};

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') codes.push(e.code);
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  }
  return codes;
}

function causeMessages(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (e instanceof Error) parts.push(e.message);
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  }
  return parts.join(' / ');
}

/** A proxy's or gateway's HTML page in one line: its title or first heading, without tags. */
export function summarizeHtml(body: string): string | undefined {
  if (!/<\s*(html|!doctype|head|body|title|h1)\b/i.test(body)) return undefined;
  const pick = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1] ?? body;
  const text = pick.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 100 ? `${text.slice(0, 100)}…` : text || 'an HTML page';
}

/** The sentence a person reads for a failure, naming the server and the model. */
export function toOpenAIBackendError(f: ServerFailure, ctx: OpenAIErrorContext): BackendError {
  const host = ctx.host;
  const server = ctx.server ?? `The server at ${host}`;
  const model = ctx.model ? `"${ctx.model}"` : 'the model';
  const base: BackendErrorContext = ctx.model === undefined ? { host } : { host, model: ctx.model };
  const make = (kind: BackendErrorKind, message: string, detail = f.message) => new BackendError(kind, message, base, f.status, detail);
  const setKey = 'Set it with "Qwen Local: Set API Key for the Model Server".';

  if (f.aborted) return make('aborted', 'Cancelled.');
  if (f.timeout) return make('timeout', `${server} did not answer in time${ctx.model ? ` for ${model}` : ''}. It may be busy or still loading; try again.`);
  if (f.connection || f.status === undefined) {
    const codes = causeCodes(f.cause);
    const tls = codes.map((c) => TLS_PROBLEMS[c]).find((p) => p !== undefined);
    if (tls) {
      return make(
        'unreachable',
        `Qwen Local does not trust the HTTPS certificate of ${host}: ${tls}. Add your team's CA certificate (a PEM file) with the setting qwenLocal.server.caFile (or the NODE_EXTRA_CA_CERTS environment variable), or fix the certificate on the server.`,
        codes.join(', '),
      );
    }
    const all = causeMessages(f.cause);
    if (/redirect/i.test(all)) {
      return make('unreachable', `${server} answered with a redirect, which Qwen Local never follows (it could send your code elsewhere). Use the final address as the server URL.`, all);
    }
    if (codes.some((c) => UNREACHABLE_CODES.has(c)) || f.connection) {
      return make('unreachable', `Nothing answers at ${host}. Is the model server running (e.g. \`vllm serve …\` or \`llama-server …\`), and is the server URL right?`, codes[0] ?? (all || f.message));
    }
  }

  const html = summarizeHtml(f.message);
  const said = html ? `a proxy or gateway answered with an HTML page: "${html}"` : f.message;
  switch (f.status) {
    case 401:
    case 403:
      return make(
        'unauthorized',
        ctx.keySent
          ? `${server} refused the API key (${f.status}). The key may be wrong or revoked. ${setKey}`
          : `${server} needs an API key (${f.status}). ${setKey}`,
        said,
      );
    case 404: {
      if (html || !/model/i.test(f.message)) {
        return make('badResponse', `${host} has no OpenAI-compatible API at this address (404${html ? `, ${said}` : ''}). Check the server URL (without a path, or ending in /v1).`, said);
      }
      const served = ctx.servedModels?.length ? ` It serves: ${ctx.servedModels.join(', ')}.` : '';
      return make('modelNotFound', `Model ${model} is not served by ${host}.${served} Pick one of its models with "Qwen Local: Select Completion Model" or "Select Chat Model".`, said);
    }
    case 400: {
      const overflow = parseContextOverflow(f.message, f.type);
      if (overflow) {
        const { limit, promptTokens } = overflow;
        const detail = `${CONTEXT_TOO_LONG}${limit ? `: the model's maximum context length is ${limit} tokens` : ''}${promptTokens ? `; the prompt has ${promptTokens} tokens` : ''}`;
        return make('capability', `The prompt is too long for ${model} on ${host}${limit ? ` (at most ${limit} tokens)` : ''}. Qwen Local shortens it and retries once.`, detail);
      }
      if (/enable-auto-tool-choice|tool-call-parser/i.test(f.message)) {
        return make('capability', `${host} was started without tool calling, which agent mode needs. Add --enable-auto-tool-choice --tool-call-parser hermes (Qwen2.5) or qwen3_coder (Qwen3-Coder) to its \`vllm serve\` command.`, said);
      }
      return make('capability', `${host} rejected the request for ${model}: ${said}`, said);
    }
    case 429:
    case 503: {
      const wait = f.retryAfterMs === undefined ? undefined : Math.ceil(f.retryAfterMs / 1000);
      const pause = wait === undefined ? 'Completions pause for a few seconds' : `It asks to wait ${wait} s; completions pause until then`;
      const message = `${server} is busy (${f.status}): other requests are ahead. ${pause}; a chat question or command stays as it is: try it again ${wait === undefined ? 'in a moment' : 'then'}.`;
      return new BackendError('busy', message, base, f.status, said, f.retryAfterMs);
    }
    case 501:
      return make('capability', `${model} on ${host} cannot do this: ${said}. Pick another model.`, said);
    default:
      if (html) {
        return make('server', `The answer from ${host} did not come from a model server: ${said}. Check the server URL and the proxy settings, or try again if the server is restarting.`, said);
      }
      if (f.status !== undefined && f.status >= 500) return make('server', `${server} failed${ctx.model ? ` running ${model}` : ''} (${f.status}): ${said}. See the server's log.`, said);
      if (f.status !== undefined) return make('badResponse', `${server} answered ${f.status}: ${said}.`, said);
      return make('server', `${server} failed${ctx.model ? ` running ${model}` : ''}: ${said}. See the server's log.`, said);
  }
}

/**
 * A server's answer as the `openai` client can read it: an HTML page with 200 (a captive portal, a
 * proxy's login) becomes a 502; vLLM before 0.10 answered errors flat (`{"object":"error","message",…}`),
 * which the client cannot read (it looks for `error`): rewritten to the nested shape so the message survives.
 */
export async function normalizeErrorBody(res: Response): Promise<Response> {
  // A captive portal or a proxy's login page answers 200 with HTML: not an API answer.
  if (res.ok && /text\/html/i.test(res.headers.get('content-type') ?? '')) {
    return new Response(await res.text(), { status: 502, statusText: 'HTML instead of an API answer', headers: res.headers });
  }
  if (res.ok) return res;
  const text = await res.text();
  let body = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'object' in parsed && parsed.object === 'error' && 'message' in parsed) {
      body = JSON.stringify({ error: parsed });
    }
  } catch {
    // Not JSON (a proxy's HTML page): passed on as it is.
  }
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
