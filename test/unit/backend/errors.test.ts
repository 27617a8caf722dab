import assert from 'node:assert/strict';
import { BackendError, isAbort, summarizeBody, toBackendError } from '../../../src/backend/errors';

const ctx = { host: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:7b-base' };

/** The client's ResponseError is not exported; this has its observable shape. */
class ResponseError extends Error {
  constructor(
    message: string,
    readonly status_code: number,
  ) {
    super(message);
    this.name = 'ResponseError';
  }
}

function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
}

describe('backend/errors', () => {
  it('says Ollama is not running, where, and how to start it, for a refused connection', () => {
    const e = toBackendError(fetchFailed('ECONNREFUSED'), ctx);
    assert.equal(e.kind, 'unreachable');
    // Plain text, no backticks: notifications do not render markdown.
    assert.equal(e.message, 'Ollama is not running at http://127.0.0.1:11434. Start it with "ollama serve" (or check the Qwen Local: Ollama Host setting).');
  });

  const statusCases: [number, string, BackendError['kind'], RegExp][] = [
    [404, 'model "qwen2.5-coder:7b-base" not found, try pulling it first', 'modelNotFound', /ollama pull qwen2\.5-coder:7b-base/],
    [400, '"qwen2.5-coder:7b" does not support insert', 'capability', /cannot do this: "qwen2\.5-coder:7b" does not support insert/],
    [503, 'server busy, please try again.  maximum pending requests exceeded', 'busy', /busy/],
    [500, 'llama runner process has terminated', 'server', /llama runner process has terminated/],
    [401, 'unauthorized', 'unauthorized', /Set API Key/],
  ];
  for (const [status, text, kind, message] of statusCases) {
    it(`maps HTTP ${status} to ${kind}`, () => {
      const e = toBackendError(new ResponseError(text, status), ctx);
      assert.equal(e.kind, kind);
      assert.equal(e.status, status);
      assert.match(e.message, message);
      assert.ok(e.message.includes(ctx.host), 'names the server');
    });
  }

  it('recognises aborts and timeouts by name', () => {
    const abort = toBackendError(new DOMException('This operation was aborted', 'AbortError'), ctx);
    assert.equal(abort.kind, 'aborted');
    assert.ok(isAbort(abort));
    assert.ok(isAbort(new DOMException('x', 'AbortError')));
    assert.equal(toBackendError(new DOMException('t', 'TimeoutError'), ctx).kind, 'timeout');
  });

  it('treats a dropped connection as unreachable and a broken JSON line as a bad response', () => {
    assert.equal(toBackendError(fetchFailed('ECONNRESET'), ctx).kind, 'unreachable');
    assert.equal(toBackendError(new TypeError('terminated'), ctx).kind, 'unreachable');
    assert.equal(toBackendError(new SyntaxError('Unexpected token'), ctx).kind, 'badResponse');
  });

  it('passes a BackendError through unchanged', () => {
    const e = new BackendError('busy', 'b', ctx);
    assert.equal(toBackendError(e, ctx), e);
  });

  // Issue 14 item 3: Ollama's own 404s name the model (server/routes.go); gin's NoRoute body does not.
  const notOllama: [string, string][] = [
    ['404 page not found', 'a wrong path prefix on real Ollama'],
    ['Error 404: Not Found', 'vLLM / FastAPI ({"detail":"Not Found"}, which the client reduces to its fallback)'],
    ['[object Object]', 'llama.cpp ({"error":{"code":404,…}})'],
    ['<html><head><title>404 Not Found</title></head><body>nginx</body></html>', 'a proxy page'],
  ];
  for (const [body, what] of notOllama) {
    it(`a 404 from ${what} is not "model not found"`, () => {
      const e = toBackendError(new ResponseError(body, 404), ctx);
      assert.equal(e.kind, 'badResponse');
      assert.doesNotMatch(e.message, /ollama pull|\[object Object\]|<html/);
      assert.match(e.message, /does not know Ollama's API/);
    });
  }
  for (const body of ["model 'qwen2.5-coder:7b-base' not found", 'model "x" not found, try pulling it first', "model '' not found"]) {
    it(`Ollama's own 404 ${JSON.stringify(body)} is model not found`, () => assert.equal(toBackendError(new ResponseError(body, 404), ctx).kind, 'modelNotFound'));
  }

  it('summarizes a page to its title or first words, and caps any other body to one short line', () => {
    assert.equal(summarizeBody('<html><body><h1>Access denied</h1><p>Ray ID 1234</p></body></html>'), 'an HTML page: "Access denied"');
    assert.equal(summarizeBody('<!doctype html><body><div>Blocked by policy</div></body>'), 'an HTML page: "Blocked by policy"');
    const long = summarizeBody(`line one\nline two ${'x'.repeat(1000)}`);
    assert.ok(long.length <= 300 && !long.includes('\n'));
  });
});
