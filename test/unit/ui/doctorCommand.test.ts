// The Connection Doctor is reachable: declared in the manifest, registered by the core commands, offered
// in the status menu; its report is a read-only virtual document, never an Untitled buffer.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { menuEntries } from '../../../src/ui/menuEntries';

const root = join(__dirname, '../../..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

describe('ui: the Connection Doctor command', () => {
  it('is declared, registered and in the status menu', () => {
    const manifest = JSON.parse(read('package.json')) as { contributes: { commands: { command: string; title: string; category?: string }[] } };
    const entry = manifest.contributes.commands.find((c) => c.command === 'qwenLocal.connectionDoctor');
    assert.ok(entry, 'declared in package.json');
    assert.equal(entry.category, 'Qwen Local');
    assert.match(read('src/ui/commands.ts'), /cmd\('qwenLocal\.connectionDoctor'/);
    for (const offline of [false, true]) {
      const menu = menuEntries({ completionsEnabled: true, snoozed: false, languageDisabled: false, offline });
      assert.ok(menu.some((e) => e.command === 'qwenLocal.connectionDoctor'), `in the status menu (offline: ${offline})`);
    }
  });

  it('shows the report read-only (a content provider), not in an Untitled document', () => {
    const source = read('src/ui/commands.ts');
    const body = source.slice(source.indexOf("cmd('qwenLocal.connectionDoctor'"), source.indexOf("cmd('qwenLocal.showStatistics'"));
    assert.match(source, /registerTextDocumentContentProvider\(DOCTOR_URI\.scheme/);
    assert.match(body, /doctorReport\(result\)/);
    assert.doesNotMatch(body, /openTextDocument\(\{/, 'no Untitled buffer with content');
  });
});
