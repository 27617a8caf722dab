// The connection doctor against the simulator (and, where a non-Ollama peer is the point, a tiny
// stand-in server): each failure becomes one concrete fix. Issue 17 item 5.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diagnose, doctorReport, listenerOwner, runDoctor, type DoctorEnvironment, type DoctorResult, type Probe } from '../../../src/backend/doctor';
import type { ResolvedHost } from '../../../src/backend/host';
import { closedPort } from '../support/ports';
import { OllamaSimulator } from '../../sim/simulator';

const setting = (url: string): ResolvedHost => ({ url, source: 'setting' });


async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const problems = (r: DoctorResult) => r.findings.filter((f) => f.severity === 'problem');

describe('backend/doctor against the simulator', function () {
  this.timeout(15_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
  const servers: Server[] = [];
  before(() => sim.start());
  after(async () => {
    await sim.stop();
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });
  beforeEach(() => sim.reset());

  it('a healthy Ollama: version, tags and ps answer; no problem', async () => {
    const r = await runDoctor({ host: setting(sim.url) });
    assert.deepEqual(r.probes.map((p) => [p.path, p.ok]).slice(0, 3), [
      ['/api/version', true],
      ['/api/tags', true],
      ['/api/ps', true],
    ]);
    assert.deepEqual(problems(r), []);
    assert.match(r.findings[0].title, /^Ollama 0\.\d+\.\d+ answers at/);
    assert.match(doctorReport(r), /\| \/api\/version \| 200 /);
  });

  it('nothing listening on loopback: start Ollama', async () => {
    const r = await runDoctor({ host: setting(`http://127.0.0.1:${await closedPort()}`) });
    assert.equal(problems(r).length, 1);
    assert.match(problems(r)[0].title, /Nothing listens/);
    assert.match(problems(r)[0].fix ?? '', /ollama serve/);
  });

  it('inside WSL: the Windows host address and OLLAMA_HOST=0.0.0.0', async () => {
    const r = await runDoctor({ host: setting(`http://127.0.0.1:${await closedPort()}`), environment: { wsl: true, wslHostAddress: '172.22.96.1' } });
    assert.match(problems(r)[0].fix ?? '', /http:\/\/172\.22\.96\.1:11434.*OLLAMA_HOST=0\.0\.0\.0/);
  });

  it('inside a dev container: host.docker.internal', async () => {
    const r = await runDoctor({ host: setting(`http://127.0.0.1:${await closedPort()}`), environment: { container: true } });
    assert.match(problems(r)[0].fix ?? '', /http:\/\/host\.docker\.internal:11434/);
  });

  it('a /v1 suffix on an Ollama URL: remove it', async () => {
    const r = await runDoctor({ host: setting(`${sim.url}/v1`) });
    assert.equal(r.probes[0].status, 404);
    assert.equal(problems(r).length, 1);
    assert.match(problems(r)[0].fix ?? '', /Remove "\/v1" from Qwen Local: Ollama Host/);
  });

  it('a bare 403 (Ollama\'s host check): OLLAMA_HOST / OLLAMA_ORIGINS, not the key', async () => {
    sim.addFault({ kind: 'status', status: 403, body: '', endpoint: ['version'], times: 1 });
    const r = await runDoctor({ host: setting(sim.url) });
    assert.match(problems(r)[0].fix ?? '', /OLLAMA_HOST=0\.0\.0\.0.*OLLAMA_ORIGINS/);
    assert.doesNotMatch(problems(r)[0].fix ?? '', /API Key/);
  });

  it('a proxy capturing localhost: NO_PROXY', async () => {
    const proxy = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html', via: '1.1 squid' });
      res.end('<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body>Squid</body></html>');
    });
    servers.push(proxy.server);
    const env: DoctorEnvironment = { proxy: 'http://proxy.corp:3128', noProxy: 'corp.example' };
    const r = await runDoctor({ host: setting(proxy.url), environment: env });
    assert.equal(problems(r).length, 1);
    assert.match(problems(r)[0].title, /A web page answered instead of Ollama \(502: an HTML page: "ERROR: The requested URL could not be retrieved"\)/);
    assert.match(problems(r)[0].fix ?? '', /NO_PROXY/);
  });

  it('a redirect is reported, not followed', async () => {
    const redirect = await serve((req, res) => {
      res.writeHead(308, { location: `${sim.url}${req.url ?? ''}` });
      res.end();
    });
    servers.push(redirect.server);
    sim.clearLog();
    const r = await runDoctor({ host: setting(redirect.url) });
    assert.equal(sim.requests.length, 0, 'not followed');
    assert.match(problems(r)[0].title, /redirect to http:\/\/127\.0\.0\.1/);
  });

  it('an OpenAI-compatible server that is not Ollama', async () => {
    const vllm = await serve((req, res) => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"object":"list","data":[{"id":"Qwen/Qwen2.5-Coder-7B-Instruct"}]}');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"detail":"Not Found"}');
      }
    });
    servers.push(vllm.server);
    const r = await runDoctor({ host: setting(vllm.url) });
    assert.match(problems(r)[0].title, /OpenAI-compatible server/);
  });
});

describe('backend/doctor: pure diagnoses', () => {
  const failed = (code: string): Probe[] =>
    (['/api/version', '/api/tags', '/api/ps', '/v1/models'] as const).map((path) => ({ path, url: `x${path}`, ok: false, code, detail: code, ms: 1 }));

  it('macOS blocking the local network', () => {
    const f = diagnose(setting('http://192.168.1.20:11434'), failed('TIMEOUT'), { platform: 'darwin' });
    assert.match(f[0].fix ?? '', /Local Network/);
  });

  it('a remote server refusing connections: OLLAMA_HOST=0.0.0.0 on that machine', () => {
    const f = diagnose(setting('http://gpu.lan:11434'), failed('ECONNREFUSED'), {});
    assert.match(f[0].fix ?? '', /OLLAMA_HOST=0\.0\.0\.0/);
  });

  it('warns when OLLAMA_HOST (e.g. a container\'s env) chooses a remote server (issue 17, suspicion 13.2)', () => {
    const f = diagnose({ url: 'http://collector.example:11434', source: 'env' }, failed('ECONNREFUSED'), {});
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].title, /comes from the OLLAMA_HOST environment variable/);
  });

  it('names another user listening on the loopback port of a shared machine (issue 17, suspicion 13.3)', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2CAA 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 123 1 0 100 0 0 10 0',
      '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 124 1 0 100 0 0 10 0',
    ].join('\n');
    const passwd = 'root:x:0:0::/root:/bin/bash\nollama:x:998:998::/usr/share/ollama:/bin/false\nme:x:1000:1000::/home/me:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash';
    assert.equal(listenerOwner(tcp, 11434, 1000, passwd), 'user "bob" (uid 1001)');
    assert.equal(listenerOwner(tcp, 8080, 1000, passwd), undefined, 'mine');
    assert.equal(listenerOwner(tcp.replace(' 1001 ', ' 998 '), 11434, 1000, passwd), undefined, 'the ollama service');
    const f = diagnose(setting('http://127.0.0.1:11434'), failed('ECONNREFUSED'), { foreignListener: 'user "bob" (uid 1001)' });
    assert.match(f[0].title, /served by user "bob"/);
  });
});
