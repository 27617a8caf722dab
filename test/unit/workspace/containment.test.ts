import assert from 'node:assert/strict';
import { insideWorkspace, isWithin } from '../../../src/workspace/containment';

describe('workspace containment', () => {
  it('isWithin compares whole path segments after normalizing', () => {
    assert.ok(isWithin('/repo/src/a.ts', '/repo'));
    assert.ok(isWithin('/repo', '/repo'));
    assert.ok(isWithin('/repo/..notes/a.md', '/repo'), 'a name starting with two dots is no parent');
    assert.ok(!isWithin('/repo2/a.ts', '/repo'), 'a sibling sharing the prefix');
    assert.ok(!isWithin('/repo/src/../../etc/passwd', '/repo'));
  });

  it('insideWorkspace: nothing without folders, nothing relative, any of several folders', async () => {
    assert.equal(await insideWorkspace('/repo/a.h', []), false);
    assert.equal(await insideWorkspace('a.h', ['/repo']), false);
    assert.equal(await insideWorkspace('/lib/b.h', ['/repo', '/lib']), true);
    assert.equal(await insideWorkspace('/etc/passwd', ['/repo', '/lib']), false);
  });
});
