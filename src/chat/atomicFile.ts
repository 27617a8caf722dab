// Crash-safe file replacement: write a temporary file beside the target, flush it to disk, then
// rename it over the target. A crash at any point leaves either the old file or the new one, never
// a mix. Pure Node: no `vscode`.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteHooks {
  /** Runs after the temporary file is complete and synced, before the rename (tests crash here). */
  beforeRename?(tempPath: string): Promise<void> | void;
}

/** The prefix of temporary files for `target`; leftovers of a crash start with it. */
export function tempPrefix(target: string): string {
  return `.${path.basename(target)}.tmp-`;
}

export async function writeFileAtomic(target: string, data: string, hooks: AtomicWriteHooks = {}): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(temp, 'w', 0o600);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await hooks.beforeRename?.(temp);
    await renameWithRetry(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** Windows refuses a rename over a file another process (an indexer, a virus scanner) holds open. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 4 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/** Makes the rename itself durable. Not possible on Windows (opening a directory fails): skipped there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes temporary files a crashed writer left beside `target`; returns how many. */
export async function removeStaleTemps(target: string): Promise<number> {
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(target));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    await fs.rm(path.join(path.dirname(target), name), { force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}
