import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitImports, testMode, testsEdit, type TestsEditInput } from '../../../src/actions/testEdit';

const FIXTURES = join(__dirname, '../../fixtures/actions');
const spaces4 = { insertSpaces: true, tabSize: 4 };

function apply(input: Omit<TestsEditInput, 'eol' | 'style'> & Partial<Pick<TestsEditInput, 'eol' | 'style'>>): string {
  const full: TestsEditInput = { eol: '\n', style: spaces4, ...input };
  const edit = testsEdit(full);
  return full.existing.slice(0, edit.start) + edit.text + full.existing.slice(edit.end);
}

describe('actions/testEdit', () => {
  it('testMode', () => {
    assert.equal(testMode('js', false, false, ''), 'create');
    assert.equal(testMode('python', true, false, 'x'), 'append');
    assert.equal(testMode('rust', true, true, 'fn a() {}\n#[cfg(test)]\nmod tests {\n}\n'), 'rustModule');
    assert.equal(testMode('rust', true, true, 'fn a() {}\n'), 'rustNewModule');
    assert.equal(testMode('rust', true, false, ''), 'append');
  });

  it('splitImports reads multi-line imports per language', () => {
    const js = splitImports("import {\n  a,\n  b,\n} from './x';\nimport assert from 'node:assert/strict';\n\ndescribe('x', () => {});", 'js');
    assert.deepEqual(js.imports.map((i) => i.key), ['./x', 'node:assert/strict']);
    assert.equal(js.body[0], "describe('x', () => {});");
    const go = splitImports('package store\n\nimport (\n\t"testing"\n\tassert "github.com/x/assert"\n)\n\nfunc TestA(t *testing.T) {}', 'go');
    assert.deepEqual(go.imports.map((i) => i.text), ['"testing"', 'assert "github.com/x/assert"']);
    const py = splitImports('from pkg.loader import (\n    Loader,\n)\nimport pytest\n\ndef test_a():\n    pass', 'python');
    assert.equal(py.imports.length, 2);
    assert.equal(py.body[0], 'def test_a():');
  });

  it('create: the generated file, with a final line break, in CRLF', () => {
    const out = apply({ mode: 'create', language: 'go', existing: '', generated: 'package store\n\nfunc TestA(t *testing.T) {}\n\n', eol: '\r\n' });
    assert.equal(out, 'package store\r\n\r\nfunc TestA(t *testing.T) {}\r\n');
  });

  it("create: a four-space answer takes the project's two-space indentation", () => {
    const generated = "describe('add', () => {\n    it('adds', () => {\n        expect(add(1, 2)).toBe(3);\n    });\n});";
    const out = testsEdit({ mode: 'create', language: 'js', existing: '', generated, eol: '\n', style: { insertSpaces: true, tabSize: 2 } });
    assert.equal(out.text, "describe('add', () => {\n  it('adds', () => {\n    expect(add(1, 2)).toBe(3);\n  });\n});\n");
  });

  it('append (TS): new imports go under the existing ones, duplicates are dropped, tests at the end', () => {
    const existing = "import assert from 'node:assert/strict';\nimport { a } from '../src/x';\n\ndescribe('a', () => {\n  it('works', () => assert.ok(a()));\n});\n";
    const generated = "import assert from 'node:assert/strict';\nimport { b } from '../src/x';\nimport { c } from '../src/y';\n\ndescribe('c', () => {\n  it('works', () => assert.ok(c()));\n});";
    const out = apply({ mode: 'append', language: 'js', existing, generated });
    assert.equal(
      out,
      "import assert from 'node:assert/strict';\nimport { a } from '../src/x';\nimport { c } from '../src/y';\n\ndescribe('a', () => {\n  it('works', () => assert.ok(a()));\n});\n\ndescribe('c', () => {\n  it('works', () => assert.ok(c()));\n});\n",
    );
  });

  it('append (Python): no new imports means a pure insertion at the end', () => {
    const existing = 'from pkg import add\n\n\ndef test_add():\n    assert add(1, 2) == 3';
    const edit = testsEdit({ mode: 'append', language: 'python', existing, generated: 'from pkg import add\n\ndef test_zero():\n    assert add(0, 0) == 0', eol: '\n', style: spaces4 });
    assert.equal(edit.start, existing.length);
    assert.equal(edit.end, existing.length);
    assert.equal(edit.text, '\n\ndef test_zero():\n    assert add(0, 0) == 0\n');
  });

  it('append (Go): a missing import joins the import block', () => {
    const existing = 'package store\n\nimport (\n\t"testing"\n)\n\nfunc TestA(t *testing.T) {}\n';
    const generated = 'package store\n\nimport (\n\t"strings"\n\t"testing"\n)\n\nfunc TestB(t *testing.T) {\n\t_ = strings.ToUpper("")\n}';
    const out = apply({ mode: 'append', language: 'go', existing, generated, style: { insertSpaces: false, tabSize: 4 } });
    assert.equal(out, 'package store\n\nimport (\n\t"testing"\n\t"strings"\n)\n\nfunc TestA(t *testing.T) {}\n\nfunc TestB(t *testing.T) {\n\t_ = strings.ToUpper("")\n}\n');
  });

  it('append (Java): methods go inside the class, imports after the last import', () => {
    const existing = 'package com.example;\n\nimport org.junit.jupiter.api.Test;\n\nclass SampleTest {\n    @Test\n    void a() {}\n}\n';
    const generated = 'import static org.junit.jupiter.api.Assertions.assertEquals;\n\nclass SampleTest {\n    @Test\n    void sum() {\n        assertEquals(3, Sample.sum(java.util.List.of(1, 2)));\n    }\n}';
    const out = apply({ mode: 'append', language: 'java', existing, generated });
    assert.equal(
      out,
      'package com.example;\n\nimport org.junit.jupiter.api.Test;\nimport static org.junit.jupiter.api.Assertions.assertEquals;\n\nclass SampleTest {\n    @Test\n    void a() {}\n\n    @Test\n    void sum() {\n        assertEquals(3, Sample.sum(java.util.List.of(1, 2)));\n    }\n}\n',
    );
  });

  it('rustModule: new #[test] functions go before the closing brace of mod tests', () => {
    const existing = readFileSync(join(FIXTURES, 'sample.rs'), 'utf8');
    const generated = '#[test]\nfn totals() {\n    assert_eq!(total(&HashMap::new()), 0);\n}';
    const out = apply({ mode: 'rustModule', language: 'rust', existing, generated });
    assert.ok(out.endsWith('    }\n\n    #[test]\n    fn totals() {\n        assert_eq!(total(&HashMap::new()), 0);\n    }\n}\n'), out);
    assert.equal(out.split('mod tests').length, 2, 'still one module');
  });

  it('rustModule: a model that wrapped its answer in mod tests is unwrapped', () => {
    const existing = 'fn a() {}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n';
    const generated = '#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn b() {}\n}';
    const out = apply({ mode: 'rustModule', language: 'rust', existing, generated });
    assert.equal(out, 'fn a() {}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn b() {}\n}\n');
  });

  it('rustNewModule: bare functions are wrapped in a cfg(test) module at the end', () => {
    const out = apply({ mode: 'rustNewModule', language: 'rust', existing: 'pub fn a() -> i32 { 1 }\n', generated: '#[test]\nfn one() {\n    assert_eq!(a(), 1);\n}' });
    assert.equal(out, 'pub fn a() -> i32 { 1 }\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn one() {\n        assert_eq!(a(), 1);\n    }\n}\n');
  });
});
