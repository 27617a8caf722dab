// Write Commit Message withholds the contents of excluded files: whatever the case of their names,
// and when a path of the repository leads through a link to a secret folder.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { withoutExcluded } from '../../../src/actions/commitDiff';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { excludeMatcherUnder } from '../../../src/workspace/exclude';

function fileDiff(file: string, secret: string): string[] {
  return [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, '@@ -1 +1 @@', `-old`, `+${secret}`];
}

describe('security: commit message diffs withhold excluded files by any case and through links', () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('withholds case variants and a file under a link to .ssh', () => {
    tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'qwen-commit-')));
    const repo = path.join(tmp, 'repo');
    mkdirSync(path.join(tmp, 'home', '.ssh'), { recursive: true });
    mkdirSync(repo);
    writeFileSync(path.join(tmp, 'home', '.ssh', 'deploy'), 'key');
    symlinkSync(path.join(tmp, 'home', '.ssh'), path.join(repo, 'keys'));
    const diff = [
      ...fileDiff('.ENV', 'SECRET_ENV'),
      ...fileDiff('certs/server.KEY', 'SECRET_KEY'),
      ...fileDiff('keys/deploy', 'SECRET_LINKED'),
      ...fileDiff('src/app.ts', 'const port = 8080;'),
    ].join('\n');
    const out = withoutExcluded(diff, excludeMatcherUnder(DEFAULT_EXCLUDE, repo));
    assert.doesNotMatch(out, /SECRET_/);
    assert.match(out, /# keys\/deploy changed \(contents withheld/);
    assert.match(out, /\+const port = 8080;/);
  });
});
