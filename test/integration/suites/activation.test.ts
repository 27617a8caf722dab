// The extension is installed, activates on startup without errors, and its manifest is sound.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { config, EXTENSION_ID } from '../support/config';
import { waitFor } from '../support/wait';

describe('activation', () => {
  it('is installed and active after startup (onStartupFinished)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await waitFor(() => ext.isActive, 15_000, `${EXTENSION_ID} to activate`);
    assert.deepEqual((ext.packageJSON as { activationEvents: string[] }).activationEvents, ['onStartupFinished']);
  });

  // activate() catches its own failures (to report them), so its promise resolves whatever happened:
  // only the log line written at its very end proves it ran through.
  it('activate() runs to its end: the log says "Activated in", not "Activation failed"', async function () {
    const { logsDir } = config();
    if (!logsDir) this.skip(); // test-electron's entry has no extension context to tell the log folder
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const file = join(logsDir, EXTENSION_ID, 'Qwen Local.log');
    const log = await waitFor(() => existsSync(file) && /Activated in [\d.]+ ms/.test(readFileSync(file, 'utf8')) && readFileSync(file, 'utf8'), 15_000, `"Activated in" in ${file}`);
    assert.doesNotMatch(log, /Activation failed/);
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
