// The workspace's files for the index, through VS Code: `findFiles` with the user's `files.exclude`
// and `search.exclude` and the shared skipped folders, then .gitignore (which `findFiles` does not
// read) and the extension's exclude list, so that what the user hid is never read. Paths are
// workspace-relative; in a multi-root workspace they start with the folder's name.

import picomatch from 'picomatch';
import * as vscode from 'vscode';
import { excludeMatcher } from '../workspace/exclude';
import { searchExcludeGlob } from '../workspace/searchExcludes';
import { gitignoreMatcher, type IgnoreFile } from './gitignore';
import type { FileRef, WorkspaceSource } from './service';

const GITIGNORES_READ = 200;

export class VsCodeWorkspaceSource implements WorkspaceSource {
  private gitignored: (path: string) => boolean = () => false;
  private globMatch: { glob: string; match: (path: string) => boolean } | undefined;

  constructor(
    private readonly maxFiles: () => number,
    private readonly extensionExclude: () => readonly string[],
  ) {}

  /** Everything the index must never read: the extension's list, .gitignore, files/search excludes. */
  excluded(path: string): boolean {
    const uri = uriOf(path);
    if (uri && excludeMatcher(this.extensionExclude())({ fsPath: uri.fsPath, relativePath: path, uri: uri.toString() })) return true;
    if (this.gitignored(path)) return true;
    const glob = this.excludeGlob();
    if (this.globMatch?.glob !== glob) this.globMatch = { glob, match: picomatch(glob, { dot: true }) };
    return this.globMatch.match(path);
  }

  private excludeGlob(): string {
    const files = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude') ?? {};
    const search = vscode.workspace.getConfiguration('search').get<Record<string, unknown>>('exclude') ?? {};
    return searchExcludeGlob({ ...files, ...search });
  }

  async list(signal: AbortSignal): Promise<{ files: FileRef[]; truncated: boolean }> {
    const cts = new vscode.CancellationTokenSource();
    const cancel = () => cts.cancel();
    signal.addEventListener('abort', cancel);
    try {
      await this.readGitignores(cts.token);
      const max = this.maxFiles();
      const uris = await vscode.workspace.findFiles('**/*', this.excludeGlob(), max + 1, cts.token);
      const files = uris
        .slice(0, max)
        .map((uri) => ({ path: relativePathOf(uri), uri: uri.toString() }))
        .filter((f): f is FileRef => f.path !== undefined && !this.gitignored(f.path));
      return { files, truncated: uris.length > max };
    } finally {
      signal.removeEventListener('abort', cancel);
      cts.dispose();
    }
  }

  async read(file: FileRef, maxBytes: number): Promise<string | 'too-large' | undefined> {
    const uri = file.uri ? vscode.Uri.parse(file.uri) : uriOf(file.path);
    if (!uri) return undefined;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory) return undefined;
      if (stat.size > maxBytes) return 'too-large';
      return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined; // gone since it was listed, or unreadable
    }
  }

  private async readGitignores(token: vscode.CancellationToken): Promise<void> {
    const uris = await vscode.workspace.findFiles('**/.gitignore', '**/node_modules/**', GITIGNORES_READ, token);
    const files: IgnoreFile[] = [];
    for (const uri of uris) {
      const path = relativePathOf(uri);
      if (path === undefined) continue;
      try {
        const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
        files.push({ dir: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '', text });
      } catch {
        // unreadable: as if absent
      }
    }
    this.gitignored = gitignoreMatcher(files);
  }
}

/** The workspace-relative path of a file (prefixed with its folder's name in a multi-root workspace). */
export function relativePathOf(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  const inFolder = uri.path.slice(folder.uri.path.replace(/\/$/, '').length + 1);
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}/${inFolder}` : inFolder;
}

/** The file a workspace-relative path names, or undefined when no folder holds it. */
export function uriOf(path: string): vscode.Uri | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return undefined;
  if (folders.length === 1) return vscode.Uri.joinPath(folders[0].uri, path);
  const slash = path.indexOf('/');
  const folder = folders.find((f) => f.name === path.slice(0, slash));
  return folder ? vscode.Uri.joinPath(folder.uri, path.slice(slash + 1)) : undefined;
}
