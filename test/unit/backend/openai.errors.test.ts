// Error mapping of OpenAI-compatible servers: each status and body to a typed error with what to do.

import assert from 'node:assert/strict';
import { BackendError } from '../../../src/backend/errors';
import { contextTooLong, summarizeHtml, toOpenAIBackendError, type OpenAIErrorContext } from '../../../src/backend/openaiErrors';

const ctx: OpenAIErrorContext = { host: 'https://team-gpu.example:8000', model: 'Qwen/Qwen2.5-Coder-7B' };

function socketError(code: string): Error {
  const inner = Object.assign(new Error(`socket: ${code}`), { code });
  return new TypeError('fetch failed', { cause: inner });
}

describe('backend/openaiErrors', function () {
  it('401/403: key missing or wrong, naming the server', function () {
    const missing = toOpenAIBackendError({ status: 401, message: 'Unauthorized' }, ctx);
    assert.equal(missing.kind, 'unauthorized');
    assert.match(missing.message, /team-gpu\.example:8000 needs an API key \(401\)/);
    const wrong = toOpenAIBackendError({ status: 403, message: 'Forbidden' }, { ...ctx, keySent: true });
    assert.match(wrong.message, /refused the API key \(403\)/);
    assert.match(wrong.message, /Set API Key for the Model Server/);
  });

  it('404 about the model lists what the server serves', function () {
    const e = toOpenAIBackendError({ status: 404, message: 'The model `qwen` does not exist.' }, { ...ctx, servedModels: ['A', 'B'] });
    assert.equal(e.kind, 'modelNotFound');
    assert.match(e.message, /is not served by https:\/\/team-gpu\.example:8000\. It serves: A, B\./);
  });

  it('404 without a model in it means a wrong URL', function () {
    const e = toOpenAIBackendError({ status: 404, message: '{"detail":"Not Found"}' }, ctx);
    assert.equal(e.kind, 'badResponse');
    assert.match(e.message, /no OpenAI-compatible API at this address/);
  });

  it('400 context too long (vLLM and llama.cpp) carries a distinct detail', function () {
    const vllm = toOpenAIBackendError(
      { status: 400, message: "This model's maximum context length is 32768 tokens. However, you requested 33000 tokens (32000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion." },
      ctx,
    );
    assert.equal(vllm.kind, 'capability');
    assert.deepEqual(contextTooLong(vllm), { limit: 32768, promptTokens: 32000 });
    assert.match(vllm.message, /at most 32768 tokens/);
    const llama = toOpenAIBackendError({ status: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error' }, ctx);
    assert.deepEqual(contextTooLong(llama), {});
    const other = toOpenAIBackendError({ status: 400, message: 'temperature must be positive' }, ctx);
    assert.equal(contextTooLong(other), undefined);
    assert.equal(contextTooLong(new Error('x')), undefined);
  });

  it('429 and 503: busy, backing off', function () {
    for (const status of [429, 503]) {
      const e = toOpenAIBackendError({ status, message: 'overloaded' }, ctx);
      assert.equal(e.kind, 'busy');
      assert.equal(e.status, status);
    }
  });

  it('500 keeps the server\'s message; an error event without a status is a server error', function () {
    assert.match(toOpenAIBackendError({ status: 500, message: 'CUDA error' }, ctx).message, /failed running "Qwen\/Qwen2\.5-Coder-7B" \(500\): CUDA error/);
    assert.equal(toOpenAIBackendError({ message: 'EngineCore died' }, ctx).kind, 'server');
  });

  it('a proxy\'s HTML page becomes one line', function () {
    const page = '<!DOCTYPE html><html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center></body></html>';
    const e = toOpenAIBackendError({ status: 504, message: page }, ctx);
    assert.equal(e.kind, 'server');
    assert.match(e.message, /did not come from a model server: a proxy or gateway answered with an HTML page: "504 Gateway Time-out"/);
    assert.doesNotMatch(e.message, /DOCTYPE|<center>/);
    assert.equal(summarizeHtml('plain text'), undefined);
    assert.equal(summarizeHtml(`<h1>${'x'.repeat(300)}</h1>`)?.length, 101);
  });

  it('connection failures: refused, TLS (which problem, how to fix), redirect', function () {
    const refused = toOpenAIBackendError({ connection: true, message: 'Connection error.', cause: socketError('ECONNREFUSED') }, ctx);
    assert.equal(refused.kind, 'unreachable');
    assert.match(refused.message, /Nothing answers at https:\/\/team-gpu\.example:8000/);
    const selfSigned = toOpenAIBackendError({ connection: true, message: 'Connection error.', cause: socketError('SELF_SIGNED_CERT_IN_CHAIN') }, ctx);
    assert.match(selfSigned.message, /self-signed CA/);
    assert.match(selfSigned.message, /NODE_EXTRA_CA_CERTS/);
    const expired = toOpenAIBackendError({ connection: true, message: 'Connection error.', cause: socketError('CERT_HAS_EXPIRED') }, ctx);
    assert.match(expired.message, /has expired/);
    const altName = toOpenAIBackendError({ connection: true, message: 'x', cause: socketError('ERR_TLS_CERT_ALTNAME_INVALID') }, ctx);
    assert.match(altName.message, /another host name/);
    const redirect = toOpenAIBackendError({ connection: true, message: 'x', cause: new TypeError('fetch failed', { cause: new Error('unexpected redirect') }) }, ctx);
    assert.match(redirect.message, /redirect, which Qwen Local never follows/);
  });

  it('timeouts and aborts', function () {
    assert.equal(toOpenAIBackendError({ timeout: true, message: 'no first token after 10 ms' }, ctx).kind, 'timeout');
    const aborted = toOpenAIBackendError({ aborted: true, message: 'x' }, ctx);
    assert.ok(aborted instanceof BackendError);
    assert.equal(aborted.kind, 'aborted');
  });
});
