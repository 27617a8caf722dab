import assert from 'node:assert/strict';
import { menuEntries, type MenuFacts } from '../../../src/ui/menuEntries';
import { manifest } from '../support/manifest';

const base: MenuFacts = { completionsEnabled: true, snoozed: false, languageDisabled: false, offline: false };
const commands = (f: MenuFacts) => menuEntries(f).filter((e) => !e.separator).map((e) => e.command);

describe('ui/menuEntries', () => {
  it('offline: the ways back first, the setup guide and the server address among them', () => {
    const entries = menuEntries({ ...base, offline: true });
    const top = entries.slice(0, 4).map((e) => e.command);
    assert.deepEqual(top, ['qwenLocal.retryConnection', 'qwenLocal.connectionDoctor', 'workbench.action.openWalkthrough', 'workbench.action.openSettings']);
    assert.deepEqual(entries[2].args, ['qwen-local.qwen-local#qwenLocal.setup', false], 'the walkthrough of package.json');
    assert.deepEqual(entries[3].args, ['qwenLocal.server.url']);
    // Each command once.
    const all = commands({ ...base, offline: true });
    assert.equal(all.filter((c) => c === 'workbench.action.openWalkthrough').length, 1);
    assert.equal(all.filter((c) => c === 'qwenLocal.connectionDoctor').length, 1);
  });

  it('online: the setup guide and the server address stay reachable under Setup', () => {
    const all = commands(base);
    assert.ok(all.includes('workbench.action.openWalkthrough'));
    assert.ok(all.includes('qwenLocal.connectionDoctor'));
    assert.notEqual(all[0], 'qwenLocal.retryConnection');
  });

  it('Restricted Mode: trust and "allow in this window" come first', () => {
    const all = commands({ ...base, restricted: true });
    assert.deepEqual(all.slice(0, 2), ['workbench.trust.manage', 'qwenLocal.allowInUntrustedWorkspace']);
    assert.ok(!commands(base).includes('workbench.trust.manage'));
  });

  it('offers Pull Model only for Ollama', () => {
    assert.ok(commands(base).includes('qwenLocal.pullModel'));
    assert.ok(!commands({ ...base, canPull: false }).includes('qwenLocal.pullModel'));
  });

  it('every Qwen Local command of the menu is declared in package.json', () => {
    const declared = new Set((manifest.contributes as unknown as { commands: { command: string }[] }).commands.map((c) => c.command));
    for (const f of [base, { ...base, offline: true }, { ...base, restricted: true }]) {
      for (const c of commands(f)) if (c?.startsWith('qwenLocal.')) assert.ok(declared.has(c), `${c} is declared`);
    }
  });
});
