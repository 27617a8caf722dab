// The simulator's control API, for tests that drive it from another process (cli.ts). Served
// under /__sim/ on the Ollama port (a prefix Ollama never uses) and, by the CLI, on a separate
// control port that stays up while the Ollama port is offline.
//
//   GET    /log[?afterId=N]   → { requests: RequestRecord[] }
//   GET    /stats             → { online, url, inFlight, maxConcurrentGenerations, maxConcurrentRequests, loaded, faults }
//   POST   /config            SimConfig JSON: replaces the parts it names (see types.ts)
//   POST   /faults            one FaultSpec or an array → added;  DELETE /faults → all cleared
//   POST   /reset             back to the start configuration; clears log, faults, blobs, loaded models
//   POST   /clear-log
//   POST   /offline {ms?}     close the Ollama port (connections refused); back after ms if given
//   POST   /online            listen again on the same port
//   POST   /unload {model?}   unload one model or all (as keep_alive expiry would)

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { OllamaSimulator } from './simulator';
import type { FaultSpec, SimConfig } from './types';

export const CONTROL_PREFIX = '/__sim';

function reply(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer); // no setEncoding: chunks are Buffers
  const raw = Buffer.concat(parts).toString('utf8');
  return raw.trim() === '' ? {} : JSON.parse(raw);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pending "back online" timers, per simulator. */
const offlineTimers = new WeakMap<OllamaSimulator, NodeJS.Timeout>();

export async function handleControl(sim: OllamaSimulator, req: IncomingMessage, res: ServerResponse, subpath: string): Promise<void> {
  const url = new URL(subpath || '/', 'http://sim');
  const route = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '') || '/'}`;
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (e) {
    return reply(res, 400, { error: `bad JSON: ${e instanceof Error ? e.message : String(e)}` });
  }
  const obj = isRecord(body) ? body : {};
  switch (route) {
    case 'GET /health':
    case 'GET /':
      return reply(res, 200, { online: sim.online, url: sim.online ? sim.url : undefined });
    case 'GET /log': {
      const afterId = Number(url.searchParams.get('afterId') ?? 0);
      return reply(res, 200, { requests: sim.requests.filter((r) => r.id > afterId) });
    }
    case 'GET /stats':
      return reply(res, 200, {
        online: sim.online,
        url: sim.url,
        inFlight: sim.inFlight,
        maxConcurrentGenerations: sim.maxConcurrentGenerations(),
        maxConcurrentRequests: sim.maxConcurrentRequests(),
        loaded: sim.loadedModels(),
        faults: sim.faults(),
      });
    case 'POST /config':
      sim.configure(obj as SimConfig); // JSON shaped as SimConfig; unknown keys are ignored
      return reply(res, 200, { ok: true });
    case 'POST /faults': {
      const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[]; // FaultSpec JSON from the test
      for (const f of specs) sim.addFault(f);
      return reply(res, 200, { ok: true, faults: sim.faults().length });
    }
    case 'DELETE /faults':
      sim.clearFaults();
      return reply(res, 200, { ok: true });
    case 'POST /reset':
      sim.reset();
      return reply(res, 200, { ok: true });
    case 'POST /clear-log':
      sim.clearLog();
      return reply(res, 200, { ok: true });
    case 'POST /offline': {
      const ms = typeof obj.ms === 'number' ? obj.ms : undefined;
      clearTimeout(offlineTimers.get(sim));
      // Answer first: when this arrived on the Ollama port, stopping cuts this very connection.
      reply(res, 200, { ok: true });
      await new Promise<void>((resolve) => (res.writableFinished ? resolve() : res.once('finish', () => resolve())));
      await sim.stop();
      if (ms !== undefined) {
        const timer = setTimeout(() => sim.start().catch((e: unknown) => console.error('ollama simulator: could not come back online', e)), ms);
        offlineTimers.set(sim, timer);
      }
      return;
    }
    case 'POST /online':
      clearTimeout(offlineTimers.get(sim));
      await sim.start();
      return reply(res, 200, { ok: true, url: sim.url });
    case 'POST /unload':
      sim.unload(typeof obj.model === 'string' ? obj.model : undefined);
      return reply(res, 200, { ok: true });
    default:
      return reply(res, 404, { error: `no control route ${route}` });
  }
}

/** A separate server for the control API (paths with or without the /__sim prefix). */
export async function startControlServer(sim: OllamaSimulator, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const sub = path.startsWith(CONTROL_PREFIX) ? path.slice(CONTROL_PREFIX.length) : path;
    handleControl(sim, req, res, sub).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
