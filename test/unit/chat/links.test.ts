import * as assert from 'node:assert/strict';
import { classifyLink, resolveInside } from '../../../src/chat/links';

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
