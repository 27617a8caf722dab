// Detection run once, cached, re-run on request. No `vscode`; detection itself is injected.

import type { HardwareInfo } from './types';

export type Listener<T> = (value: T) => void;

export class HardwareService {
  private pending: Promise<HardwareInfo> | undefined;
  private last: HardwareInfo | undefined;
  private readonly listeners = new Set<Listener<HardwareInfo>>();

  constructor(private readonly detectFn: () => Promise<HardwareInfo>) {}

  /** The last result, or undefined while the first detection runs. */
  current(): HardwareInfo | undefined {
    return this.last;
  }

  /** The cached detection (started on first call). */
  detect(): Promise<HardwareInfo> {
    this.pending ??= this.run();
    return this.pending;
  }

  /** Runs detection again (after a driver install, an eGPU plugged in, …). */
  redetect(): Promise<HardwareInfo> {
    this.pending = this.run();
    return this.pending;
  }

  onDidChange(listener: Listener<HardwareInfo>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async run(): Promise<HardwareInfo> {
    const info = await this.detectFn();
    this.last = info;
    for (const listener of this.listeners) listener(info);
    return info;
  }
}
