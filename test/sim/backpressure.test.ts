// Back-pressure, as both simulators model it: a streamed answer stops being produced while its
// client reads nothing (the real servers' writes block on a full socket: Ollama's Go
// ResponseWriter, vLLM's uvicorn send()), and goes on once the client reads again.
// Raw HTTP here, because no official client can stop reading halfway through a stream.

import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { sleep, waitFor } from './log';
import { OpenAISimulator } from './openai/server';
import { OllamaSimulator } from './simulator';

/**
 * 24–40 MB of stream. Unread, it stalled after 3.3 MB (Ollama) and 3.7 MB (vLLM) here, where the
 * kernel may grow a socket's receive buffer to 32 MB (net.ipv4.tcp_rmem): far from the end either way.
 */
const WORDS = 200_000;
const ANSWER = 'word '.repeat(WORDS);

/** Starts a streamed POST and returns its response once the headers arrived, without reading it. */
function startStream(url: string, path: string, body: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Waits until `count()` stays the same for `quietMs` (the producer is blocked) and returns it. */
async function settled(count: () => number, quietMs = 300, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
    if (Date.now() > deadline) throw new Error(`still producing after ${timeoutMs} ms (${now} tokens)`);
    await sleep(20);
  }
}

/**
 * The whole check for one simulator: nothing read → production stops well before the end; reading
 * again → it goes on; leaving → the log says the client aborted.
 */
async function checkBackPressure(res: IncomingMessage, rec: () => { tokensSent: number; outcome?: string } | undefined): Promise<void> {
  assert.equal(res.statusCode, 200);
  const tokens = () => rec()?.tokensSent ?? 0;
  const stalled = await settled(tokens);
  assert.ok(stalled > 0, 'it streamed something before blocking');
  assert.ok(stalled < WORDS * 0.75, `${stalled} of ${WORDS} tokens were produced for a client that read nothing`);
  res.resume();
  await waitFor(() => tokens() > stalled + 1_000, 15_000, () => `the stream did not go on once read (${tokens()} tokens)`);
  res.destroy();
  await waitFor(() => rec()?.outcome !== undefined, 15_000, () => 'the request did not end after the client left');
  assert.equal(rec()?.outcome, 'aborted');
}

describe('simulators: back-pressure on a client that stops reading', function () {
  this.timeout(60_000);

  it('Ollama: /api/chat stops streaming while unread and goes on once read', async () => {
    const sim = new OllamaSimulator({ timing: { tokenMs: 0, loadMs: 0 } });
    await sim.start();
    try {
      sim.setChat(ANSWER);
      const res = await startStream(sim.url, '/api/chat', { model: 'qwen2.5-coder:1.5b-instruct', messages: [{ role: 'user', content: 'talk' }] });
      await checkBackPressure(res, () => sim.requests.find((r) => r.endpoint === 'chat'));
    } finally {
      await sim.stop();
    }
  });

  it('vLLM: /v1/chat/completions stops streaming while unread and goes on once read', async () => {
    const sim = new OpenAISimulator({ timing: { tokenMs: 0, promptMsPerToken: 0 } });
    await sim.start();
    try {
      sim.setChat(ANSWER);
      const res = await startStream(sim.url, '/v1/chat/completions', { model: 'Qwen/Qwen2.5-Coder-7B-Instruct', stream: true, messages: [{ role: 'user', content: 'talk' }] });
      await checkBackPressure(res, () => sim.requests.find((r) => r.endpoint === 'chat'));
    } finally {
      await sim.stop();
    }
  });
});
