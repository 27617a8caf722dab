import * as assert from 'node:assert/strict';
import { cleanBlock, languageIdFor, planApply } from '../../../src/chat/apply';

const FILE = [
  'import { x } from "./x";',
  '',
  'export class Greeter {',
  '  greet(name: string): string {',
  '    return "Hello " + name;',
  '  }',
  '',
  '  bye(): string {',
  '    return "Bye";',
  '  }',
  '}',
  '',
].join('\n');

describe('Apply to File planning', () => {
  it('replaces the part of the file the block rewrites, re-indented', () => {
    const code = 'greet(name: string): string {\n  return `Hello ${name}!`;\n}';
    const plan = planApply({ fileText: FILE, code, selectionStart: 0, selectionEnd: 0 });
    assert.equal(plan.kind, 'replaceRange');
    assert.ok(plan.result.includes('  greet(name: string): string {\n    return `Hello ${name}!`;\n  }\n\n  bye(): string {'));
    assert.ok(!plan.result.includes('"Hello " + name'));
    assert.ok(plan.result.startsWith('import { x }'));
  });

  it('finds the end of an indentation-delimited block (Python)', () => {
    const py = 'def a():\n    return 1\n\ndef b():\n    x = 2\n    return x\n\nprint(b())\n';
    const plan = planApply({ fileText: py, code: 'def b():\n    return 3', selectionStart: 0, selectionEnd: 0 });
    assert.equal(plan.kind, 'replaceRange');
    assert.equal(plan.result, 'def a():\n    return 1\n\ndef b():\n    return 3\n\nprint(b())\n');
  });

  it('replaces the selection when the block does not match a unique part', () => {
    const start = FILE.indexOf('return "Bye"');
    const end = start + 'return "Bye";'.length;
    const plan = planApply({ fileText: FILE, code: 'return "Goodbye";', selectionStart: start, selectionEnd: end });
    assert.equal(plan.kind, 'replaceSelection');
    assert.ok(plan.result.includes('return "Goodbye";'));
  });

  it('replaces the whole file when the block is the whole file', () => {
    const whole = FILE.replace('Bye', 'Ciao').trimEnd();
    const plan = planApply({ fileText: FILE, code: whole, selectionStart: 0, selectionEnd: 0 });
    assert.ok(plan.kind === 'replaceFile' || plan.kind === 'replaceRange');
    assert.equal(plan.result, FILE.replace('Bye', 'Ciao'));
  });

  it('fills an empty file', () => {
    const plan = planApply({ fileText: '', code: 'print(1)', selectionStart: 0, selectionEnd: 0 });
    assert.equal(plan.kind, 'replaceFile');
    assert.equal(plan.result, 'print(1)');
  });

  it('otherwise inserts at the cursor', () => {
    const at = FILE.indexOf('export');
    const plan = planApply({ fileText: FILE, code: 'const y = 2;', selectionStart: at, selectionEnd: at });
    assert.equal(plan.kind, 'insert');
    assert.equal(plan.result, FILE.slice(0, at) + 'const y = 2;' + FILE.slice(at));
  });

  it('drops a leading "filepath:" comment and trailing blank lines', () => {
    assert.equal(cleanBlock('// filepath: src/a.ts\nconst a = 1;\n\n'), 'const a = 1;');
    assert.equal(cleanBlock('# file: app.py\nx = 1'), 'x = 1');
    assert.equal(cleanBlock('// a normal comment\nx'), '// a normal comment\nx');
  });

  it('maps fence languages to VS Code language ids', () => {
    const known = ['typescript', 'python', 'shellscript', 'plaintext', 'yaml', 'rust'];
    assert.equal(languageIdFor('ts', known), 'typescript');
    assert.equal(languageIdFor('python', known), 'python');
    assert.equal(languageIdFor('bash', known), 'shellscript');
    assert.equal(languageIdFor('yml', known), 'yaml');
    assert.equal(languageIdFor('klingon', known), 'plaintext');
    assert.equal(languageIdFor(undefined, known), 'plaintext');
  });
});
