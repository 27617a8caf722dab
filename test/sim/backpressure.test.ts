// Back-pressure, as both simulators model it: a streamed answer stops being produced while its
// client reads nothing (the real servers' writes block on a full socket: Ollama's Go
// ResponseWriter, vLLM's uvicorn send()), and the whole answer arrives once the client reads again.
// Raw HTTP here, because no official client can stop reading halfway through a stream.

import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { OpenAISimulator } from './openai/server';
import { OllamaSimulator } from './simulator';

/** ~20 MB of stream: far beyond what the loopback socket and Node's buffers hold. */
const WORDS = 60_000;
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

async function readAll(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  res.resume();
  for await (const chunk of res) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
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
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('simulators: back-pressure on a client that stops reading', function () {
  this.timeout(60_000);

  it('Ollama: /api/chat stops streaming while unread, and the whole answer arrives once read', async () => {
    const sim = new OllamaSimulator({ timing: { tokenMs: 0, loadMs: 0 } });
    await sim.start();
    try {
      sim.setChat(ANSWER);
      const res = await startStream(sim.url, '/api/chat', { model: 'qwen2.5-coder:1.5b-instruct', messages: [{ role: 'user', content: 'talk' }] });
      assert.equal(res.statusCode, 200);
      const rec = () => sim.requests.find((r) => r.endpoint === 'chat');
      const stalled = await settled(() => rec()?.tokensSent ?? 0);
      assert.ok(stalled > 0, 'it streamed something before blocking');
      assert.ok(stalled < WORDS / 2, `${stalled} of ${WORDS} tokens were produced for a client that read nothing`);
      const text = (await readAll(res))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { message?: { content?: string } }).message?.content ?? '')
        .join('');
      assert.equal(text, ANSWER);
      assert.equal(rec()?.outcome, 'ok');
    } finally {
      await sim.stop();
    }
  });

  it('vLLM: /v1/chat/completions stops streaming while unread, and the whole answer arrives once read', async () => {
    const sim = new OpenAISimulator({ timing: { tokenMs: 0, promptMsPerToken: 0 } });
    await sim.start();
    try {
      sim.setChat(ANSWER);
      const res = await startStream(sim.url, '/v1/chat/completions', { model: 'Qwen/Qwen2.5-Coder-7B-Instruct', stream: true, messages: [{ role: 'user', content: 'talk' }] });
      assert.equal(res.statusCode, 200);
      const rec = () => sim.requests.find((r) => r.endpoint === 'chat');
      const stalled = await settled(() => rec()?.tokensSent ?? 0);
      assert.ok(stalled > 0, 'it streamed something before blocking');
      assert.ok(stalled < WORDS / 2, `${stalled} of ${WORDS} tokens were produced for a client that read nothing`);
      const events = (await readAll(res)).split('\n\n').filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]');
      const text = events.map((e) => (JSON.parse(e.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '').join('');
      assert.equal(text, ANSWER);
      assert.equal(rec()?.outcome, 'ok');
    } finally {
      await sim.stop();
    }
  });
});
