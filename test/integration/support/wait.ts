import * as vscode from 'vscode';

// Small waiting helpers for suites (the extension works asynchronously after activate()).

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}


/** Reverts the editors of the file at `path` (so no save prompt) and closes them. */
export async function closeWithoutSaving(path: string): Promise<void> {
  const uri = vscode.Uri.file(path).toString();
  const tabs = () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri);
  if (tabs().length === 0) return;
  await vscode.window.showTextDocument(vscode.Uri.file(path));
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await vscode.window.tabGroups.close(tabs());
}
