// Whether a path is inside one of the workspace folders, by its text and by where its symbolic
// links lead. Context from other files may read only such paths: an `#include "../../../etc/passwd"`
// or a link to `~/.ssh` in a repository must not put a file from elsewhere into a prompt.

import { realpath } from 'node:fs/promises';
import * as nodePath from 'node:path';

/** Folder names compare case-insensitively where the file systems usually do. */
const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';

/** True when `path` (absolute) is `root` or below it, comparing normalized paths. */
export function isWithin(path: string, root: string): boolean {
  const fold = (p: string) => (CASE_INSENSITIVE ? p.toLowerCase() : p);
  const relative = nodePath.relative(fold(nodePath.resolve(root)), fold(nodePath.resolve(path)));
  const up = relative === '..' || relative.startsWith('..' + nodePath.sep);
  return !up && !nodePath.isAbsolute(relative);
}

async function resolved(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * True when `path` lies in a workspace folder, both as written and after resolving links. A path
 * that does not exist on this disk is judged as written (it cannot be read through a link then).
 * No folders (a lone file is open): nothing is inside.
 */
export async function insideWorkspace(path: string, roots: readonly string[]): Promise<boolean> {
  if (!nodePath.isAbsolute(path) || !roots.some((root) => isWithin(path, root))) return false;
  const real = await resolved(path);
  if (real === undefined) return true;
  const realRoots = await Promise.all(roots.map(async (root) => (await resolved(root)) ?? root));
  return [...roots, ...realRoots].some((root) => isWithin(real, root));
}
