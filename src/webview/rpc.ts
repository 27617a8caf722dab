// The page's end of the protocol: posts to the host, checks what the host sends with the shared
// schemas (src/protocol.ts), and matches replies to the requests that asked for them.

import { parseHostMessage, PROTOCOL_VERSION, type HostMessage, type WebviewMessage } from '../protocol';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export class PageRpc {
  private nextRequest = 1;
  private readonly replies = new Map<number, (ok: boolean, message?: string) => void>();

  constructor(private readonly api: VsCodeApi) {}

  post(message: WebviewMessage): void {
    this.api.postMessage(message);
  }

  /** Listens for the host's messages (malformed ones are ignored), then tells the host the page is ready. */
  start(window: Window, handle: (message: HostMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const message = parseHostMessage(event.data);
      if (message) this.receive(message, handle);
    });
    this.post({ type: 'ready', protocol: PROTOCOL_VERSION });
  }

  /** Replies go to their request; everything else to `handle`. */
  receive(message: HostMessage, handle: (message: HostMessage) => void): void {
    if (message.type !== 'reply') {
      handle(message);
      return;
    }
    const reply = this.replies.get(message.requestId);
    this.replies.delete(message.requestId);
    reply?.(message.ok, message.message);
  }

  /** Posts a request; `onReply` runs when the host answers it. */
  request(make: (requestId: number) => WebviewMessage, onReply: (ok: boolean, message?: string) => void): void {
    const requestId = this.nextRequest++;
    this.replies.set(requestId, onReply);
    this.post(make(requestId));
  }
}
