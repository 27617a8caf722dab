// Back-pressure shared by both simulators: a real server's streaming write blocks while the client
// has not read what was sent, so a token loop faster than its client cannot pile data up in memory.

import type { ServerResponse } from 'node:http';

/** Resolves once `res` has room again (or at once when it has), or when `signal` aborts. */
export async function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted || !res.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
