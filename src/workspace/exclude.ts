// The one rule for which files never go into a prompt (`qwenLocal.completion.exclude`), for
// completions, chat and actions alike. Pure of `vscode`: it matches paths, and reads the disk only
// to resolve symbolic links.
//
// - Case-insensitive everywhere: on macOS's and Windows' disks `.ENV` and `ID_RSA` are the real files.
// - The resolved path is matched too: a `keys -> ~/.ssh` link does not hide `~/.ssh/config`.
// - Only `file` and `untitled` documents may be read: a `vscode-userdata:` settings.json can hold tokens.
// - Compiled globs are cached here, once for every caller.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import picomatch from 'picomatch';
import { LRUCache } from 'lru-cache';

/** A file to check: its file system path (or untitled name), its workspace-relative path, its URI. */
export interface ExcludeQuery {
  fsPath: string;
  relativePath?: string;
  uri?: string;
}

/** True for files that must never be read into a prompt. A string is a file system path. */
export type ExcludeCheck = (file: string | ExcludeQuery) => boolean;

const READABLE_SCHEMES = new Set(['file', 'untitled']);

const compiled = new LRUCache<string, (path: string) => boolean>({ max: 16 });
/** Resolved paths for a short while: the checks run per keystroke, links rarely change. */
const resolved = new LRUCache<string, { real: string | undefined }>({ max: 4096, ttl: 10_000 });

/**
 * The exclude check for a list of globs. `displayPath` gives the workspace-relative path of a
 * file system path when the caller passes only the latter (globs like `private/**` match it).
 */
export function excludeMatcher(globs: readonly string[], displayPath?: (fsPath: string) => string): ExcludeCheck {
  const match = compile(globs);
  return (file) => {
    const query = typeof file === 'string' ? { fsPath: file } : file;
    if (!readableScheme(query.uri) || !readableScheme(query.fsPath)) return true;
    if (globs.length === 0) return false;
    if (match(slash(query.fsPath))) return true;
    const relative = query.relativePath ?? displayPath?.(query.fsPath);
    if (relative !== undefined && match(slash(relative))) return true;
    const real = realpathSync(query.fsPath);
    return real !== undefined && real !== query.fsPath && match(slash(real));
  };
}

/**
 * The exclude check for paths relative to `root` (a repository's diff): each is matched as given
 * and, joined to the root, where its links lead.
 */
export function excludeMatcherUnder(globs: readonly string[], root: string | undefined): (relativePath: string) => boolean {
  const excluded = excludeMatcher(globs);
  return (relativePath) => excluded({ fsPath: root ? nodePath.join(root, relativePath) : relativePath, relativePath });
}

function compile(globs: readonly string[]): (path: string) => boolean {
  const key = globs.join('\u0000');
  let match = compiled.get(key);
  if (!match) {
    match = globs.length === 0 ? () => false : picomatch([...globs], { dot: true, nocase: true });
    compiled.set(key, match);
  }
  return match;
}

function slash(path: string): string {
  return path.replace(/\\/g, '/');
}

/** The scheme of a URI-like string (`vscode-userdata:/…`); undefined for paths (a drive letter is no scheme). */
export function schemeOf(uriOrPath: string): string | undefined {
  return /^([a-zA-Z][\w+.-]+):/.exec(uriOrPath)?.[1]?.toLowerCase();
}

function readableScheme(uriOrPath: string | undefined): boolean {
  if (uriOrPath === undefined) return true;
  const scheme = schemeOf(uriOrPath);
  return scheme === undefined || READABLE_SCHEMES.has(scheme);
}

/** The path with every symbolic link resolved; undefined when it is not an absolute path that exists. */
export function realpathSync(path: string): string | undefined {
  if (!nodePath.isAbsolute(path)) return undefined;
  const cached = resolved.get(path);
  if (cached) return cached.real;
  let real: string | undefined;
  try {
    real = fs.realpathSync.native(path);
  } catch {
    real = undefined;
  }
  resolved.set(path, { real });
  return real;
}

// ---- globs a workspace supplies ------------------------------------------------------------

/** Longer workspace globs are refused: nobody writes one, and matching cost grows with length. */
export const MAX_WORKSPACE_GLOB_CHARS = 200;
/** Wildcards in one glob (`**` counts once). */
export const MAX_WORKSPACE_GLOB_WILDCARDS = 6;
/**
 * `*`s within one path segment: each more multiplies the backtracking of the regex picomatch
 * builds (`*a*a*a*a*b` against a long folder name takes seconds).
 */
export const MAX_STARS_PER_SEGMENT = 2;

/**
 * Why a glob from a workspace's settings is refused, or undefined when it is fine. A repository's
 * settings must not be able to freeze the extension host with a glob that backtracks.
 */
export function unsafeGlobReason(glob: string): string | undefined {
  if (glob.trim() === '') return 'it is empty';
  if (glob.length > MAX_WORKSPACE_GLOB_CHARS) return `it is longer than ${MAX_WORKSPACE_GLOB_CHARS} characters`;
  if (/[!@*+?]\(/.test(glob)) return 'extended globs like +(…) are not accepted from a workspace';
  let wildcards = 0;
  for (const segment of glob.split('/')) {
    if (segment === '**') {
      wildcards++;
      continue;
    }
    const stars = (segment.match(/\*/g) ?? []).length;
    if (stars > MAX_STARS_PER_SEGMENT) return `it has more than ${MAX_STARS_PER_SEGMENT} * in one path segment`;
    wildcards += (segment.match(/\*+|\?/g) ?? []).length;
  }
  if (wildcards > MAX_WORKSPACE_GLOB_WILDCARDS) return `it has more than ${MAX_WORKSPACE_GLOB_WILDCARDS} wildcards`;
  return undefined;
}
