// Every command the manifest contributes is registered by activate(): a palette entry that answers
// "command not found" is the first thing a user would hit.

import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../support/config';
import { waitFor } from '../support/wait';

function manifestCommands(): string[] {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  return (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
}

describe('commands', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  it('every contributed command is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifestCommands().filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'contributed in package.json but not registered');
  });

  it('Show Log shows the "Qwen Local" channel', async () => {
    // The Output panel's document reaches the extension host as an output: URI naming the channel.
    const isChannel = (d: vscode.TextDocument) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.toString()).includes('Qwen Local');
    await vscode.commands.executeCommand('qwenLocal.showLog');
    await waitFor(() => vscode.workspace.textDocuments.some(isChannel), 10_000, `the Qwen Local output channel among the open documents (${vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(', ')})`);
    // Leave the window as it was for the e2e scenarios that run next in the same session.
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });
});
