// The host's side of one chat page: the ready handshake, tracked here and nowhere else. Pure.
//
// Until the page has said `ready` and been sent its `init`, nothing else reaches it (it would be
// lost while the page loads). What `init` carries anyway (the conversation, the chips, the models,
// the streamed text so far) is not queued: `init` is its newest version. What it does not carry —
// putting the cursor in the input, the answer to a request — waits in the queue and follows `init`.
// A page that reloads says `ready` again and the handshake starts over.

import type { HostMessage } from '../protocol';

/** Messages `init` does not stand for: kept until the page is ready. */
const KEPT: ReadonlySet<HostMessage['type']> = new Set(['focusInput', 'reply']);
/** More than this many kept messages means the page is gone for good: keep the newest. */
const MAX_QUEUE = 100;

export class PageChannel {
  private ready = false;
  private queue: HostMessage[] = [];

  constructor(private readonly send: (message: HostMessage) => void) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** The page posted `ready`: it is (re)loading, and waits for its `init`. */
  pageLoading(): void {
    this.ready = false;
  }

  post(message: HostMessage): void {
    if (message.type === 'init') {
      this.send(message);
      this.ready = true;
      for (const queued of this.queue.splice(0)) this.send(queued);
      return;
    }
    if (this.ready) {
      this.send(message);
      return;
    }
    if (!KEPT.has(message.type)) return;
    // One focus request is enough.
    if (message.type === 'focusInput') this.queue = this.queue.filter((m) => m.type !== 'focusInput');
    this.queue.push(message);
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE);
  }
}
