import assert from 'node:assert/strict';
import {
  ancestorDirs,
  detectJsFramework,
  inferJsLayout,
  planTests,
  pythonModule,
  relativeImport,
  type TestPlan,
  type TestPlanInput,
} from '../../../src/actions/testPlan';

function plan(input: Partial<TestPlanInput> & Pick<TestPlanInput, 'sourcePath' | 'languageId'>): TestPlan {
  const result = planTests({ projectRoot: '', existingTests: [], ...input });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.plan;
}

const pkg = (deps: Record<string, string>, scripts: Record<string, string> = {}) => JSON.stringify({ devDependencies: deps, scripts });

describe('actions/testPlan', () => {
  describe('detectJsFramework', () => {
    const cases: Array<[string, string | undefined, string, boolean]> = [
      ['vitest wins', pkg({ vitest: '^2', jest: '^29' }), 'vitest', false],
      ['jest', pkg({ jest: '^29', 'ts-jest': '^29' }), 'jest', false],
      ['jest from the test script', pkg({}, { test: 'jest --coverage' }), 'jest', false],
      ['mocha', pkg({ mocha: '^10', chai: '^5' }), 'mocha', false],
      ['node --test script', pkg({}, { test: 'node --test test/' }), 'node:test', false],
      ['nothing found: node:test, assumed', pkg({}), 'node:test', true],
      ['broken package.json', '{ not json', 'node:test', true],
      ['no package.json', undefined, 'node:test', true],
    ];
    for (const [name, text, framework, assumed] of cases) {
      it(name, () => {
        const info = detectJsFramework(text);
        assert.equal(info.framework, framework);
        assert.equal(info.assumed, assumed);
      });
    }
    it('notices chai for mocha', () => assert.equal(detectJsFramework(pkg({ mocha: '1', chai: '1' })).chai, true));
  });

  describe('inferJsLayout', () => {
    it('a mirrored test/unit tree, like this repository', () => {
      const layout = inferJsLayout(['test/unit/backend/errors.test.ts', 'test/unit/completion/cache.test.ts', 'test/sim/simulator.test.ts'], '');
      assert.deepEqual(layout, { layout: { kind: 'mirror', root: 'test/unit/', nested: true }, suffix: '.test' });
    });
    it('siblings with .spec', () => {
      assert.deepEqual(inferJsLayout(['src/a.spec.ts', 'src/b/c.spec.tsx', 'src/d.test.ts'], ''), { layout: { kind: 'sibling' }, suffix: '.spec' });
    });
    it('__tests__ folders', () => {
      assert.deepEqual(inferJsLayout(['src/__tests__/a.test.js', 'lib/__tests__/b.test.js'], ''), { layout: { kind: 'dunder' }, suffix: '.test' });
    });
    it('a flat tests/ folder in a package of a monorepo', () => {
      assert.deepEqual(inferJsLayout(['packages/web/tests/a.test.ts', 'packages/api/src/x.test.ts'], 'packages/web'), {
        layout: { kind: 'mirror', root: 'tests/', nested: false },
        suffix: '.test',
      });
    });
    it('ignores node_modules and other languages', () => assert.deepEqual(inferJsLayout(['node_modules/x/a.test.js', 'a_test.go'], ''), {}));
  });

  describe('planTests: where tests go', () => {
    it('TS with mocha and a test/unit mirror (this repository)', () => {
      const p = plan({
        sourcePath: 'src/actions/extract.ts',
        languageId: 'typescript',
        manifest: pkg({ mocha: '^12' }),
        existingTests: ['test/unit/backend/errors.test.ts', 'test/unit/ui/incidents.test.ts'],
      });
      assert.equal(p.framework, 'mocha');
      assert.equal(p.create, 'test/unit/actions/extract.test.ts');
      assert.ok(p.candidates.includes('src/actions/extract.test.ts'));
      assert.ok(p.candidates.includes('test/unit/actions/extract.test.ts'));
      assert.equal(p.inSourceFile, false);
    });
    it('TSX with jest and no tests yet: a sibling .test.tsx', () => {
      const p = plan({ sourcePath: 'web/src/Button.tsx', languageId: 'typescriptreact', projectRoot: 'web', manifest: pkg({ jest: '^29' }) });
      assert.equal(p.create, 'web/src/Button.test.tsx');
      assert.match(p.frameworkHint, /Jest/);
    });
    it('JS with vitest and __tests__ folders', () => {
      const p = plan({ sourcePath: 'lib/util/math.js', languageId: 'javascript', manifest: pkg({ vitest: '^2' }), existingTests: ['lib/__tests__/x.test.js'] });
      assert.equal(p.create, 'lib/util/__tests__/math.test.js');
      assert.match(p.frameworkHint, /from 'vitest'/);
    });
    it('JS with mocha and no tests yet: test/ mirror without src/', () => {
      const p = plan({ sourcePath: 'src/a/b.mjs', languageId: 'javascript', manifest: pkg({ mocha: '^10' }) });
      assert.equal(p.create, 'test/a/b.test.mjs');
    });
    it('Python with pytest in a src layout: tests/test_x.py', () => {
      const p = plan({ sourcePath: 'src/pkg/loader.py', languageId: 'python', manifest: '[tool.pytest.ini_options]\n' });
      assert.equal(p.framework, 'pytest');
      assert.equal(p.frameworkAssumed, false);
      assert.equal(p.create, 'tests/test_loader.py');
      assert.ok(p.candidates.includes('src/pkg/test_loader.py'));
    });
    it('Python with nested tests folders', () => {
      const p = plan({ sourcePath: 'app/models/user.py', languageId: 'python', existingTests: ['tests/models/test_order.py', 'tests/test_app.py'] });
      assert.equal(p.create, 'tests/app/models/test_user.py');
    });
    it('Python with sibling tests', () => {
      const p = plan({ sourcePath: 'tools/fmt.py', languageId: 'python', existingTests: ['tools/test_lint.py', 'lib/x_test.py'] });
      assert.equal(p.create, 'tools/test_fmt.py');
    });
    it('Go: a sibling _test.go', () => {
      const p = plan({ sourcePath: 'internal/store/store.go', languageId: 'go' });
      assert.deepEqual([p.framework, p.create, p.candidates], ['go test', 'internal/store/store_test.go', ['internal/store/store_test.go']]);
    });
    it('Rust: tests/ files first, else mod tests in the source', () => {
      const p = plan({ sourcePath: 'crates/core/src/parse.rs', languageId: 'rust', projectRoot: 'crates/core' });
      assert.equal(p.framework, 'cargo test');
      assert.equal(p.inSourceFile, true);
      assert.equal(p.create, 'crates/core/src/parse.rs');
      assert.ok(p.candidates.includes('crates/core/tests/parse.rs'));
    });
    it('Java with Maven layout and JUnit 4', () => {
      const p = plan({
        sourcePath: 'svc/src/main/java/com/example/Sample.java',
        languageId: 'java',
        projectRoot: 'svc',
        manifest: '<dependency><groupId>junit</groupId><artifactId>junit</artifactId></dependency>',
      });
      assert.equal(p.framework, 'junit4');
      assert.equal(p.create, 'svc/src/test/java/com/example/SampleTest.java');
    });
    it('Kotlin with kotlin.test', () => {
      const p = plan({ sourcePath: 'src/main/kotlin/a/Util.kt', languageId: 'kotlin', manifest: 'testImplementation(kotlin("test"))' });
      assert.equal(p.framework, 'kotlin.test');
      assert.equal(p.create, 'src/test/kotlin/a/UtilTest.kt');
    });
    it('Java without a build file: JUnit 5, assumed', () => {
      const p = plan({ sourcePath: 'Main.java', languageId: 'java' });
      assert.deepEqual([p.framework, p.frameworkAssumed, p.create], ['junit5', true, 'MainTest.java']);
    });
  });

  describe('planTests: refusals', () => {
    it('an unknown language says which it knows', () => {
      const r = planTests({ sourcePath: 'a.rb', languageId: 'ruby', projectRoot: '', existingTests: [] });
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, /TypeScript, JavaScript, Python, Go, Rust, Java and Kotlin/);
    });
    for (const [path, lang] of [
      ['src/a.test.ts', 'typescript'],
      ['tests/test_a.py', 'python'],
      ['a_test.go', 'go'],
      ['src/test/java/ATest.java', 'java'],
    ]) {
      it(`a test file is refused: ${path}`, () => assert.equal(planTests({ sourcePath: path, languageId: lang, projectRoot: '', existingTests: [] }).ok, false));
    }
  });

  it('relativeImport', () => {
    assert.equal(relativeImport('test/unit/actions/extract.test.ts', 'src/actions/extract.ts'), '../../../src/actions/extract');
    assert.equal(relativeImport('src/a/b.test.tsx', 'src/a/b.tsx'), './b');
    assert.equal(relativeImport('src/a/__tests__/b.test.js', 'src/a/b.js'), '../b');
  });

  it('pythonModule', () => {
    assert.equal(pythonModule('src/pkg/loader.py', ''), 'pkg.loader');
    assert.equal(pythonModule('svc/app/models/__init__.py', 'svc'), 'app.models');
  });

  it('ancestorDirs', () => assert.deepEqual(ancestorDirs('a/b/c.ts'), ['a/b', 'a', '']));
});
