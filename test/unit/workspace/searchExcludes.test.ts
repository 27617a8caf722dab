import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { searchExcludeGlob } from '../../../src/workspace/searchExcludes';

/** VS Code's reading of one brace group of globs (picomatch treats a globstar inside braces differently). */
function vscodeGlob(glob: string): (path: string) => boolean {
  assert.ok(glob.startsWith('{') && glob.endsWith('}'));
  return picomatch(glob.slice(1, -1).split(','), { dot: true });
}

describe('file search excludes', () => {
  it('skips dependency, build and tool folders, and what files.exclude switches on', () => {
    const glob = searchExcludeGlob({ '**/.DS_Store': true, '**/coverage': true, '**/off': false, '**/{a,b}': true });
    assert.ok(!/\{[^}]*\{/.test(glob), 'no nested brace groups (VS Code globs do not nest them)');
    const skipped = vscodeGlob(glob);
    for (const p of ['node_modules/x/index.js', 'packages/a/node_modules/b.js', '.git/config', 'dist/app.js', 'target/debug/x', '.venv/lib/y.py', 'coverage/lcov.info', 'src/.DS_Store']) assert.ok(skipped(p), p);
    for (const p of ['src/app.ts', 'off/file.ts', 'a/file.ts', 'test/app.test.ts']) assert.ok(!skipped(p), p);
  });

  it('works without a files.exclude value', () => {
    assert.ok(vscodeGlob(searchExcludeGlob(undefined))('node_modules/a.js'));
  });
});
