// Context from other files reads only inside the workspace: a repository's `#include` or import
// that climbs out of it (or a link that leads out) never gets a file from elsewhere into a prompt.
// Checked on what the simulator received.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OllamaSimulator } from '../../sim/simulator';
import { noStrayErrors, Rig } from '../faults/rig';
import { FakeEditorContext } from '../support/editor';
import { completeUntilSent, sentText } from './helpers';

/** Shares the identifiers around the cursor, so the ranking would pick it if it were read. */
function lookalike(marker: string): string {
  return [`/* ${marker} */`, `static const char *database_password = "${marker}";`, 'int connect_database(const char *database_url, const char *database_password);'].join('\n');
}

const C_CODE = (includes: string[]) =>
  [...includes.map((i) => `#include "${i}"`), '', 'int connect_database(const char *database_url, const char *database_password) {', '  client = create_client(database_url, database_password);', '  |', '}', ''].join('\n');

describe('security: completion context never reads outside the workspace', function () {
  this.timeout(10_000);
  noStrayErrors();
  let sim: OllamaSimulator;
  let rig: Rig | undefined;
  let tmp: string | undefined;

  beforeEach(async () => {
    sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
    await sim.start();
  });
  afterEach(async () => {
    await rig?.dispose();
    rig = undefined;
    await sim.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('a C include climbing out of the workspace is never read; one inside is', async () => {
    const context = new FakeEditorContext('/repo');
    context.file('/etc/passwd', lookalike('SECRET_PASSWD_root_x_0_0'));
    context.file('/home/dev/.git-credentials', lookalike('SECRET_GIT_CREDENTIALS'));
    context.file('/repo/src/db.h', lookalike('CONTROL_INCLUDE_OK'));
    rig = new Rig({ sim, context });
    const code = C_CODE(['../../../../../../etc/passwd', '../../home/dev/.git-credentials', 'db.h']);
    assert.ok(await completeUntilSent(rig, sim, 'CONTROL_INCLUDE_OK', code, { path: '/repo/src/main.c', displayPath: 'src/main.c', languageId: 'c' }));
    const sent = sentText(sim);
    assert.ok(sent.includes('CONTROL_INCLUDE_OK'), 'includes inside the workspace are used as context');
    assert.ok(!sent.includes('SECRET_'), 'nothing from outside the workspace was sent');
    assert.deepEqual(context.reads.filter((p) => !p.startsWith('/repo/')), [], 'no file outside the workspace was even read');
  });

  it('without a workspace folder (a lone file), no imported file is read', async () => {
    const context = new FakeEditorContext('/repo');
    context.workspaceFolders = () => [];
    context.file('/repo/src/db.h', lookalike('SECRET_LONE_FILE'));
    rig = new Rig({ sim, context });
    assert.ok(await rig.complete(C_CODE(['db.h']), { path: '/repo/src/main.c', displayPath: '/repo/src/main.c', languageId: 'c' }));
    assert.ok(!sentText(sim).includes('SECRET_LONE_FILE'));
    assert.deepEqual(context.reads, []);
  });

  it('an include through a link that leads out of the workspace is not read', async () => {
    tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'qwen-boundary-')));
    const workspace = path.join(tmp, 'repo');
    const outside = path.join(tmp, 'outside');
    mkdirSync(path.join(workspace, 'src'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret.h'), lookalike('SECRET_VIA_LINK'));
    writeFileSync(path.join(workspace, 'src', 'db.h'), lookalike('CONTROL_REAL_FILE_OK'));
    symlinkSync(path.join(outside, 'secret.h'), path.join(workspace, 'src', 'evil.h'));
    symlinkSync(outside, path.join(workspace, 'src', 'vendor'));
    // The fake reads through links as a real file system does.
    const context = new FakeEditorContext(workspace);
    context.file(path.join(workspace, 'src', 'evil.h'), lookalike('SECRET_VIA_LINK'));
    context.file(path.join(workspace, 'src', 'vendor', 'secret.h'), lookalike('SECRET_VIA_LINKED_FOLDER'));
    context.file(path.join(workspace, 'src', 'db.h'), lookalike('CONTROL_REAL_FILE_OK'));
    rig = new Rig({ sim, context });
    const main = path.join(workspace, 'src', 'main.c');
    assert.ok(await completeUntilSent(rig, sim, 'CONTROL_REAL_FILE_OK', C_CODE(['evil.h', 'vendor/secret.h', 'db.h']), { path: main, displayPath: 'src/main.c', languageId: 'c' }));
    const sent = sentText(sim);
    assert.ok(sent.includes('CONTROL_REAL_FILE_OK'));
    assert.ok(!sent.includes('SECRET_VIA_LINK'), 'no file reached through a link out of the workspace was sent');
    assert.deepEqual(context.reads, [path.join(workspace, 'src', 'db.h')]);
  });
});
