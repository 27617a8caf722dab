// The inline completion provider answers from the model server: called directly (the provider
// object a second instance registers) and through the editor (VS Code's inline-suggest commands on
// the provider the running extension registered).

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { config, EXTENSION_ID } from '../support/config';
import { createIsolatedInstance, type IsolatedInstance } from '../support/isolated';
import { simControl, simRequests } from '../support/sim';
import { closeWithoutSaving, sleep, waitFor } from '../support/wait';

const PREFIX = 'export function triple(n: number): number {\n  return';
const ANSWER = ' n * 3;';

function itemText(item: vscode.InlineCompletionItem): string {
  return typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
}

describe('completion', () => {
  // A file on disk (not an untitled document): it can be reverted and closed without a prompt.
  let file = '';

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    await simControl('POST', '/config', { completions: [{ whenPrefixEndsWith: PREFIX, answer: ANSWER }], defaultCompletion: '' });
    const folder = config().workspace;
    assert.ok(folder, 'no workspace folder in the integration config');
    file = join(folder, 'it-completion.ts');
    writeFileSync(file, PREFIX);
  });

  after(async () => {
    await simControl('POST', '/config', { completions: [] });
    await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
    await sleep(300); // let the inline-suggest widget settle before its document goes away
    await closeWithoutSaving(file);
    rmSync(file, { force: true });
  });

  describe('the provider, called directly', () => {
    let instance: IsolatedInstance;

    before(async () => {
      instance = createIsolatedInstance(EXTENSION_ID);
      await instance.activate();
    });

    after(async () => {
      await instance.deactivate();
    });

    it('is registered for files and untitled documents', () => {
      const registrations = instance.registrations('registerInlineCompletionItemProvider');
      assert.equal(registrations.length, 1);
      const selector = JSON.stringify(registrations[0]![0]);
      assert.match(selector, /"file"/);
      assert.match(selector, /"untitled"/);
    });

    it("returns the simulator's answer as an item at the cursor", async () => {
      const provider = instance.registrations('registerInlineCompletionItemProvider')[0]![1] as vscode.InlineCompletionItemProvider;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const position = doc.positionAt(PREFIX.length);
      const mark = (await simRequests()).at(-1)?.id ?? 0;
      const source = new vscode.CancellationTokenSource();
      // The model may still be loading right after activation: ask until an answer comes (explicit trigger).
      const items = await waitFor(
        async () => {
          const result = await provider.provideInlineCompletionItems(doc, position, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, source.token);
          const list = Array.isArray(result) ? result : result?.items;
          return list && list.length > 0 ? list : undefined;
        },
        15_000,
        'an inline completion item',
      );
      source.dispose();
      assert.equal(itemText(items[0]!).trim(), ANSWER.trim());
      const range = items[0]!.range;
      assert.ok(range, 'the item has an explicit range (VS Code hides range-less items after a partial word)');
      assert.ok(range.isEmpty && range.start.isEqual(position), `range ${JSON.stringify(range)}`);
      const generated = (await simRequests(mark)).filter((r) => r.endpoint === 'generate');
      assert.ok(generated.length >= 1, 'no /api/generate request reached the simulator');
    });
  });

  describe('in an editor', () => {
    it('the suggestion of the running extension is committed into the document', async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const editor = await vscode.window.showTextDocument(doc);
      const end = doc.positionAt(PREFIX.length);
      editor.selection = new vscode.Selection(end, end);
      await waitFor(
        async () => {
          await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
          await sleep(400);
          await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
          return doc.getText() !== PREFIX;
        },
        15_000,
        'the inline suggestion to be committed',
      );
      assert.equal(doc.getText(), PREFIX + ANSWER);
    });
  });
});
