// The codebase index in a real editor: Index Workspace reads the e2e workspace (never its .env),
// embeds through the simulator's /api/embed, and the language model tool answers with path:line
// chunks; Show Index Status opens its report.

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { config, EXTENSION_ID } from '../support/config';
import { simControl, simRequests } from '../support/sim';
import { waitFor } from '../support/wait';

const SECRET = 'sk-integration-7f3e9a1b2c4d';
const EMBED_MODEL = 'nomic-embed-text';

describe('codebase index', function () {
  this.timeout(60_000);
  let envFile: string | undefined;

  before(async function () {
    const { workspace, simUrl } = config();
    if (!workspace || !simUrl || (vscode.workspace.workspaceFolders?.length ?? 0) === 0) this.skip();
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    envFile = join(workspace, '.env');
    writeFileSync(envFile, `OPENAI_API_KEY=${SECRET}\n`);
    // `models` replaces the installed list: keep what the other suites and scenarios expect.
    const tags = (await (await fetch(`${simUrl}/api/tags`, { signal: AbortSignal.timeout(5000) })).json()) as { models: { name: string }[] };
    const installed = tags.models.map((m) => ({ name: m.name }));
    await simControl('POST', '/config', { models: [...installed, { name: EMBED_MODEL, family: 'nomic-bert', capabilities: ['embedding'] }] });
  });

  after(async () => {
    if (envFile) rmSync(envFile, { force: true });
    const { simUrl } = config();
    // Leave the simulator's model list as the scenarios that follow expect it.
    if (simUrl) await fetch(`${simUrl}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: EMBED_MODEL }), signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Index Workspace indexes with vectors; the search tool returns path:line chunks and never the .env', async () => {
    const before = (await simRequests()).at(-1)?.id ?? 0;
    await vscode.commands.executeCommand('qwenLocal.indexWorkspace');
    const embeds = (await simRequests(before)).filter((r) => r.endpoint === 'embed');
    assert.ok(embeds.length > 0, 'chunks were embedded through /api/embed');
    const log = JSON.stringify(await simControl('GET', `/log?afterId=${before}`));
    assert.ok(!log.includes(SECRET), 'the .env never reached the server');

    assert.equal(typeof vscode.lm?.invokeTool, 'function', 'this editor has the language model tools API');
    const tool = vscode.lm.tools.find((t) => t.name === 'qwenLocal_searchCodebase');
    assert.ok(tool, `the tool is registered (tools: ${vscode.lm.tools.map((t) => t.name).join(', ')})`);
    const result = await vscode.lm.invokeTool('qwenLocal_searchCodebase', { input: { query: 'multiply two numbers' }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    assert.match(text, /src\/math\.ts:\d+(-\d+)?/);
    assert.match(text, /multiply/);
    assert.ok(!text.includes(SECRET));
    const scoped = await vscode.lm.invokeTool('qwenLocal_searchCodebase', { input: { query: 'greet', pathGlob: '**/*.ts' }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const scopedText = scoped.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    assert.doesNotMatch(scopedText, /app\.py/, 'pathGlob limits the files');
  });

  it('Show Index Status opens the report naming the embedding model', async () => {
    await vscode.commands.executeCommand('qwenLocal.showIndexStatus');
    const doc = await waitFor(() => vscode.window.activeTextEditor?.document.getText().includes('codebase index') && vscode.window.activeTextEditor.document, 10_000, 'the index status report');
    assert.match(doc.getText(), /nomic-embed-text/);
    assert.match(doc.getText(), /Files \| [1-9]/);
    assert.equal(doc.uri.scheme, 'qwen-local-index', 'read-only: closing it never asks to save');
  });
});
