import assert from 'node:assert/strict';
import { ChipTray } from '../../../src/chat/chips';
import type { EditorState } from '../../../src/chat/ide';
import { statusView, type StatusFacts } from '../../../src/ui/statusView';
import { isVirtual, limitsTooltip, restrictedNotice, workspaceLimits, type TrustFacts } from '../../../src/workspace/trust';

const trusted: TrustFacts = { trusted: true, allowedInWindow: false, folderSchemes: ['file'] };
const untrusted: TrustFacts = { trusted: false, allowedInWindow: false, folderSchemes: ['file'] };

describe('workspace/trust', () => {
  it('a trusted disk workspace limits nothing and says nothing', () => {
    assert.deepEqual(workspaceLimits(trusted), { completions: true, autoAttach: true, git: true, indexing: true, restricted: false, virtual: false });
    assert.equal(limitsTooltip(trusted), undefined);
    assert.equal(restrictedNotice(trusted, false), undefined);
  });

  it('Restricted Mode: no completions, no automatic attachments, no git, no index', () => {
    const l = workspaceLimits(untrusted);
    assert.deepEqual(l, { completions: false, autoAttach: false, git: false, indexing: false, restricted: true, virtual: false });
    assert.match(limitsTooltip(untrusted) ?? '', /Restricted Mode.*Inline completions are off.*Allow in This Window/s);
  });

  it('"Allow in This Window" lifts completions and attachments, never git', () => {
    const allowed = { ...untrusted, allowedInWindow: true };
    const l = workspaceLimits(allowed);
    assert.equal(l.completions, true);
    assert.equal(l.autoAttach, true);
    assert.equal(l.restricted, false);
    assert.equal(l.git, false, 'git runs repository configuration: only real trust allows it');
    assert.match(limitsTooltip(allowed) ?? '', /Write Commit Message still needs a trusted workspace/);
  });

  it('the Restricted Mode notice comes once per workspace, and not after an allowance', () => {
    assert.match(restrictedNotice(untrusted, false) ?? '', /Restricted Mode.*completions are off/);
    assert.equal(restrictedNotice(untrusted, true), undefined);
    assert.equal(restrictedNotice({ ...untrusted, allowedInWindow: true }, false), undefined);
  });

  it('a virtual workspace (vscode-vfs) has no git and no index, and says so', () => {
    assert.equal(isVirtual(['file']), false);
    assert.equal(isVirtual([]), false, 'no folder is not virtual');
    assert.equal(isVirtual(['file', 'vscode-vfs']), true);
    const v = { ...trusted, folderSchemes: ['vscode-vfs'] };
    const l = workspaceLimits(v);
    assert.equal(l.git, false);
    assert.equal(l.indexing, false);
    assert.equal(l.completions, true);
    assert.match(limitsTooltip(v) ?? '', /Virtual workspace: Write Commit Message \(git\) and the codebase index are off/);
  });
});

describe('ui/statusView in Restricted Mode', () => {
  const base: StatusFacts = { connection: 'ready', host: 'http://127.0.0.1:11434', completionModel: 'a', chatModel: 'b', completionsEnabled: true, working: [], now: 0 };

  it('says "restricted" and why, in text and tooltip', () => {
    const v = statusView({ ...base, restricted: true, limits: limitsTooltip(untrusted) });
    assert.equal(v.text, '$(shield) Qwen: restricted');
    assert.match(v.tooltip, /Completions wait until you trust this workspace[\s\S]*Restricted Mode: this workspace is not trusted/);
  });

  it('an outage still shows first', () => {
    assert.match(statusView({ ...base, connection: 'offline', restricted: true }).text, /offline/);
  });
});

describe('chat/chips in Restricted Mode', () => {
  const editor: EditorState = {
    file: { uri: 'file:///w/app.ts', fsPath: '/w/app.ts', relativePath: 'app.ts', languageId: 'typescript', text: 'const secret = 1;\n' },
    selection: { range: { startLine: 1, endLine: 1 }, text: 'const secret = 1;' },
  };
  let n = 0;
  const id = () => `id${n++}`;

  it('shows the current file and selection switched off, and attaches nothing until clicked', () => {
    let allowed = false;
    const tray = new ChipTray((t) => t.length, () => [], () => allowed);
    const views = tray.views(editor);
    assert.deepEqual(views.map((v) => [v.id, v.enabled]), [['auto:selection', false], ['auto:file', false]]);
    assert.match(views[1].detail ?? '', /not attached in Restricted Mode.*click to attach/);
    assert.deepEqual(tray.take(editor, false, id), [], 'nothing goes with the message');
    // The person's click is their say.
    tray.toggle('auto:file');
    assert.deepEqual(tray.take(editor, false, id).map((a) => a.kind), ['file']);
    // Trust granted: the selection follows it too; the file keeps the person's choice.
    allowed = true;
    assert.deepEqual(tray.take(editor, false, id).map((a) => a.kind).sort(), ['file', 'selection']);
  });

  it('in a trusted workspace both chips are on, as before', () => {
    const tray = new ChipTray((t) => t.length, () => []);
    assert.deepEqual(tray.views(editor).map((v) => v.enabled), [true, true]);
    tray.toggle('auto:file');
    assert.deepEqual(tray.take(editor, false, id).map((a) => a.kind), ['selection']);
  });
});
