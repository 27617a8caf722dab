// `git diff` run directly, for Write Commit Message when VS Code's Git extension is disabled. A
// repository's own config must never run code here: git's path is resolved outside the workspace,
// every config key that names a command git would run for a diff is switched off, and nothing runs
// in an untrusted workspace. Pure of `vscode`; the glue passes the trust and the workspace folders.

import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

const GIT_TIMEOUT_MS = 15_000;

export interface GitDiffOptions {
  /** The repository's folder. */
  cwd: string;
  /** `git diff --cached` (staged) or `git diff` (working tree). */
  cached: boolean;
  /** `vscode.workspace.isTrusted`: an untrusted workspace gets no git at all. */
  trusted: boolean;
  /** Folders whose copies of git are never run (the workspace folders). */
  workspaceFolders: readonly string[];
  signal?: AbortSignal;
  /** For tests: the environment whose PATH is searched. */
  env?: NodeJS.ProcessEnv;
}

/** Thrown when git is not run, with the sentence a person reads. */
export class GitRefused extends Error {}

function inside(p: path.PlatformPath, child: string, parent: string): boolean {
  const rel = p.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * git's absolute path from PATH: only absolute entries, never one inside a workspace folder (on
 * Windows a `git.exe` in the current folder would otherwise be found first), never a relative one
 * such as `.`. Undefined when there is none.
 */
export function resolveGit(
  env: NodeJS.ProcessEnv,
  workspaceFolders: readonly string[],
  platform: NodeJS.Platform = process.platform,
  isExecutable: (file: string) => boolean = isExecutableFile,
): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const pathVar = platform === 'win32' ? (env.Path ?? env.PATH ?? '') : (env.PATH ?? '');
  const names = platform === 'win32' ? ['git.exe'] : ['git'];
  const folders = workspaceFolders.map((f) => p.resolve(f));
  for (const dir of pathVar.split(p.delimiter)) {
    if (!dir || !p.isAbsolute(dir)) continue;
    const resolved = p.resolve(dir);
    if (folders.some((f) => (platform === 'win32' ? inside(p, resolved.toLowerCase(), f.toLowerCase()) : inside(p, resolved, f)))) continue;
    for (const name of names) {
      const file = p.join(resolved, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** Options before the subcommand that switch off what a repository's config could make git run. */
export const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'diff.external=', '-c', 'core.quotepath=false'];

/** `-c` overrides that empty every filter driver's commands (a working-tree diff runs `clean`). */
export function filterOverrides(configNames: readonly string[]): string[] {
  const drivers = new Set<string>();
  for (const name of configNames) {
    const m = /^filter\.(.+)\.[^.]+$/i.exec(name.trim());
    if (m) drivers.add(m[1]);
  }
  return [...drivers].flatMap((d) => ['-c', `filter.${d}.clean=`, '-c', `filter.${d}.smudge=`, '-c', `filter.${d}.process=`, '-c', `filter.${d}.required=false`]);
}

/** The arguments of the diff itself. */
export function diffArgs(cached: boolean, overrides: readonly string[] = []): string[] {
  return ['--no-pager', ...SAFE_CONFIG, ...overrides, 'diff', ...(cached ? ['--cached'] : []), '--no-color', '--no-ext-diff', '--no-textconv'];
}

function run(git: string, args: string[], options: GitDiffOptions, okCodes: readonly number[] = [0]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  delete env.GIT_EXTERNAL_DIFF;
  return new Promise((resolve, reject) => {
    execFile(git, args, { cwd: options.cwd, env, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true, signal: options.signal }, (error, stdout, stderr) => {
      const code = error && typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : undefined;
      if (error && !(code !== undefined && okCodes.includes(code))) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout);
    });
  });
}

/** `git diff [--cached]` in a folder: no shell, a timeout, a size cap, and none of the repository's commands. */
export async function gitDiffCli(options: GitDiffOptions): Promise<string> {
  if (!options.trusted) throw new GitRefused('this workspace is not trusted, so Qwen Local does not run git in it. Trust the workspace (or enable the Git extension) and try again.');
  const git = resolveGit(options.env ?? process.env, options.workspaceFolders);
  if (!git) throw new GitRefused('git was not found on PATH (outside the workspace). Install git or enable the Git extension.');
  // A working-tree diff runs the filter drivers' `clean` commands: empty every one the config names.
  // (`git config` exits 1 when there is none.)
  const overrides = options.cached ? [] : filterOverrides((await run(git, [...SAFE_CONFIG, 'config', '--null', '--name-only', '--get-regexp', '^filter\\.'], options, [1])).split('\0'));
  return run(git, diffArgs(options.cached, overrides), options);
}
