import * as assert from 'node:assert/strict';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { autoAttachable, fileAttachment, MAX_ATTACHMENT_CHARS, problemsAttachment, selectionAttachment, type FileSnapshot } from '../../../src/chat/attachments';
import { excludeMatcher } from '../../../src/workspace/exclude';

const file: FileSnapshot = { uri: 'file:///w/src/app.ts', fsPath: '/w/src/app.ts', relativePath: 'src/app.ts', languageId: 'typescript', text: 'line 1\nline 2\nbad();\n' };

describe('chat attachments', () => {
  it('never attaches files matching the exclude globs (absolute or relative paths)', () => {
    const excluded = excludeMatcher(DEFAULT_EXCLUDE);
    for (const p of ['/w/.env', '/w/config/.env.local', '/home/u/.ssh/id_rsa', '/w/certs/server.pem', '/w/.aws/credentials', '/w/secrets.json']) {
      assert.ok(excluded({ fsPath: p }), p);
    }
    assert.ok(excluded({ fsPath: 'C:\\w\\.env' }), 'Windows separators');
    assert.ok(excluded({ fsPath: '/elsewhere/x', relativePath: '.npmrc' }));
    assert.ok(!excluded({ fsPath: '/w/src/app.ts', relativePath: 'src/app.ts' }));
    assert.ok(!excludeMatcher([])({ fsPath: '/w/.env' }));
  });

  it('describes files, selections and problems for the model and the chips', () => {
    const f = fileAttachment('f', file);
    assert.deepEqual([f.kind, f.label, f.path, f.languageId], ['file', 'app.ts', 'src/app.ts', 'typescript']);
    const s = selectionAttachment('s', file, { range: { startLine: 2, endLine: 3 }, text: 'line 2\nbad();' });
    assert.equal(s.label, 'app.ts:2-3');
    const p = problemsAttachment('p', file, [
      { line: 3, column: 1, severity: 'warning', message: 'Unused', source: 'ts', code: '6133' },
      { line: 3, column: 1, severity: 'error', message: "Cannot find name 'bad'.", source: 'ts', code: '2304' },
    ]);
    assert.equal(p.label, 'Problems in app.ts');
    assert.equal(p.content, "- line 3:1 error: Cannot find name 'bad'. (ts 2304)\n  `bad();`\n- line 3:1 warning: Unused (ts 6133)\n  `bad();`");
    assert.equal(problemsAttachment('p', file, []).content, 'No problems reported.');
  });

  it('caps very large files', () => {
    const big = fileAttachment('b', { ...file, text: 'x'.repeat(MAX_ATTACHMENT_CHARS + 10) });
    assert.equal(big.content.length, MAX_ATTACHMENT_CHARS);
    assert.equal(big.truncatedChars, 10);
  });

  it('attaches only the user\'s files by itself, never vscode-userdata (settings can hold tokens)', () => {
    assert.deepEqual(['file', 'untitled', 'vscode-userdata', 'output', 'git', 'vscode-remote'].filter(autoAttachable), ['file', 'untitled']);
  });
});
