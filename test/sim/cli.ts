// The simulator as its own process, for end-to-end tests (code-server + Chromium elsewhere):
//
//   npx tsx test/sim/cli.ts [--port 0] [--host 127.0.0.1] [--control-port 0] [--config file.json]
//
// Prints one JSON line on stdout once listening: {"url": "http://127.0.0.1:P", "controlUrl": "http://127.0.0.1:C"}
// The control API (see control.ts) is on controlUrl, and under /__sim/ on url too. controlUrl stays
// up while the Ollama port is offline (POST /offline, POST /online), so a test can make Ollama
// unreachable and bring it back on the same port. SIGTERM / SIGINT stop both and exit 0.
//
// The config file is a SimConfig (types.ts) as JSON, e.g.:
//   {
//     "models": [{ "name": "qwen2.5-coder:1.5b-base" }, { "name": "qwen2.5-coder:7b-instruct" }],
//     "timing": { "loadMs": 300, "tokenMs": 15 },
//     "completions": [{ "whenPrefixEndsWith": "function add(a, b) {\n  ", "answer": "return a + b;" }],
//     "defaultCompletion": "// simulated",
//     "chats": [{ "whenLastUserIncludes": "explain", "answer": "It adds." }],
//     "chatAnswer": "Here you go:\n\n```ts\nconst x = 1;\n```",
//     "faults": [{ "kind": "status", "status": 503, "times": 1 }]
//   }

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { startControlServer } from './control';
import { OllamaSimulator } from './simulator';
import type { SimConfig } from './types';

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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const configPath = args.get('config');
  const config: SimConfig = configPath ? (JSON.parse(readFileSync(configPath, 'utf8')) as SimConfig) : {}; // the file's documented shape
  const host = args.get('host') ?? '127.0.0.1';
  const sim = new OllamaSimulator({ ...config, port: port(args.get('port'), 'port'), host });
  await sim.start();
  const control: Server = await startControlServer(sim, port(args.get('control-port'), 'control-port'), host);
  const address = control.address();
  const controlPort = address && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: sim.url, controlUrl: `http://${host}:${controlPort}` })}\n`);

  const shutdown = () => {
    control.close();
    control.closeAllConnections();
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
