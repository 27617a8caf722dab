// The server-kind probe against both simulators and against a server that is neither.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { parseServerUrl, probeServer } from '../../../src/backend/probe';
import { OpenAISimulator } from '../../sim/openai/server';
import { OllamaSimulator } from '../../sim/simulator';

describe('backend/probe', function () {
  describe('parseServerUrl', function () {
    it('takes the URL with or without /v1, trailing slashes, or no scheme', function () {
      for (const input of ['http://team-gpu.example:8000', 'http://team-gpu.example:8000/', 'http://team-gpu.example:8000/v1', 'http://team-gpu.example:8000/v1/', ' team-gpu.example:8000/V1 ']) {
        assert.deepEqual(parseServerUrl(input), { root: 'http://team-gpu.example:8000', apiBase: 'http://team-gpu.example:8000/v1', label: 'team-gpu.example:8000' }, input);
      }
    });

    it('keeps a reverse-proxy path prefix', function () {
      assert.deepEqual(parseServerUrl('https://gpu.example/llm/v1'), { root: 'https://gpu.example/llm', apiBase: 'https://gpu.example/llm/v1', label: 'gpu.example' });
    });

    it('says what is wrong with a bad URL', function () {
      assert.match(String(parseServerUrl('')), /empty/);
      assert.match(String(parseServerUrl('http://a b')), /spaces/);
      assert.match(String(parseServerUrl('ftp://x')), /http:\/\/ or https:\/\//);
      assert.match(String(parseServerUrl('https://user:secret@x')), /not in the server URL/);
      assert.doesNotMatch(String(parseServerUrl('https://user:secret@x')), /secret/);
      assert.match(String(parseServerUrl('http://x/?a=1')), /query/);
      assert.match(String(parseServerUrl('http://[bad')), /not a valid URL/);
    });
  });

  describe('probeServer', function () {
    this.timeout(10_000);
    const ollama = new OllamaSimulator();
    const vllm = new OpenAISimulator();
    const llama = new OpenAISimulator({ flavour: 'llamacpp' });
    let neither: Server;
    let neitherUrl = '';

    before(async () => {
      await Promise.all([ollama.start(), vllm.start(), llama.start()]);
      neither = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not here</h1>'));
      await new Promise<void>((resolve) => neither.listen(0, '127.0.0.1', resolve));
      const address = neither.address();
      neitherUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    after(async () => {
      await Promise.all([ollama.stop(), vllm.stop(), llama.stop(), new Promise<void>((resolve) => neither.close(() => resolve()))]);
    });

    it('auto finds Ollama by /api/version first', async () => {
      const r = await probeServer({ kind: 'auto', url: ollama.url });
      assert.equal(r.kind, 'ollama');
      assert.equal(r.summary, `Found Ollama ${ollama.settings.version} at ${new URL(ollama.url).host}.`);
    });

    it('auto finds vLLM and llama.cpp by /v1/models, with a /v1 URL too', async () => {
      const v = await probeServer({ kind: 'auto', url: `${vllm.url}/v1` });
      assert.equal(v.kind, 'openai');
      assert.equal(v.engine, 'vLLM');
      assert.equal(v.root, vllm.url);
      assert.deepEqual(v.models, ['Qwen/Qwen2.5-Coder-7B', 'Qwen/Qwen2.5-Coder-7B-Instruct']);
      assert.match(v.summary, /^Found vLLM at 127\.0\.0\.1:\d+, serving Qwen\/Qwen2\.5-Coder-7B, Qwen\/Qwen2\.5-Coder-7B-Instruct\.$/);
      const l = await probeServer({ kind: 'auto', url: llama.url });
      assert.equal(l.engine, 'llama.cpp');
      assert.equal(vllm.find({ endpoint: 'other' }).length, 1, 'asked /api/version first (vLLM answers 404)');
    });

    it('openai kind skips the Ollama question', async () => {
      const before = vllm.lastId;
      const r = await probeServer({ kind: 'openai', url: vllm.url });
      assert.equal(r.kind, 'openai');
      assert.deepEqual(vllm.find({ afterId: before }).map((x) => x.path), ['/v1/models']);
    });

    it('a key-protected server says it needs the key', async () => {
      vllm.configure({ apiKey: 'k' });
      try {
        const r = await probeServer({ kind: 'auto', url: vllm.url });
        assert.equal(r.kind, 'openai');
        assert.equal(r.needsKey, true);
        assert.match(r.summary, /needs an API key \(401\)/);
        const ok = await probeServer({ kind: 'auto', url: vllm.url, apiKey: 'k' });
        assert.equal(ok.needsKey, undefined);
      } finally {
        vllm.reset();
      }
    });

    it('a key in front of everything: the kind stays unknown until the key is set', async () => {
      ollama.configure({ apiKey: 'k' });
      try {
        const locked = await probeServer({ kind: 'auto', url: ollama.url });
        assert.equal(locked.kind, undefined);
        assert.equal(locked.needsKey, true);
        assert.match(locked.summary, /needs an API key \(401\) before it says whether it is Ollama or OpenAI-compatible/);
        assert.equal((await probeServer({ kind: 'auto', url: ollama.url, apiKey: 'k' })).kind, 'ollama');
        const told = await probeServer({ kind: 'ollama', url: ollama.url, apiKey: 'wrong' });
        assert.equal(told.needsKey, true);
        assert.match(told.summary, /refused the API key \(401\)/);
      } finally {
        ollama.reset();
      }
    });

    it('a server that is neither, an unreachable one, and ollama kind at a vLLM', async () => {
      const n = await probeServer({ kind: 'auto', url: neitherUrl });
      assert.equal(n.kind, undefined);
      assert.match(n.summary, /No model server found at 127\.0\.0\.1:\d+: it answered 404 to GET \/v1\/models \(tried GET \/api\/version and GET \/v1\/models\)/);
      const port = vllm.port;
      await vllm.stop();
      try {
        const gone = await probeServer({ kind: 'auto', url: `http://127.0.0.1:${port}` });
        assert.equal(gone.kind, undefined);
        assert.match(gone.summary, /nothing answered \(ECONNREFUSED\)/);
      } finally {
        await vllm.start();
      }
      const wrongKind = await probeServer({ kind: 'ollama', url: vllm.url });
      assert.equal(wrongKind.kind, undefined);
      assert.match(wrongKind.summary, /No Ollama at .*GET \/api\/version answered 404.*set the server kind to "openai"/);
    });

    it('a bad URL is reported without a request', async () => {
      const r = await probeServer({ kind: 'auto', url: 'ftp://x' });
      assert.equal(r.kind, undefined);
      assert.match(r.summary, /http:\/\/ or https:\/\//);
    });
  });
});
