// A redirect must not carry the request body (the user's code) and the key to another address.
// fetch follows 307/308 with the body and (same-origin or not, depending on the runtime) headers;
// every request goes out with `redirect: 'error'`. Security review finding 10.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendError } from '../../../src/backend/errors';
import { OllamaBackend } from '../../../src/backend/ollama';
import { OllamaSimulator } from '../../sim/simulator';

const KEY = 'sk-redirect-9c1e4b7a2d';

describe('security: redirects are refused, not followed', function () {
  this.timeout(10_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
  let redirector: Server;
  let url: string;

  before(async () => {
    await sim.start();
    // A server that sends every request on to the simulator (the "elsewhere" nobody configured).
    redirector = createServer((req, res) => {
      res.writeHead(Number(req.headers['x-status'] ?? 307), { location: `${sim.url}${req.url ?? '/'}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => redirector.close(resolve));
    await sim.stop();
  });
  beforeEach(() => sim.clearLog());

  async function failure(call: (b: OllamaBackend) => Promise<unknown>): Promise<BackendError> {
    const backend = new OllamaBackend({ host: url, apiKey: KEY });
    try {
      await call(backend);
    } catch (e) {
      assert.ok(e instanceof BackendError, String(e));
      return e;
    }
    assert.fail('the call succeeded through a redirect');
  }

  it('a streamed generate (body: the code) does not reach the redirect target', async () => {
    const error = await failure(async (b) => {
      for await (const chunk of b.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'const secretCode = 1;', raw: true })) void chunk;
    });
    assert.equal(sim.requests.length, 0, 'the redirect target received the request');
    assert.equal(error.kind, 'badResponse');
    assert.match(error.message, /redirect/);
    assert.ok(!error.message.includes(KEY));
  });

  it('a metadata call is refused the same way', async () => {
    const error = await failure((b) => b.listModels());
    assert.equal(sim.requests.length, 0);
    assert.match(error.message, /does not follow/);
  });
});
