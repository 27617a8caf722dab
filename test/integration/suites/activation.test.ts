// The extension is installed, activates on startup without errors, and its manifest is sound.

import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../support/config';
import { waitFor } from '../support/wait';

describe('activation', () => {
  it('is installed and active after startup (onStartupFinished)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await waitFor(() => ext.isActive, 15_000, `${EXTENSION_ID} to activate`);
    assert.deepEqual((ext.packageJSON as { activationEvents: string[] }).activationEvents, ['onStartupFinished']);
  });

  it('activate() resolves without throwing', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate(); // rejects with the activation error, if there was one
  });

  it('runs beside the workspace: in a remote window, in the remote extension host', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    // In code-server the UI is a browser and the files are on the server: an extension that
    // insisted on "ui" would not run there at all. A local window runs everything on the UI side.
    const remote = vscode.env.remoteName !== undefined || vscode.env.appHost !== 'desktop';
    assert.equal(ext.extensionKind, remote ? vscode.ExtensionKind.Workspace : vscode.ExtensionKind.UI);
  });
});
