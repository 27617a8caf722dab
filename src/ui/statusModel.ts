// The status bar's state and its rules, without VS Code: what state a failure or a success leads
// to, when a person is told (once per incident), what work is in progress. The VS Code item in
// statusBar.ts only renders this and shows the notifications it asks for.

import type { BackendError } from '../backend/errors';
import type { StatusReporter } from '../services';
import { IncidentTracker } from './incidents';
import { statusView, type ConnectionState, type StatusFacts, type StatusView } from './statusView';

export type StaticFacts = Omit<StatusFacts, 'now' | 'working'>;

export interface StatusModelHooks {
  /** The state changed: render again. */
  changed(): void;
  /** A new incident a person should hear about (never called twice for one incident). */
  notify(error: BackendError): void;
  /**
   * A success followed an outage, an error or the first connection (`from` says which state it
   * ended): features may refresh (warm-up).
   */
  recovered(from: ConnectionState): void;
  log?(message: string): void;
}

export class StatusModel implements StatusReporter {
  private readonly incidents = new IncidentTracker();
  private readonly work = new Map<number, string>();
  private nextWorkId = 0;
  private current: StaticFacts;
  /** How many notifications were asked for: the fault tests count them. */
  notifications = 0;

  constructor(
    initial: Omit<StaticFacts, 'connection'>,
    private readonly hooks: StatusModelHooks,
  ) {
    this.current = { ...initial, connection: 'connecting' };
  }

  get facts(): Readonly<StaticFacts> {
    return this.current;
  }

  get offline(): boolean {
    return this.current.connection === 'offline';
  }

  get workInProgress(): number {
    return this.work.size;
  }

  view(now = Date.now()): StatusView {
    return statusView({ ...this.current, working: [...new Set(this.work.values())], now });
  }

  update(facts: Partial<StaticFacts>): void {
    this.current = { ...this.current, ...facts };
    this.hooks.changed();
  }

  beginWork(label: string): () => void {
    const id = this.nextWorkId++;
    this.work.set(id, label);
    this.hooks.changed();
    return () => {
      if (this.work.delete(id)) this.hooks.changed();
    };
  }

  setLoading(model: string | undefined, reloading = false): void {
    this.update({ loadingModel: model, reloading: model !== undefined && reloading });
  }

  reportOk(): void {
    const from = this.current.connection;
    const wasDown = this.incidents.resolve() || from !== 'ready';
    if (from !== 'ready' || this.current.lastError) this.update({ connection: 'ready', lastError: undefined });
    if (wasDown) this.hooks.recovered(from);
  }

  reportError(error: BackendError): void {
    if (error.kind === 'aborted') return;
    this.hooks.log?.(`${error.kind}: ${error.message}${error.detail && error.detail !== error.message ? ` (${error.detail})` : ''}`);
    if (error.kind === 'timeout') return; // shows nothing: the next keystroke tries again
    const isNew = this.incidents.report(error);
    this.update(error.kind === 'unreachable' ? { connection: 'offline' } : { connection: error.kind === 'busy' ? 'busy' : 'error', lastError: error.message });
    if (isNew) {
      this.notifications++;
      this.hooks.notify(error);
    }
  }
}
