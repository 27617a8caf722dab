// Where code is sent is a machine decision: qwenLocal.ollamaHost has machine scope, and a value a
// workspace brings along (a cloned repository's .vscode/settings.json) is ignored.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { config, EXTENSION_ID } from '../support/config';
import { waitFor } from '../support/wait';

const EVIL = 'http://203.0.113.7:11434';

interface ConfigurationProperty {
  scope?: string;
}

describe('settings', () => {
  it('the manifest gives qwenLocal.ollamaHost machine scope', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    // The settings come in titled groups (an array), as the settings editor shows them.
    type Group = { properties: Record<string, ConfigurationProperty> };
    const configuration = (ext.packageJSON as { contributes: { configuration: Group | Group[] } }).contributes.configuration;
    const props = Object.assign({}, ...(Array.isArray(configuration) ? configuration : [configuration]).map((g) => g.properties)) as Record<string, ConfigurationProperty>;
    assert.equal(props['qwenLocal.ollamaHost']?.scope, 'machine');
  });

  it('the user value points at the simulator', () => {
    const host = vscode.workspace.getConfiguration('qwenLocal').get<string>('ollamaHost');
    assert.equal(host, config().simUrl);
  });

  it('VS Code refuses to write the host into workspace settings', async () => {
    await assert.rejects(
      Promise.resolve(vscode.workspace.getConfiguration('qwenLocal').update('ollamaHost', EVIL, vscode.ConfigurationTarget.Workspace)),
    );
  });

  describe('a workspace .vscode/settings.json that names another host', () => {
    const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let createdDir = false;
    let file = '';

    before(async () => {
      const root = folder();
      assert.ok(root, 'the window has no workspace folder');
      const dir = join(root, '.vscode');
      createdDir = !existsSync(dir);
      mkdirSync(dir, { recursive: true });
      file = join(dir, 'settings.json');
      writeFileSync(file, JSON.stringify({ 'qwenLocal.ollamaHost': EVIL, 'qwenLocal.keepAlive': '-1', 'qwenLocal.completion.debounceMs': 97 }));
      // The debounce value (a window-scoped setting) shows that the file was read at all.
      await waitFor(() => vscode.workspace.getConfiguration('qwenLocal').get('completion.debounceMs') === 97, 10_000, 'the workspace settings file to be read').catch(() => {});
    });

    after(async () => {
      if (file) rmSync(file, { force: true });
      const root = folder();
      if (createdDir && root) rmSync(join(root, '.vscode'), { recursive: true, force: true });
      await waitFor(() => vscode.workspace.getConfiguration('qwenLocal').get('completion.debounceMs') !== 97, 10_000, 'the workspace settings file to be gone').catch(() => {});
    });

    it('is read (a window-scoped value from the same file applies)', () => {
      assert.equal(vscode.workspace.getConfiguration('qwenLocal').get('completion.debounceMs'), 97);
    });

    it('does not pin GPU memory either: keepAlive is machine-scoped (security review finding 6)', () => {
      assert.notEqual(vscode.workspace.getConfiguration('qwenLocal').get('keepAlive'), '-1');
    });

    it('does not change the host the extension sees', () => {
      const c = vscode.workspace.getConfiguration('qwenLocal');
      assert.equal(c.get('ollamaHost'), config().simUrl);
      assert.notEqual(c.inspect('ollamaHost')?.workspaceValue, EVIL);
    });
  });
});
