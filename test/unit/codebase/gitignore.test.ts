import assert from 'node:assert/strict';
import { gitignoreMatcher } from '../../../src/codebase/gitignore';

describe('codebase/gitignore', () => {
  const ignored = gitignoreMatcher([
    { dir: '', text: '# build output\nnode_modules/\n/dist\n*.log\n!keep.log\ncoverage\ndocs/generated/\n' },
    { dir: 'packages/app', text: 'secret.json\n/local\n' },
  ]);

  it('matches names at any depth, folders with a trailing slash, anchored paths at the root', () => {
    assert.ok(ignored('node_modules/x/index.js'));
    assert.ok(ignored('packages/a/node_modules/y.js'));
    assert.ok(ignored('dist/main.js'));
    assert.ok(!ignored('src/dist/main.js'), '/dist is anchored to the root');
    assert.ok(ignored('logs/server.log'));
    assert.ok(ignored('coverage/lcov.info'));
    assert.ok(ignored('docs/generated/api.md'));
    assert.ok(!ignored('src/index.ts'));
  });

  it('a negation re-includes; a nested .gitignore applies under its folder only', () => {
    assert.ok(!ignored('keep.log'));
    assert.ok(ignored('packages/app/secret.json'));
    assert.ok(ignored('packages/app/config/secret.json'));
    assert.ok(!ignored('secret.json'));
    assert.ok(ignored('packages/app/local/x.ts'));
    assert.ok(!ignored('packages/app/src/local/x.ts'));
  });
});
