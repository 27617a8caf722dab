// Where the tests of a file go and which framework writes them, from the workspace's conventions.
// Pure: the glue lists files and reads manifests, this decides.

export type TestLanguage = 'js' | 'python' | 'go' | 'rust' | 'java' | 'kotlin';

export type TestFramework =
  | 'mocha'
  | 'jest'
  | 'vitest'
  | 'node:test'
  | 'pytest'
  | 'go test'
  | 'cargo test'
  | 'junit5'
  | 'junit4'
  | 'testng'
  | 'kotlin.test';

const LANGUAGES: Record<string, TestLanguage> = {
  typescript: 'js',
  typescriptreact: 'js',
  javascript: 'js',
  javascriptreact: 'js',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  kotlin: 'kotlin',
};

export function testLanguage(languageId: string): TestLanguage | undefined {
  return LANGUAGES[languageId];
}

/** The files whose presence marks a project root, per language, nearest first. */
export const PROJECT_MANIFESTS: Record<TestLanguage, string[]> = {
  js: ['package.json'],
  python: ['pyproject.toml', 'setup.cfg', 'setup.py', 'pytest.ini', 'tox.ini'],
  go: ['go.mod'],
  rust: ['Cargo.toml'],
  java: ['pom.xml', 'build.gradle', 'build.gradle.kts'],
  kotlin: ['build.gradle.kts', 'build.gradle', 'pom.xml'],
};

export interface TestPlanInput {
  /** Workspace-relative POSIX path of the file under test. */
  sourcePath: string;
  languageId: string;
  /** Workspace-relative POSIX directory of its project ('' for the workspace root). */
  projectRoot: string;
  /** Text of the project's manifest (package.json, pom.xml, build.gradle, pyproject.toml …) if found. */
  manifest?: string;
  /** A sample of test files that exist in the workspace (workspace-relative POSIX). */
  existingTests: readonly string[];
}

export interface TestPlan {
  language: TestLanguage;
  framework: TestFramework;
  /** True when the framework was not found and is a default. */
  frameworkAssumed: boolean;
  /** How to write tests for this framework, for the prompt. */
  frameworkHint: string;
  /** Existing test files that would take the tests, most conventional first: the first that exists wins. */
  candidates: string[];
  /** Where a new test file goes when no candidate exists (Rust: the source file itself). */
  create: string;
  /** Rust: without an existing tests/ file, tests go into `mod tests` of the source file. */
  inSourceFile: boolean;
}

export type TestPlanResult = { ok: true; plan: TestPlan } | { ok: false; reason: string };

interface PathParts {
  dir: string; // with trailing slash, or ''
  stem: string;
  ext: string; // with dot
}

function parts(path: string): PathParts {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? { dir, stem: base.slice(0, dot), ext: base.slice(dot) } : { dir, stem: base, ext: '' };
}

function withSlash(dir: string): string {
  return dir && !dir.endsWith('/') ? `${dir}/` : dir;
}

/** Path inside the project, and that path without a leading src/ or lib/. */
function projectRelative(sourcePath: string, projectRoot: string): { rel: string; sub: string } {
  const root = withSlash(projectRoot);
  const rel = root && sourcePath.startsWith(root) ? sourcePath.slice(root.length) : sourcePath;
  const dir = parts(rel).dir;
  const sub = dir.replace(/^(?:src|lib)\//, '');
  return { rel, sub };
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

function readJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function keysOf(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}

export interface JsFrameworkInfo {
  framework: 'mocha' | 'jest' | 'vitest' | 'node:test';
  assumed: boolean;
  chai: boolean;
  jestGlobalsImport: boolean;
}

/** The JS/TS test framework of a package.json: vitest, then jest, then mocha, then node:test. */
export function detectJsFramework(packageJson: string | undefined): JsFrameworkInfo {
  const pkg = readJson(packageJson);
  const deps = new Set([...keysOf(pkg?.dependencies), ...keysOf(pkg?.devDependencies), ...keysOf(pkg?.peerDependencies)]);
  const scripts = pkg?.scripts;
  const testScript =
    typeof scripts === 'object' && scripts !== null && typeof (scripts as Record<string, unknown>).test === 'string'
      ? String((scripts as Record<string, unknown>).test)
      : '';
  const chai = deps.has('chai');
  const base = { chai, jestGlobalsImport: deps.has('@jest/globals') };
  if (deps.has('vitest') || /\bvitest\b/.test(testScript)) return { framework: 'vitest', assumed: false, ...base };
  if (deps.has('jest') || deps.has('ts-jest') || deps.has('@jest/globals') || deps.has('babel-jest') || pkg?.jest !== undefined || /\bjest\b/.test(testScript)) {
    return { framework: 'jest', assumed: false, ...base };
  }
  if (deps.has('mocha') || /\bmocha\b/.test(testScript)) return { framework: 'mocha', assumed: false, ...base };
  if (/node\s+(?:[^|&;]*\s)?--test\b/.test(testScript)) return { framework: 'node:test', assumed: false, ...base };
  return { framework: 'node:test', assumed: true, ...base };
}

function jsHint(info: JsFrameworkInfo): string {
  switch (info.framework) {
    case 'vitest':
      return "Vitest: import { describe, it, expect } from 'vitest'.";
    case 'jest':
      return info.jestGlobalsImport
        ? "Jest: import { describe, it, expect } from '@jest/globals'."
        : 'Jest: describe/it/expect are globals (no import needed).';
    case 'mocha':
      return info.chai
        ? "Mocha (describe/it are globals) with Chai: import { expect } from 'chai'."
        : "Mocha (describe/it are globals) with Node's assert: import assert from 'node:assert/strict'.";
    case 'node:test':
      return `Node's built-in test runner: import { describe, it } from 'node:test' and import assert from 'node:assert/strict'.${info.assumed ? ' (No test framework was found in package.json.)' : ''}`;
  }
}

type JsLayout = { kind: 'sibling' | 'dunder' } | { kind: 'mirror'; root: string; nested: boolean };

/** How the project lays out its JS/TS tests, by majority of the existing ones. */
export function inferJsLayout(existingTests: readonly string[], projectRoot: string): { layout?: JsLayout; suffix?: '.test' | '.spec' } {
  const root = withSlash(projectRoot);
  const mine = existingTests.filter((p) => (!root || p.startsWith(root)) && /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(p) && !p.includes('node_modules/'));
  if (mine.length === 0) return {};
  let sibling = 0;
  let dunder = 0;
  const mirrors: string[] = [];
  let spec = 0;
  for (const p of mine) {
    const rel = p.slice(root.length);
    if (/\.spec\./.test(rel)) spec++;
    const segs = rel.split('/');
    if (segs.includes('__tests__')) dunder++;
    else if (/^(?:test|tests|spec|__test__)$/.test(segs[0]) && segs.length > 1) mirrors.push(rel);
    else sibling++;
  }
  const suffix = spec * 2 > mine.length ? '.spec' : '.test';
  const most = Math.max(sibling, dunder, mirrors.length);
  if (most === mirrors.length && mirrors.length > 0) {
    // test/unit/x/y.test.ts → root "test/unit/"; nested when tests sit in sub-folders of the root.
    const roots = mirrors.map((rel) => {
      const segs = rel.split('/');
      return segs[1] === 'unit' && segs.length > 2 ? `${segs[0]}/unit/` : `${segs[0]}/`;
    });
    const counts = new Map<string, number>();
    for (const r of roots) counts.set(r, (counts.get(r) ?? 0) + 1);
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const nested = mirrors.some((rel) => rel.startsWith(best) && rel.slice(best.length).includes('/'));
    return { layout: { kind: 'mirror', root: best, nested }, suffix };
  }
  return { layout: { kind: most === dunder && dunder > 0 ? 'dunder' : 'sibling' }, suffix };
}

function planJs(input: TestPlanInput): TestPlan {
  const info = detectJsFramework(input.manifest);
  const root = withSlash(input.projectRoot);
  const { dir, stem, ext } = parts(input.sourcePath);
  const { sub } = projectRelative(input.sourcePath, input.projectRoot);
  const inferred = inferJsLayout(input.existingTests, input.projectRoot);
  const suffix = inferred.suffix ?? '.test';
  const names = (s: string) => [`${s}${suffix}${ext}`, `${s}.test${ext}`, `${s}.spec${ext}`];
  const roots = unique([
    ...(inferred.layout?.kind === 'mirror' ? [inferred.layout.root] : []),
    'test/',
    'tests/',
    'test/unit/',
    '__tests__/',
    'spec/',
  ]);
  const candidates = unique([
    ...names(stem).map((n) => dir + n),
    ...names(stem).map((n) => `${dir}__tests__/${n}`),
    ...roots.flatMap((r) => names(stem).flatMap((n) => [root + r + sub + n, root + r + n])),
  ]);
  let create: string;
  const layout: JsLayout =
    inferred.layout ?? (info.framework === 'jest' || info.framework === 'vitest' ? { kind: 'sibling' } : { kind: 'mirror', root: 'test/', nested: true });
  if (layout.kind === 'mirror') create = `${root}${layout.root}${layout.nested ? sub : ''}${stem}${suffix}${ext}`;
  else if (layout.kind === 'dunder') create = `${dir}__tests__/${stem}${suffix}${ext}`;
  else create = `${dir}${stem}${suffix}${ext}`;
  return {
    language: 'js',
    framework: info.framework,
    frameworkAssumed: info.assumed,
    frameworkHint: jsHint(info),
    candidates,
    create,
    inSourceFile: false,
  };
}

/** The dotted module path of a Python file inside its project (src layout aware). */
export function pythonModule(sourcePath: string, projectRoot: string): string {
  const { rel } = projectRelative(sourcePath, projectRoot);
  const noSrc = rel.replace(/^src\//, '').replace(/\.py$/, '');
  return noSrc.split('/').filter((s) => s && s !== '__init__').join('.');
}

function planPython(input: TestPlanInput): TestPlan {
  const root = withSlash(input.projectRoot);
  const { dir, stem } = parts(input.sourcePath);
  const { sub } = projectRelative(input.sourcePath, input.projectRoot);
  const mine = input.existingTests.filter((p) => (!root || p.startsWith(root)) && /(?:^|\/)(?:test_[^/]*|[^/]*_test)\.py$/.test(p));
  const underTests = mine.filter((p) => /^(?:tests?)\//.test(p.slice(root.length)));
  const siblings = mine.length - underTests.length;
  const testsDir = underTests.some((p) => p.slice(root.length).startsWith('test/')) && !underTests.some((p) => p.slice(root.length).startsWith('tests/')) ? 'test/' : 'tests/';
  const nested = underTests.some((p) => p.slice(root.length + testsDir.length).includes('/'));
  const candidates = unique([
    `${root}tests/${sub}test_${stem}.py`,
    `${root}tests/test_${stem}.py`,
    `${root}test/${sub}test_${stem}.py`,
    `${root}test/test_${stem}.py`,
    `${dir}test_${stem}.py`,
    `${dir}${stem}_test.py`,
    `${root}tests/${stem}_test.py`,
  ]);
  const create = siblings > underTests.length ? `${dir}test_${stem}.py` : `${root}${testsDir}${nested ? sub : ''}test_${stem}.py`;
  const pytestNamed = !input.manifest || /pytest/.test(input.manifest);
  return {
    language: 'python',
    framework: 'pytest',
    frameworkAssumed: !pytestNamed,
    frameworkHint: 'pytest: plain test_* functions with assert statements; pytest.raises for exceptions; pytest.mark.parametrize for tables.',
    candidates,
    create,
    inSourceFile: false,
  };
}

function planGo(input: TestPlanInput): TestPlan {
  const { dir, stem } = parts(input.sourcePath);
  const path = `${dir}${stem}_test.go`;
  return {
    language: 'go',
    framework: 'go test',
    frameworkAssumed: false,
    frameworkHint: 'Go\'s testing package: func TestXxx(t *testing.T) in the same package, table-driven with t.Run subtests; no third-party assertion library unless the file already uses one.',
    candidates: [path],
    create: path,
    inSourceFile: false,
  };
}

function planRust(input: TestPlanInput): TestPlan {
  const root = withSlash(input.projectRoot);
  const { stem } = parts(input.sourcePath);
  return {
    language: 'rust',
    framework: 'cargo test',
    frameworkAssumed: false,
    frameworkHint: 'cargo test: #[test] functions using assert!, assert_eq! and #[should_panic] where a panic is expected.',
    candidates: unique([`${root}tests/${stem}.rs`, `${root}tests/test_${stem}.rs`, `${root}tests/${stem}_test.rs`]),
    create: input.sourcePath,
    inSourceFile: true,
  };
}

function jvmFramework(manifest: string | undefined, kotlin: boolean): { framework: TestFramework; assumed: boolean } {
  const m = manifest ?? '';
  if (/junit-jupiter|org\.junit\.jupiter|junit5|useJUnitPlatform/.test(m)) return { framework: kotlin && /kotlin\(["']test|kotlin-test/.test(m) ? 'kotlin.test' : 'junit5', assumed: false };
  if (kotlin && /kotlin\(["']test|kotlin-test/.test(m)) return { framework: 'kotlin.test', assumed: false };
  if (/testng/i.test(m)) return { framework: 'testng', assumed: false };
  if (/junit:junit|<artifactId>junit<\/artifactId>/.test(m)) return { framework: 'junit4', assumed: false };
  return { framework: 'junit5', assumed: true };
}

const JVM_HINTS: Partial<Record<TestFramework, string>> = {
  junit5: 'JUnit 5: org.junit.jupiter.api.Test and static org.junit.jupiter.api.Assertions.*; assertThrows for exceptions.',
  junit4: 'JUnit 4: org.junit.Test and static org.junit.Assert.*; @Test(expected = …) for exceptions.',
  testng: 'TestNG: org.testng.annotations.Test and org.testng.Assert.',
  'kotlin.test': 'kotlin.test: kotlin.test.Test, assertEquals, assertFailsWith.',
};

function planJvm(input: TestPlanInput, kotlin: boolean): TestPlan {
  const { dir, stem, ext } = parts(input.sourcePath);
  const lang = kotlin ? 'kotlin' : 'java';
  const main = `src/main/${lang}/`;
  const testDir = dir.includes(main) ? dir.replace(main, `src/test/${lang}/`) : dir.includes('src/main/') ? dir.replace('src/main/', 'src/test/') : dir;
  const { framework, assumed } = jvmFramework(input.manifest, kotlin);
  return {
    language: kotlin ? 'kotlin' : 'java',
    framework,
    frameworkAssumed: assumed,
    frameworkHint: JVM_HINTS[framework] ?? '',
    candidates: unique([`${testDir}${stem}Test${ext}`, `${testDir}${stem}Tests${ext}`, `${testDir}Test${stem}${ext}`]),
    create: `${testDir}${stem}Test${ext}`,
    inSourceFile: false,
  };
}

/** Decides where tests go and how they are written. */
export function planTests(input: TestPlanInput): TestPlanResult {
  const language = testLanguage(input.languageId);
  if (!language) {
    return {
      ok: false,
      reason: `Generate Tests knows the test conventions of TypeScript, JavaScript, Python, Go, Rust, Java and Kotlin, not of "${input.languageId}".`,
    };
  }
  const { stem } = parts(input.sourcePath);
  if ((/(?:^|[._])(?:test|spec)s?$|^test_/.test(stem) || (/\wTests?$/.test(stem) && (language === 'java' || language === 'kotlin'))) && language !== 'rust') {
    return { ok: false, reason: 'This file already is a test file. Run Generate Tests from the file with the code under test.' };
  }
  switch (language) {
    case 'js':
      return { ok: true, plan: planJs(input) };
    case 'python':
      return { ok: true, plan: planPython(input) };
    case 'go':
      return { ok: true, plan: planGo(input) };
    case 'rust':
      return { ok: true, plan: planRust(input) };
    case 'java':
      return { ok: true, plan: planJvm(input, false) };
    case 'kotlin':
      return { ok: true, plan: planJvm(input, true) };
  }
}

/** The import specifier of the source as seen from the test file (JS/TS: relative, no extension). */
export function relativeImport(fromFile: string, toFile: string): string {
  const from = parts(fromFile).dir.split('/').filter(Boolean);
  const to = toFile.split('/').filter(Boolean);
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  const up = from.length - i;
  const rest = to.slice(i).join('/').replace(/\.(?:[cm]?[jt]sx?)$/, '');
  return (up === 0 ? './' : '../'.repeat(up)) + rest;
}

/** Directories from a file's folder up to the workspace root, nearest first ('' is the root). */
export function ancestorDirs(path: string): string[] {
  const segs = path.split('/').slice(0, -1);
  const out: string[] = [];
  for (let n = segs.length; n >= 0; n--) out.push(segs.slice(0, n).join('/'));
  return out;
}
