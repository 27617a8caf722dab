// What both simulators share as servers: listening on loopback, keeping the port across restarts,
// and being killed (every connection cut at once) like a real server process.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { sleep } from './log';

export abstract class LoopbackServer {
  private readonly hostname: string;
  private boundPort: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** True from stop() until the next start(): streams cut then are logged as "killed". */
  protected isStopping = false;

  /** `name` labels errors; port 0 picks a free port on the first start, kept for restarts. */
  constructor(
    private readonly name: string,
    host: string | undefined,
    port: number | undefined,
  ) {
    this.hostname = host ?? '127.0.0.1';
    this.boundPort = port ?? 0;
  }

  /** Answers one request. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** Marks the streams in flight as killed (before their sockets are cut). */
  protected abstract killed(): void;

  /** Forgets what a restarted server would not remember (after every connection closed). */
  protected abstract stopped(): void;

  /** Listens (again) on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        console.error(`${this.name}: handler failed`, e);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
    this.isStopping = false;
  }

  /** Stops listening and cuts every connection, like a killed server; connections are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.isStopping = true;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.killed();
    for (const s of this.sockets) s.destroy();
    await closed;
    this.stopped();
  }

  /** stop(), `downMs` of refused connections, start() on the same port. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await sleep(downMs);
    await this.start();
  }

  get online(): boolean {
    return this.server !== undefined;
  }

  get port(): number {
    if (this.boundPort === 0) throw new Error(`${this.name}: start() it first`);
    return this.boundPort;
  }

  /** The server root, e.g. "http://127.0.0.1:43123". */
  get url(): string {
    return `http://${this.hostname}:${this.port}`;
  }
}
