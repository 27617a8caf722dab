import assert from 'node:assert/strict';
import { cleanCommitMessage, isNoise, parseDiff, summarizeDiff, withoutExcluded } from '../../../src/actions/commitDiff';
import { excludeMatcher } from '../../../src/workspace/exclude';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { estimateTokens } from '../../../src/actions/text';

function fileDiff(path: string, added: number, removed = 0, extra = ''): string {
  const lines = [`diff --git a/${path} b/${path}`, extra, `index 1111111..2222222 100644`, `--- a/${path}`, `+++ b/${path}`, `@@ -1,${removed} +1,${added} @@`];
  for (let i = 0; i < removed; i++) lines.push(`-old line ${i} of ${path}`);
  for (let i = 0; i < added; i++) lines.push(`+new line ${i} of ${path} with some more text to make it longer`);
  return lines.filter((l) => l !== '').join('\n');
}

describe('actions/commitDiff', () => {
  it('parseDiff: paths, statuses and counts', () => {
    const diff = [
      fileDiff('src/a.ts', 3, 1),
      'diff --git a/new.txt b/new.txt\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hello',
      'diff --git a/old.txt b/old.txt\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye',
      'diff --git a/x.ts b/y.ts\nsimilarity index 100%\nrename from x.ts\nrename to y.ts',
      'diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ',
    ].join('\n');
    const files = parseDiff(diff);
    assert.deepEqual(
      files.map((f) => [f.path, f.status, f.added, f.removed]),
      [
        ['src/a.ts', 'modified', 3, 1],
        ['new.txt', 'added', 1, 0],
        ['old.txt', 'deleted', 0, 1],
        ['y.ts', 'renamed', 0, 0],
        ['logo.png', 'binary', 0, 0],
      ],
    );
  });

  it('a diff that fits is returned unchanged', () => {
    const diff = fileDiff('a.py', 5);
    assert.equal(summarizeDiff(diff, 10_000), diff);
  });

  it('a large diff is summarized within the budget, every file listed, small files whole', () => {
    const small = fileDiff('src/small.ts', 4, 1);
    const big = fileDiff('src/big.ts', 2000, 500);
    const lock = fileDiff('package-lock.json', 3000, 2000);
    const diff = [small, big, lock].join('\n');
    const budget = 1500;
    assert.ok(estimateTokens(diff) > budget * 10);
    const out = summarizeDiff(diff, budget);
    assert.ok(estimateTokens(out) <= budget, `summary has ${estimateTokens(out)} tokens`);
    assert.match(out, /^3 files changed \(\+5004 -2501\)/);
    assert.match(out, /M src\/small\.ts \(\+4 -1\)/);
    assert.match(out, /M src\/big\.ts \(\+2000 -500\)/);
    assert.match(out, /M package-lock\.json \(\+3000 -2000\)/);
    assert.ok(out.includes(small), 'the small file is shown whole');
    assert.ok(out.includes('diff --git a/src/big.ts'), 'the big file is shown in part');
    assert.match(out, /more changed lines in this file not shown/);
    assert.ok(!out.includes('diff --git a/package-lock.json'), 'the lockfile content is left out');
  });

  it('many files: the list itself is cut to the largest changes', () => {
    const diff = Array.from({ length: 400 }, (_, i) => fileDiff(`src/module${i}/file${i}.ts`, i % 7 === 0 ? 50 : 1)).join('\n');
    const out = summarizeDiff(diff, 800);
    assert.ok(estimateTokens(out) <= 800);
    assert.match(out, /… and \d+ more files/);
    assert.match(out, /\(\+50 -0\)/);
  });

  it('isNoise', () => {
    for (const p of ['package-lock.json', 'web/yarn.lock', 'Cargo.lock', 'go.sum', 'dist/app.js', 'a.min.js', '__snapshots__/x.snap']) assert.ok(isNoise(p), p);
    for (const p of ['src/lock.ts', 'README.md', 'go.mod']) assert.ok(!isNoise(p), p);
  });

  describe('cleanCommitMessage', () => {
    const cases: Array<[string, string, string]> = [
      ['plain', 'Add retry to the client\n\nRetries once on ECONNRESET.', 'Add retry to the client\n\nRetries once on ECONNRESET.'],
      ['fenced', '```\nfix: handle empty input\n```', 'fix: handle empty input'],
      ['thinking and a lead', '<think>diff shows…</think>\nHere is the commit message:\n\nfeat(ui): add status menu', 'feat(ui): add status menu'],
      ['a label prefix', '**Commit message:** Fix typo in README', 'Fix typo in README'],
      ['quoted', '"Update dependencies"', 'Update dependencies'],
      ['another lead sentence', 'Sure, this describes it well:\nRefactor the parser', 'Refactor the parser'],
      ['a subject ending with a period is kept', 'Fix the typo.', 'Fix the typo.'],
      ['extra blank lines and trailing spaces', 'Fix it  \n\n\n\nBody line   ', 'Fix it\n\nBody line'],
    ];
    for (const [name, answer, out] of cases) it(name, () => assert.equal(cleanCommitMessage(answer, true), out));
    it('while streaming, an open think part shows nothing', () => assert.equal(cleanCommitMessage('<think>hmm', false), ''));
  });
});

describe('actions/commitDiff exclusion', () => {
  const diff = [
    'diff --git a/src/app.ts b/src/app.ts',
    'index 1..2 100644',
    '--- a/src/app.ts',
    '+++ b/src/app.ts',
    '@@ -1 +1 @@',
    '-const port = 80;',
    '+const port = 8080;',
    'diff --git a/.env b/.env',
    'index 3..4 100644',
    '--- a/.env',
    '+++ b/.env',
    '@@ -1 +1 @@',
    '-API_TOKEN=old-secret',
    '+API_TOKEN=new-secret',
    'diff --git a/keys/id_rsa b/deploy/key.txt',
    'similarity index 100%',
    'rename from keys/id_rsa',
    'rename to deploy/key.txt',
  ].join('\n');

  it('withholds the contents of excluded files (also under a new name) and keeps the rest', () => {
    const out = withoutExcluded(diff, excludeMatcher(DEFAULT_EXCLUDE));
    assert.doesNotMatch(out, /secret/);
    assert.match(out, /# \.env changed \(contents withheld/);
    assert.match(out, /# deploy\/key\.txt changed \(contents withheld/);
    assert.match(out, /\+const port = 8080;/);
  });

  it('returns the diff unchanged when nothing is excluded', () => {
    assert.equal(withoutExcluded(diff, () => false), diff);
  });
});
