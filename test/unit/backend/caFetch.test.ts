// qwenLocal.server.caFile: a team server with a self-signed certificate is trusted through the file,
// and only through it (the global fetch still refuses it).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchWithCa } from '../../../src/backend/caFetch';
import { createCore } from '../../../src/core';
import { silentLogger } from '../../../src/log';
import { DEFAULTS } from '../../../src/settings';
import { PlainSettings } from '../support/editor';

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) if (typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return undefined;
}

describe('backend/caFetch: a CA file for a self-signed team server', function () {
  this.timeout(20_000);
  let dir: string;
  let cert: string;
  let server: Server;
  let base: string;
  const bodies: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qwen-ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'} ${body}`);
        if (req.url === '/hang') return; // never answers: for the abort
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: [{ id: 'Qwen/Qwen2.5-Coder-7B', owned_by: 'vllm' }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the global fetch refuses the self-signed certificate, with the TLS code in the cause', async () => {
    await assert.rejects(fetch(`${base}/v1/models`), (e: unknown) => /SELF_SIGNED|UNABLE_TO_VERIFY/.test(causeCode(e) ?? ''));
  });

  it('with the CA file it answers, sends method, headers and body, and streams the response', async () => {
    const f = fetchWithCa(cert);
    const res = await f(`${base}/v1/models`, { headers: { Authorization: 'Bearer k' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: [{ id: 'Qwen/Qwen2.5-Coder-7B', owned_by: 'vllm' }] });
    const post = await f(`${base}/v1/completions`, { method: 'POST', body: '{"prompt":"x"}', headers: { 'content-type': 'application/json' } });
    assert.equal(post.status, 200);
    await post.text();
    assert.ok(bodies.includes('POST /v1/completions - {"prompt":"x"}'), bodies.join('\n'));
    assert.ok(bodies.includes('GET /v1/models Bearer k '), bodies.join('\n'));
  });

  it('an abort ends the request with the signal\'s reason', async () => {
    const ac = new AbortController();
    const pending = fetchWithCa(cert)(`${base}/hang`, { signal: ac.signal });
    setImmediate(() => ac.abort());
    await assert.rejects(pending, (e: unknown) => e instanceof Error && e.name === 'AbortError');
  });

  it('through createCore: the setting qwenLocal.server.caFile makes the probe trust the server', async () => {
    const told: string[] = [];
    const config = new PlainSettings({ ...DEFAULTS, server: { kind: 'openai', url: base, caFile: '' } });
    const core = createCore({
      config,
      log: silentLogger,
      ui: { statusChanged: () => {}, notify: () => {}, badHost: (m) => told.push(m), keyInClear: () => {}, partlyOnCpu: () => {} },
      envHost: () => undefined,
      secrets: { get: async () => undefined },
      memento: { get: () => undefined, update: async () => {} },
      isFocused: () => true,
      setTimer: () => undefined,
      clearTimer: () => {},
      warmOnRecovery: false,
    });
    try {
      assert.match((await core.probe()).summary, /No model server found .*(SELF_SIGNED|UNABLE_TO_VERIFY)/);
      await config.update('server.caFile', join(dir, 'cert.pem'));
      assert.match((await core.probe()).summary, /Found vLLM at 127\.0\.0\.1:\d+/);
      await config.update('server.caFile', join(dir, 'missing.pem'));
      await core.probe();
      assert.match(told.join('\n'), /Cannot read the CA file of setting qwenLocal\.server\.caFile/);
    } finally {
      core.dispose();
    }
  });
});
