import assert from 'node:assert/strict';
import { baseName, displayPath } from '../../../src/workspace/paths';

describe('path display', () => {
  it('shows the workspace-relative path when known, with forward slashes', () => {
    assert.equal(displayPath({ fsPath: 'C:\\w\\src\\app.ts', relativePath: 'src\\app.ts' }), 'src/app.ts');
    assert.equal(displayPath({ fsPath: '/elsewhere/notes.md' }), '/elsewhere/notes.md');
    assert.equal(displayPath('C:\\Users\\me\\x.ts'), 'C:/Users/me/x.ts');
  });

  it('baseName takes the last segment with either separator', () => {
    assert.equal(baseName('src\\lib/a.ts'), 'a.ts');
    assert.equal(baseName('a.ts'), 'a.ts');
  });
});
