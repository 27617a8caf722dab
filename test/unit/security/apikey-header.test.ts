// An API key that cannot be an HTTP header value is refused before sending, never quoted.
//
// Regression test for a bug found by the fault matrix: a key that cannot be an HTTP header value (a line break inside it — e.g. two lines
// pasted into the key box, or a key stored by Settings Sync from another tool — or a character
// above U+00FF) makes fetch throw `Headers.append: "Bearer <the key>" is an invalid header value`.
// toBackendError() copies that text into the BackendError's message and detail: the key is shown
// in the error notification and written to the log. The same failure is also misnamed: "Ollama is
// not running" (a control character) or "Ollama failed … see Ollama's server log" (non-Latin-1),
// although no request ever left.

import assert from 'node:assert/strict';
import { BackendError } from '../../../src/backend/errors';
import { OllamaBackend } from '../../../src/backend/ollama';
import { OllamaSimulator } from '../../sim/simulator';

const BAD_KEYS = ['sk-line-one-5a8c\nsk-line-two-77e1', 'sk-bell-3f9d\u0007x', 'sk-clé-ключ-2b4e'];

describe('security: a key that cannot be a header value is refused without being echoed', function () {
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
  before(() => sim.start());
  after(() => sim.stop());

  for (const key of BAD_KEYS) {
    it(`refuses ${JSON.stringify(key)}`, async () => {
      sim.clearLog();
      const backend = new OllamaBackend({ host: sim.url, apiKey: key });
      let error: unknown;
      try {
        await backend.version();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof BackendError);
      const visible = [error.message, error.detail ?? '', error.stack ?? ''].join('\n');
      for (const part of key.split(/[^\x20-\x7e]/).filter((p) => p.length >= 6)) assert.ok(!visible.includes(part), `the key is echoed: ${visible}`);
      assert.equal(error.kind, 'unauthorized', 'named as a key problem, not as a server that is down or failing');
      assert.match(error.message, /API Key/i);
      assert.equal(sim.requests.length, 0, 'nothing was sent');
    });
  }
});
