import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { excludeMatcher, schemeOf, unsafeGlobReason } from '../../../src/workspace/exclude';

describe('the exclude matcher', () => {
  const excluded = excludeMatcher(DEFAULT_EXCLUDE);

  it('ignores case on every platform', () => {
    for (const p of ['/w/.ENV', '/w/config/.ENV.local', '/w/certs/server.KEY', '/w/keys/ID_RSA', '/w/.SSH/config', 'C:\\W\\.Aws\\Credentials']) assert.ok(excluded(p), p);
    assert.ok(!excluded('/w/src/environment.ts'));
  });

  it('takes a path or a file with its relative path and URI', () => {
    assert.ok(excluded({ fsPath: '/elsewhere/x', relativePath: '.NPMRC' }));
    assert.ok(!excluded({ fsPath: '/w/src/app.ts', relativePath: 'src/app.ts', uri: 'file:///w/src/app.ts' }));
    assert.ok(!excluded({ fsPath: 'Untitled-1', uri: 'untitled:Untitled-1' }));
    const relative = excludeMatcher(['private/**'], (p) => p.replace('/w/', ''));
    assert.ok(relative('/w/Private/notes.ts'));
  });

  it('refuses documents that are not files or untitled, even with no globs', () => {
    assert.ok(excludeMatcher([])({ fsPath: '/home/u/.config/Code/User/settings.json', uri: 'vscode-userdata:/home/u/.config/Code/User/settings.json' }));
    assert.ok(excluded('git:/w/src/app.ts'));
    assert.equal(schemeOf('C:\\w\\a.ts'), undefined, 'a drive letter is no scheme');
    assert.equal(schemeOf('vscode-userdata:/x'), 'vscode-userdata');
  });

  it('matches where a link really leads', () => {
    const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'qwen-exclude-unit-')));
    try {
      mkdirSync(path.join(tmp, 'home', '.ssh'), { recursive: true });
      writeFileSync(path.join(tmp, 'home', '.ssh', 'config'), 'Host *');
      symlinkSync(path.join(tmp, 'home', '.ssh'), path.join(tmp, 'keys'));
      assert.ok(excluded(path.join(tmp, 'keys', 'config')));
      assert.ok(!excludeMatcher([])(path.join(tmp, 'keys', 'config')));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('globs a workspace may add', () => {
  it('accepts the usual shapes, including every default', () => {
    for (const glob of [...DEFAULT_EXCLUDE, '**/fixtures/secret/**', '**/*secret*', 'private/**/*.json', '**/{a,b}/*.pem', '**/file?.txt']) assert.equal(unsafeGlobReason(glob), undefined, glob);
  });

  it('refuses what could backtrack or is not a glob', () => {
    assert.match(unsafeGlobReason('**/' + '*a'.repeat(10) + '*b') ?? '', /\* in one path segment/);
    assert.match(unsafeGlobReason('**/{*a,*aa}{*a,*aa}b') ?? '', /\* in one path segment/);
    assert.match(unsafeGlobReason('**/@(a|b)') ?? '', /extended globs/);
    assert.match(unsafeGlobReason('*a/*b/*c/*d/*e/*f/*g') ?? '', /wildcards/);
    assert.match(unsafeGlobReason('a'.repeat(201)) ?? '', /longer than/);
    assert.match(unsafeGlobReason('  ') ?? '', /empty/);
  });
});
