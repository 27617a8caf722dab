import * as assert from 'node:assert/strict';
import { attachmentLink, classifyLink, resolveInside } from '../../../src/chat/links';
import type { Attachment } from '../../../src/chat/types';

describe('chat link checks', () => {
  it('opens web addresses only after the host asks (classified external)', () => {
    assert.deepEqual(classifyLink('https://example.com/a?b=1'), { kind: 'external', url: 'https://example.com/a?b=1' });
    assert.deepEqual(classifyLink(' HTTP://Example.com '), { kind: 'external', url: 'http://example.com/' });
  });

  it('opens file URIs and workspace-relative paths in the editor, with a line', () => {
    assert.deepEqual(classifyLink('file:///w/src/a.ts#L12'), { kind: 'file', uri: 'file:///w/src/a.ts', line: 12 });
    assert.deepEqual(classifyLink('src/a.ts#L7'), { kind: 'relative', path: 'src/a.ts', line: 7 });
    assert.deepEqual(classifyLink('src/a.ts:42'), { kind: 'relative', path: 'src/a.ts', line: 42 });
    assert.deepEqual(classifyLink('./my%20file.ts'), { kind: 'relative', path: './my file.ts' });
  });

  it('reads line ranges (chips of @codebase, cited ranges) and ignores columns', () => {
    assert.deepEqual(classifyLink('file:///w/src/a.ts#L12-20'), { kind: 'file', uri: 'file:///w/src/a.ts', line: 12, endLine: 20 });
    assert.deepEqual(classifyLink('src/a.ts#L5-L9'), { kind: 'relative', path: 'src/a.ts', line: 5, endLine: 9 });
    assert.deepEqual(classifyLink('src/a.ts:12-20'), { kind: 'relative', path: 'src/a.ts', line: 12, endLine: 20 });
    assert.deepEqual(classifyLink('src/a.ts:12:5'), { kind: 'relative', path: 'src/a.ts', line: 12 });
    assert.deepEqual(classifyLink('src/a.ts#L9-3'), { kind: 'relative', path: 'src/a.ts', line: 9 }, 'a backwards range is a line');
  });

  it('gives chips under a sent message the link to their place, and none to text', () => {
    const chunk: Attachment = { id: '1', kind: 'selection', label: 'math.ts:3-7', path: 'src/math.ts', uri: 'file:///w/src/math.ts', range: { startLine: 3, endLine: 7 }, content: 'x' };
    assert.equal(attachmentLink(chunk), 'file:///w/src/math.ts#L3-7');
    assert.deepEqual(classifyLink(attachmentLink(chunk)!), { kind: 'file', uri: 'file:///w/src/math.ts', line: 3, endLine: 7 });
    const { uri: _uri, ...noUri } = chunk;
    assert.equal(attachmentLink({ ...noUri, path: 'src/my file#1.ts' }), 'src/my%20file%231.ts#L3-7');
    assert.deepEqual(classifyLink(attachmentLink({ ...noUri, path: 'src/my file#1.ts' })!), { kind: 'relative', path: 'src/my file#1.ts', line: 3, endLine: 7 });
    assert.equal(attachmentLink({ ...chunk, range: { startLine: 4, endLine: 4 } }), 'file:///w/src/math.ts#L4');
    assert.equal(attachmentLink({ id: '2', kind: 'file', label: 'a.ts', path: 'src/a.ts', uri: 'file:///w/src/a.ts', content: '' }), 'file:///w/src/a.ts');
    assert.equal(attachmentLink({ id: '3', kind: 'file', label: 'Untitled-1', path: 'Untitled-1', uri: 'untitled:Untitled-1', content: '' }), undefined, 'an unsaved document has no place');
    assert.equal(attachmentLink({ id: '4', kind: 'text', label: '@codebase search results', content: 'x' }), undefined);
    assert.equal(attachmentLink({ ...noUri, path: 'vscode-userdata:/settings.json' }), undefined);
  });

  it('refuses every other scheme', () => {
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\nscript:alert(1)', 'command:workbench.action.quit', 'vscode://ms-vscode.x/y', 'data:text/html,x', 'vbscript:x', 'mailto:a@b.c', 'ftp://x', '//evil.example', '#anchor', '']) {
      assert.equal(classifyLink(bad).kind, 'rejected', bad);
    }
  });

  it('resolves relative paths only inside the workspace folder', () => {
    assert.equal(resolveInside('/w', 'src/a.ts'), '/w/src/a.ts');
    assert.equal(resolveInside('/w/', './src/../b.ts'), '/w/b.ts');
    assert.equal(resolveInside('/w', '../etc/passwd'), undefined);
    assert.equal(resolveInside('/w', 'src/../../etc/passwd'), undefined);
    assert.equal(resolveInside('/w', '/etc/passwd'), undefined);
    assert.equal(resolveInside('/w', '/w/src/a.ts'), '/w/src/a.ts');
    assert.equal(resolveInside('/w', '/w2/x.ts'), undefined);
  });
});
