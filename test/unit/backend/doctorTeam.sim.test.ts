// The connection doctor for a team server, against the vLLM simulator: its findings speak of the
// server URL, /v1 and the API key, never of Ollama (the Ollama doctor told a vLLM user to point
// "Ollama Host" at an Ollama server). Unreachable cases need no server.

import assert from 'node:assert/strict';
import { runDoctor, type DoctorResult } from '../../../src/backend/doctor';
import type { ResolvedHost } from '../../../src/backend/host';
import { closedPort } from '../support/ports';
import { OllamaSimulator } from '../../sim/simulator';
import { OpenAISimulator } from '../../sim/openai/server';

const setting = (url: string): ResolvedHost => ({ url, source: 'setting' });
const problems = (r: DoctorResult) => r.findings.filter((f) => f.severity === 'problem');
const all = (r: DoctorResult) => r.findings.map((f) => `${f.title} ${f.fix ?? ''}`).join('\n');


describe('backend/doctor for a team server (OpenAI-compatible)', function () {
  this.timeout(15_000);
  const sim = new OpenAISimulator({ flavour: 'vllm', apiKey: 'sk-team' });
  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  it('healthy, with the key: it answers and names the models it serves; /v1 in the URL or not', async () => {
    for (const url of [sim.url, `${sim.url}/v1`]) {
      const r = await runDoctor({ host: setting(url), kind: 'openai', apiKey: 'sk-team' });
      assert.deepEqual(problems(r), []);
      assert.match(r.findings[0]?.title ?? '', /^An OpenAI-compatible server answers at .*\/v1, serving Qwen\/Qwen2\.5-Coder-7B, Qwen\/Qwen2\.5-Coder-7B-Instruct\.$/);
      assert.equal(r.probes[0]?.url, `${sim.url}/v1/models`);
    }
  });

  it('no key: "needs an API key" and how to set it; a wrong key: "refuses"', async () => {
    const none = await runDoctor({ host: setting(sim.url), kind: 'openai' });
    assert.match(problems(none)[0]?.title ?? '', /needs an API key \(401/);
    assert.match(problems(none)[0]?.fix ?? '', /Set API Key for the Model Server/);
    const wrong = await runDoctor({ host: setting(sim.url), kind: 'openai', apiKey: 'sk-wrong' });
    assert.match(problems(wrong)[0]?.title ?? '', /refuses the API key \(401/);
    assert.doesNotMatch(all(wrong), /sk-wrong/, 'the key is never in a finding');
  });

  it('nothing listening: start the server (vllm serve, llama-server, LM Studio), not Ollama', async () => {
    const r = await runDoctor({ host: setting(`http://127.0.0.1:${await closedPort()}`), kind: 'openai' });
    assert.equal(problems(r).length, 1);
    assert.match(problems(r)[0]?.fix ?? '', /vllm serve.*llama-server.*LM Studio/);
    assert.doesNotMatch(all(r), /Ollama|OLLAMA_HOST/);
    const container = await runDoctor({ host: setting(`http://127.0.0.1:${await closedPort()}`), kind: 'openai', environment: { container: true } });
    assert.match(problems(container)[0]?.fix ?? '', /host\.docker\.internal:\d+ .*listen on 0\.0\.0\.0/);
    assert.doesNotMatch(all(container), /Ollama|OLLAMA_HOST/);
  });

  it('a wrong path: no OpenAI API there (404), check the port and /v1', async () => {
    const r = await runDoctor({ host: setting(`${sim.url}/api`), kind: 'openai', apiKey: 'sk-team' });
    assert.match(problems(r)[0]?.title ?? '', /No OpenAI-compatible API at .*\/api\/v1\/models \(404\)/);
    assert.match(problems(r)[0]?.fix ?? '', /qwenLocal\.server\.url/);
  });

  it('an Ollama without /v1/models set as an OpenAI-compatible server: recognised, use its own API', async () => {
    // The Ollama simulator models Ollama's own API only, as an Ollama older than 0.1.24 (or behind
    // a proxy that passes /api only) answers.
    const ollama = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
    await ollama.start();
    try {
      const r = await runDoctor({ host: setting(ollama.url), kind: 'openai' });
      assert.match(problems(r)[0]?.title ?? '', /This is Ollama/);
      assert.match(problems(r)[0]?.fix ?? '', /qwenLocal\.server\.kind to "auto" or "ollama"/);
    } finally {
      await ollama.stop();
    }
  });
});
