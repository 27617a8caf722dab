// The staged diff and the commit message box: VS Code's Git extension API (vscode.git, getAPI(1)).
// When that extension is disabled, gitCli.ts runs git itself.

import * as vscode from 'vscode';

/** The part of the Git extension's API (extensions/git/src/api/git.d.ts) used here. */
export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  diff(cached?: boolean): Promise<string>;
  log?(options?: { maxEntries?: number }): Promise<{ message: string }[]>;
}

interface GitApi {
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

export async function gitApi(): Promise<GitApi | undefined> {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!extension) return undefined;
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    return exports?.enabled ? exports.getAPI(1) : undefined;
  } catch {
    return undefined;
  }
}

function hasRootUri(value: unknown): value is { rootUri: vscode.Uri } {
  return typeof value === 'object' && value !== null && 'rootUri' in value && value.rootUri instanceof vscode.Uri;
}

/**
 * The repository meant: the one whose Source Control title the command was run from, else the one
 * of the active file, else the only one, else the user picks.
 */
export async function pickRepository(api: GitApi, arg: unknown): Promise<GitRepository | undefined> {
  if (hasRootUri(arg)) {
    const repo = api.getRepository(arg.rootUri);
    if (repo) return repo;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file') {
    const repo = api.getRepository(active);
    if (repo) return repo;
  }
  if (api.repositories.length <= 1) return api.repositories[0];
  const pick = await vscode.window.showQuickPick(
    api.repositories.map((r) => ({ label: vscode.workspace.asRelativePath(r.rootUri) || r.rootUri.fsPath, repo: r })),
    { title: 'Qwen Local: commit message for which repository?' },
  );
  return pick?.repo;
}
