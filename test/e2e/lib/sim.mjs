// The project's Ollama simulator (test/sim/cli.ts) as a separate process, and a client of its
// control API (test/sim/control.ts): configure answers and faults, go offline/online, read the log.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Proc } from './procs.mjs';
import { ROOT } from './paths.mjs';

export const SIM_CLI = join(ROOT, 'test', 'sim', 'cli.ts');
/** The OpenAI-compatible simulator (vLLM or llama-server), same control API shape (test/sim/openai/cli.ts). */
export const OPENAI_SIM_CLI = join(ROOT, 'test', 'sim', 'openai', 'cli.ts');

/**
 * Starts the simulator on a free loopback port; resolves once it printed its JSON line.
 * `openai: true` starts the OpenAI-compatible simulator instead (config: OpenAISimConfig).
 * @param {{ config?: object, configFile?: string, logFile?: string, port?: number, openai?: boolean }} [options]
 */
export async function startSimulator(options = {}) {
  const cli = options.openai ? OPENAI_SIM_CLI : SIM_CLI;
  if (!existsSync(cli)) throw new Error(`the simulator is missing: ${cli}`);
  const args = ['--import', 'tsx', cli, '--port', String(options.port ?? 0)];
  if (options.config) {
    const file = options.configFile ?? join(ROOT, '.vscode-test', 'sim-config.json');
    writeFileSync(file, JSON.stringify(options.config, null, 2));
    args.push('--config', file);
  }
  // Run through node's tsx loader (not npx): one process, no npm lookup, starts in ~1 s.
  const proc = new Proc(options.openai ? 'openai-sim' : 'ollama-sim', process.execPath, args, { cwd: ROOT, logFile: options.logFile });
  const m = await proc.waitForOutput(/^\{.*"url".*\}\s*$/m, 30_000);
  const info = JSON.parse(m[0]);
  return new Simulator(proc, info);
}

export class Simulator {
  constructor(proc, info) {
    this.proc = proc;
    this.info = info;
    /** http://127.0.0.1:PORT, what the extension's qwenLocal.ollamaHost points at. */
    this.url = String(info.url).replace(/\/$/, '');
    // A control port that stays up while the Ollama port is offline, if the CLI gives one;
    // otherwise the /__sim prefix on the Ollama port.
    const control = info.control ?? info.controlUrl;
    this.controlUrl = String(control ?? `${this.url}/__sim`).replace(/\/$/, '');
  }

  async call(method, path, body) {
    const res = await fetch(this.controlUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Replaces the parts of the configuration it names (SimConfig of test/sim/types.ts). */
  configure(config) {
    return this.call('POST', '/config', config);
  }
  addFaults(faults) {
    return this.call('POST', '/faults', faults);
  }
  clearFaults() {
    return this.call('DELETE', '/faults');
  }
  reset() {
    return this.call('POST', '/reset', {});
  }
  clearLog() {
    return this.call('POST', '/clear-log', {});
  }
  /** Closes the Ollama port (connection refused), like Ollama being stopped. */
  offline() {
    return this.call('POST', '/offline', {});
  }
  online() {
    return this.call('POST', '/online', {});
  }
  stats() {
    return this.call('GET', '/stats');
  }
  /** RequestRecord[] (test/sim/types.ts) with ids above `afterId`. */
  async requests(afterId = 0) {
    const { requests } = await this.call('GET', `/log?afterId=${afterId}`);
    return requests;
  }
  /** The id of the newest request: pass it to requests() to see only what a step sent. */
  async mark() {
    const all = await this.requests(0);
    return all.length ? all[all.length - 1].id : 0;
  }

  stop() {
    return this.proc.stop();
  }
}
