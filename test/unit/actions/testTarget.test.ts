import assert from 'node:assert/strict';
import { excludeMatcher } from '../../../src/workspace/exclude';
import { chooseTestTarget } from '../../../src/actions/testTarget';
import { planTests } from '../../../src/actions/testPlan';

function plan(sourcePath: string, languageId: string, manifest?: string) {
  const planned = planTests({ sourcePath, languageId, projectRoot: '', manifest, existingTests: [] });
  assert.ok(planned.ok);
  return planned.plan;
}

const present = (files: string[]) => (p: string) => Promise.resolve(files.includes(p));

describe('chooseTestTarget', () => {
  it('takes an existing conventional test file', async () => {
    const p = plan('src/math.ts', 'typescript', '{"devDependencies":{"vitest":"^2"}}');
    const target = await chooseTestTarget({ plan: p, sourcePath: 'src/math.ts', exists: present([p.candidates[0]]), excluded: () => false });
    assert.deepEqual(target, { ok: true, testPath: p.candidates[0], exists: true, isSource: false });
  });

  it('plans a new file when none exists', async () => {
    const p = plan('src/math.ts', 'typescript', '{"devDependencies":{"vitest":"^2"}}');
    const target = await chooseTestTarget({ plan: p, sourcePath: 'src/math.ts', exists: present([]), excluded: () => false });
    assert.deepEqual(target, { ok: true, testPath: 'src/math.test.ts', exists: false, isSource: false });
  });

  it('refuses an existing test file that the exclude list matches, so its start is never sent (issue 17 finding 12)', async () => {
    const p = plan('src/math.ts', 'typescript', '{"devDependencies":{"vitest":"^2"}}');
    const excluded = excludeMatcher(['**/*.test.ts']);
    const target = await chooseTestTarget({ plan: p, sourcePath: 'src/math.ts', exists: present(p.candidates), excluded });
    assert.equal(target.ok, false);
    assert.match(target.ok ? '' : target.reason, /matches the exclude setting/);
  });

  it('Rust tests in the source file are not refused by a test-file pattern (the source was checked already)', async () => {
    const p = plan('src/lib.rs', 'rust');
    const target = await chooseTestTarget({ plan: p, sourcePath: 'src/lib.rs', exists: present([]), excluded: () => true });
    assert.deepEqual(target, { ok: true, testPath: 'src/lib.rs', exists: true, isSource: true });
  });
});
