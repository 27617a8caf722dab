// Who may use a model server now: one lane per server address, shared by completions, chat and
// actions. A foreground request (a chat answer, an action) holds the lane; completions wait meanwhile
// and one in flight when the foreground starts is aborted. Pure (no `vscode`).

/**
 * One model server's "lane". A server that runs one request at a time (Ollama with
 * OLLAMA_NUM_PARALLEL=1, the default on small GPUs) would queue a completion behind a whole chat
 * answer; holding the lane during the chat makes completions wait instead.
 */
export class ServerLane {
  private holds = 0;
  private readonly freeWaiters = new Set<() => void>();
  private readonly busyListeners = new Set<() => void>();
  private anonymousRelease: (() => void) | undefined;

  /**
   * @param exclusive false for a server known to run requests in parallel: completions then never
   *   wait for (nor get aborted by) the foreground.
   */
  constructor(public exclusive = true) {}

  get foregroundBusy(): boolean {
    return this.exclusive && this.holds > 0;
  }

  /** Marks a foreground request as running until the returned function is called (idempotent). */
  acquireForeground(): () => void {
    this.holds++;
    if (this.holds === 1 && this.exclusive) for (const listener of [...this.busyListeners]) listener();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) {
        const waiters = [...this.freeWaiters];
        this.freeWaiters.clear();
        for (const wake of waiters) wake();
      }
    };
  }

  /** For callers that prefer a flag: true holds the lane (once), false releases that hold. */
  setForegroundBusy(busy: boolean): void {
    if (busy && !this.anonymousRelease) this.anonymousRelease = this.acquireForeground();
    if (!busy && this.anonymousRelease) {
      const release = this.anonymousRelease;
      this.anonymousRelease = undefined;
      release();
    }
  }

  /** Resolves true once no foreground request holds the lane; false if the signal aborts first. */
  whenFree(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (!this.foregroundBusy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = () => {
        this.freeWaiters.delete(wake);
        resolve(false);
      };
      this.freeWaiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Called when a foreground request takes the lane. Returns the unsubscribe function. */
  onForegroundBusy(listener: () => void): () => void {
    this.busyListeners.add(listener);
    return () => this.busyListeners.delete(listener);
  }
}

/** One lane per server address, shared by completions and chat. */
export class ServerLanes {
  private readonly lanes = new Map<string, ServerLane>();

  for(host: string): ServerLane {
    let lane = this.lanes.get(host);
    if (!lane) {
      lane = new ServerLane();
      this.lanes.set(host, lane);
    }
    return lane;
  }
}
