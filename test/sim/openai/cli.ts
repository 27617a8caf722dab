// The OpenAI-compatible simulator as its own process, for end-to-end tests (the team-server scenario):
//
//   npx tsx test/sim/openai/cli.ts [--port 0] [--host 127.0.0.1] [--control-port 0] [--config file.json]
//
// Prints one JSON line on stdout once listening: {"url": "http://127.0.0.1:P", "controlUrl": "http://127.0.0.1:C"}
// (the OpenAI base URL is url + "/v1"). The control server stays up while the model port is offline:
//
//   GET    /log[?afterId=N]  → { requests }        POST /config  OpenAISimConfig JSON (types.ts)
//   GET    /stats            → { online, running, maxBatchSeen }
//   POST   /faults           one fault or a list   DELETE /faults
//   POST   /reset            POST /offline {ms?}   POST /online
//
// The config file is an OpenAISimConfig as JSON, e.g.
//   { "flavour": "vllm", "apiKey": "team-key", "timing": { "tokenMs": 15 },
//     "completions": [{ "whenPrefixEndsWith": "add(a, b) {\n  ", "answer": "return a + b;" }] }
// SIGTERM / SIGINT stop both and exit 0.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { OpenAISimulator } from './server';
import type { OpenAIFault, OpenAISimConfig } from './types';

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
    else args.set(a.slice(2), argv[++i] ?? '');
  }
  return args;
}

function port(value: string | undefined, name: string): number {
  const n = Number(value ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number, got ${value}`);
  return n;
}

function reply(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const raw = Buffer.concat(parts).toString('utf8');
  return raw.trim() === '' ? {} : JSON.parse(raw);
}

async function control(sim: OpenAISimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (e) {
    return reply(res, 400, { error: `bad JSON: ${e instanceof Error ? e.message : String(e)}` });
  }
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>; // read by key
  switch (`${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '') || '/'}`) {
    case 'GET /log':
      return reply(res, 200, { requests: sim.requests.filter((r) => r.id > Number(url.searchParams.get('afterId') ?? 0)) });
    case 'GET /stats':
      return reply(res, 200, { online: sim.online, running: sim.running, maxBatchSeen: sim.maxBatchSeen() });
    case 'POST /config':
      sim.configure(body as OpenAISimConfig); // the documented JSON shape
      return reply(res, 200, { ok: true });
    case 'POST /faults':
      for (const f of [body].flat() as OpenAIFault[]) sim.addFault(f); // the documented JSON shape
      return reply(res, 200, { ok: true });
    case 'DELETE /faults':
      sim.clearFaults();
      return reply(res, 200, { ok: true });
    case 'POST /reset':
      sim.reset();
      return reply(res, 200, { ok: true });
    case 'POST /offline': {
      await sim.stop();
      const ms = typeof obj.ms === 'number' ? obj.ms : undefined;
      if (ms !== undefined) setTimeout(() => void sim.start(), ms);
      return reply(res, 200, { ok: true });
    }
    case 'POST /online':
      await sim.start();
      return reply(res, 200, { ok: true, url: sim.url });
    default:
      return reply(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const configPath = args.get('config');
  const config: OpenAISimConfig = configPath ? (JSON.parse(readFileSync(configPath, 'utf8')) as OpenAISimConfig) : {}; // the file's documented shape
  const host = args.get('host') ?? '127.0.0.1';
  const sim = new OpenAISimulator({ ...config, port: port(args.get('port'), 'port'), host });
  await sim.start();
  const server = createServer((req, res) => {
    control(sim, req, res).catch((e: unknown) => reply(res, 500, { error: e instanceof Error ? e.message : String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(port(args.get('control-port'), 'control-port'), host, resolve));
  const address = server.address();
  const controlPort = address && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: sim.url, controlUrl: `http://${host}:${controlPort}` })}\n`);
  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
