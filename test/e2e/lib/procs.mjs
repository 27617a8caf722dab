// Child processes that are always stopped: each runs in its own process group, every group is
// killed on normal exit, on failure and on SIGINT/SIGTERM, and free loopback ports are found here.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createWriteStream } from 'node:fs';

/** @type {Set<Proc>} */
const live = new Set();
/** @type {Array<() => Promise<void> | void>} */
const cleanups = [];
let handlersInstalled = false;
let stopping = false;

/** True once stopAll() began (a signal, the time limit, or the end): start nothing new. */
export function isStopping() {
  return stopping;
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort on a plain exit: synchronous kill of every group still alive.
  process.on('exit', () => {
    for (const p of live) p.killNow('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (stopping) return;
      console.error(`\n[e2e] ${signal}: stopping everything that was started`);
      stopAll().finally(() => {
        console.error('[e2e] interrupted: 0 passed, 1 failed');
        process.exit(130);
      });
    });
  }
}

/** Registers a cleanup (browser close, temp folder removal) that stopAll() runs, newest first. */
export function onCleanup(fn) {
  installHandlers();
  cleanups.push(fn);
}

/** Stops every process started here and runs the registered cleanups. Safe to call twice. */
export async function stopAll() {
  stopping = true;
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await withTimeout(Promise.resolve().then(fn), 10_000, 'cleanup');
    } catch (e) {
      console.error(`[e2e] cleanup failed: ${e instanceof Error ? e.message : e}`);
    }
  }
  await Promise.all([...live].map((p) => p.stop()));
}

export class Proc {
  /**
   * @param {string} name  shown in logs
   * @param {string} command
   * @param {string[]} args
   * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile?: string, echo?: boolean }} [options]
   */
  constructor(name, command, args, options = {}) {
    installHandlers();
    this.name = name;
    this.output = '';
    /** @type {Array<(chunk: string) => void>} */
    this.listeners = [];
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // own process group: kill(-pid) reaches its children too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this);
        this.exitCode = code;
        this.exitSignal = signal;
        resolve({ code, signal });
      });
      this.child.on('error', (error) => {
        live.delete(this);
        this.spawnError = error;
        resolve({ code: -1, signal: null });
      });
    });
    const onData = (chunk) => {
      const text = chunk.toString();
      // Keep the tail only: enough for error messages, bounded memory.
      this.output = (this.output + text).slice(-200_000);
      log?.write(text);
      if (options.echo) process.stdout.write(`[${name}] ${text}`);
      for (const l of this.listeners) l(text);
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    this.exited.then(() => log?.end());
    live.add(this);
  }

  get running() {
    return this.exitCode === undefined && this.exitSignal === undefined && !this.spawnError;
  }

  /** Resolves with the first match of `re` in the output; rejects on exit or timeout. */
  waitForOutput(re, timeoutMs) {
    return new Promise((resolve, reject) => {
      const done = (fn, value) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        fn(value);
      };
      const check = () => {
        const m = re.exec(this.output);
        if (m) done(resolve, m);
      };
      const timer = setTimeout(
        () => done(reject, new Error(`${this.name}: no ${re} in its output after ${timeoutMs} ms. Output:\n${this.output.slice(-3000)}`)),
        timeoutMs,
      );
      this.listeners.push(check);
      this.exited.then(({ code, signal }) => {
        if (!re.exec(this.output))
          done(reject, new Error(`${this.name} exited (code ${code}, signal ${signal}) before printing ${re}. Output:\n${this.output.slice(-3000)}${this.spawnError ? `\n${this.spawnError.message}` : ''}`));
      });
      check();
    });
  }

  killNow(signal) {
    if (!this.running || !this.pid) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        process.kill(this.pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`. */
  async stop(graceMs = 5000) {
    if (!this.running) return;
    this.killNow('SIGTERM');
    const timer = setTimeout(() => this.killNow('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Children that ignored SIGTERM may outlive the leader: sweep the group.
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      /* group empty */
    }
  }
}

/** Runs a command to completion; rejects with its output on a non-zero exit or timeout. */
export async function run(name, command, args, options = {}) {
  const p = new Proc(name, command, args, options);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const timer = setTimeout(() => p.stop(), timeoutMs);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(`${name} failed (exit ${code}${signal ? `, ${signal}` : ''}):\n${p.output.slice(-4000)}${p.spawnError ? `\n${p.spawnError.message}` : ''}`);
  }
  return p.output;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]);
}
