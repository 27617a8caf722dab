// Continuous batching in miniature, as vLLM's scheduler and llama-server's slots do it: up to
// `maxBatch` sequences decode together (a new request joins between two decode steps instead of
// waiting for the others to finish), each step is slower the more sequences share it, and a
// bounded waiting queue refuses the next request.
//
// vLLM: vllm/v1/core/sched/scheduler.py admits waiting requests into the running batch every step
// (max_num_seqs); vllm/v1/engine/exceptions.py SchedulerWaitingQueueFullError is raised when the
// waiting queue is full. That the HTTP layer answers it with 503 is modelled, not verified.
// llama.cpp: --parallel slots; a request waits for a free slot (tools/server/server.cpp).

import { AbortedError, QueueFullError } from '../scheduler';
import type { OpenAITiming } from './types';

export { AbortedError, QueueFullError };

interface Waiter {
  admit(): void;
}

export class Batch {
  private runningNow = 0;
  private maxRunningSeen = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: () => { maxBatch: number; maxQueue: number }) {}

  get running(): number {
    return this.runningNow;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Most sequences that ever decoded in the same step. */
  get maxRunning(): number {
    return this.maxRunningSeen;
  }

  /** Joins the running batch (waiting FIFO while it is full); resolves with the batch size then. */
  async join(signal: AbortSignal): Promise<number> {
    if (signal.aborted) throw new AbortedError();
    const { maxBatch, maxQueue } = this.limits();
    if (this.runningNow < maxBatch && this.waiting.length === 0) return this.admit();
    if (this.waiting.length >= maxQueue) throw new QueueFullError();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new AbortedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
    return this.runningNow;
  }

  private admit(): number {
    this.runningNow++;
    this.maxRunningSeen = Math.max(this.maxRunningSeen, this.runningNow);
    return this.runningNow;
  }

  /** The sequence finished or was aborted: its place goes to the first waiter. */
  leave(): void {
    this.runningNow = Math.max(0, this.runningNow - 1);
    const next = this.waiting.shift();
    if (next) {
      this.admit();
      next.admit();
    }
  }

  /** Milliseconds of one decode step now. */
  stepMs(timing: OpenAITiming): number {
    return timing.tokenMs * (1 + timing.batchSlowdown * Math.max(0, this.runningNow - 1));
  }

  /** Server restart: nothing runs, nobody waits (their sockets were cut). */
  reset(): void {
    this.runningNow = 0;
    this.waiting.length = 0;
  }

  clearStats(): void {
    this.maxRunningSeen = this.runningNow;
  }
}
