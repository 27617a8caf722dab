// The git fallback against real temporary repositories whose config tries to run a script.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterOverrides, gitDiffCli, GitRefused, resolveGit } from '../../../src/actions/gitCli';

const posix = process.platform !== 'win32';

function git(cwd: string, ...args: string[]): string {
  // Setup only: the hostile config is written after the commits it would disturb.
  return execFileSync('git', ['-c', 'core.fsmonitor=false', '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });
}

describe('the git fallback (gitCli)', function () {
  this.timeout(20_000);
  let dir: string;
  let repo: string;
  let marker: string;

  beforeEach(function () {
    if (!posix) this.skip(); // the hook is a shell script
    dir = mkdtempSync(join(tmpdir(), 'qwen-git-'));
    repo = join(dir, 'repo');
    marker = join(dir, 'ran');
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\ncat\n`);
    chmodSync(hook, 0o755);
    execFileSync('git', ['init', '-q', repo]);
    writeFileSync(join(repo, 'a.txt'), 'one\n');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'first');
    // What a hostile repository ships in .git/config and .gitattributes.
    git(repo, 'config', 'core.fsmonitor', hook);
    git(repo, 'config', 'filter.evil.clean', hook);
    git(repo, 'config', 'diff.evil.textconv', hook);
    git(repo, 'config', 'diff.external', hook);
    writeFileSync(join(repo, '.gitattributes'), '*.txt filter=evil diff=evil\n');
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the repository really runs its script for a plain `git diff --cached` (the hazard is real)', () => {
    writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
    execFileSync('git', ['add', 'a.txt'], { cwd: repo });
    rmSync(marker, { force: true });
    execFileSync('git', ['diff', '--cached'], { cwd: repo });
    assert.ok(existsSync(marker), 'core.fsmonitor ran');
  });

  it('reads the staged diff without running any of the repository config’s commands', async () => {
    writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
    execFileSync('git', ['-c', 'core.fsmonitor=false', '-c', 'filter.evil.clean=', 'add', 'a.txt'], { cwd: repo });
    rmSync(marker, { force: true });
    const diff = await gitDiffCli({ cwd: repo, cached: true, trusted: true, workspaceFolders: [repo] });
    assert.match(diff, /^\+two$/m);
    assert.equal(existsSync(marker), false, 'no fsmonitor, textconv or external diff ran');
  });

  it('reads the working-tree diff without running a filter driver’s clean command', async () => {
    writeFileSync(join(repo, 'a.txt'), 'one\nthree\n');
    rmSync(marker, { force: true });
    const diff = await gitDiffCli({ cwd: repo, cached: false, trusted: true, workspaceFolders: [repo] });
    assert.match(diff, /^\+three$/m);
    assert.equal(existsSync(marker), false, 'no clean filter ran');
  });

  it('runs nothing in an untrusted workspace', async () => {
    rmSync(marker, { force: true });
    await assert.rejects(gitDiffCli({ cwd: repo, cached: true, trusted: false, workspaceFolders: [repo] }), (e: unknown) => e instanceof GitRefused && /not trusted/.test(e.message));
    assert.equal(existsSync(marker), false);
  });
});

describe('resolveGit', () => {
  const exe = (files: string[]) => (f: string) => files.includes(f);

  it('never picks a git inside a workspace folder or on a relative PATH entry', () => {
    const env = { PATH: ['.', 'bin', '/work/proj/tools', '/usr/bin'].join(':') };
    assert.equal(resolveGit(env, ['/work/proj'], 'linux', exe(['/work/proj/tools/git', '/usr/bin/git', 'bin/git'])), '/usr/bin/git');
  });

  it('on Windows skips the workspace whatever the case, and finds git.exe', () => {
    const env = { Path: 'C:\\Repo\\bin;C:\\Program Files\\Git\\cmd' };
    assert.equal(resolveGit(env, ['c:\\repo'], 'win32', exe(['C:\\Repo\\bin\\git.exe', 'C:\\Program Files\\Git\\cmd\\git.exe'])), 'C:\\Program Files\\Git\\cmd\\git.exe');
  });

  it('is undefined when only the workspace has a git', () => {
    assert.equal(resolveGit({ PATH: '/w/bin' }, ['/w'], 'linux', exe(['/w/bin/git'])), undefined);
  });
});

describe('filterOverrides', () => {
  it('empties every filter driver the config names, also names with dots', () => {
    const args = filterOverrides(['filter.lfs.clean', 'filter.lfs.smudge', 'filter.a.b.process', '']);
    assert.ok(args.includes('filter.lfs.clean=') && args.includes('filter.a.b.process=') && args.includes('filter.a.b.clean='));
    assert.equal(args.filter((a) => a === 'filter.lfs.clean=').length, 1);
  });
});
