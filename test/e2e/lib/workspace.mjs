// The sample workspace the scenarios edit: a TypeScript file, a Python file, a git repository
// with one commit (so the commit-message scenario has a diff to describe).

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SAMPLE_FILES = {
  'src/math.ts': `export function add(a: number, b: number): number {
  return a + b;
}

export function multiply(a: number, b: number): number {
  return a * b;
}
`,
  'src/app.py': `def greet(name: str) -> str:
    return f"Hello, {name}!"


def main() -> None:
    print(greet("world"))
`,
  'README.md': '# Sample project\n\nFiles the end-to-end tests of Qwen Local edit.\n',
  '.gitignore': 'node_modules/\n__pycache__/\n',
};

/** Writes the sample files into `dir` and commits them (git is needed for the SCM scenarios). */
export function createWorkspace(dir, home) {
  for (const [rel, text] of Object.entries(SAMPLE_FILES)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const git = (...args) => execFileSync('git', args, { cwd: dir, env: { ...process.env, HOME: home }, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'Initial commit');
}

/** Sets a file back to its sample text (scenarios start from a known state). */
export function resetFile(dir, rel) {
  writeFileSync(join(dir, rel), SAMPLE_FILES[rel]);
}

/** Every sample file back to its committed text, nothing staged (between scenarios). */
export function restoreWorkspace(dir, home) {
  for (const rel of Object.keys(SAMPLE_FILES)) resetFile(dir, rel);
  execFileSync('git', ['reset', '-q'], { cwd: dir, env: { ...process.env, HOME: home }, stdio: 'pipe' });
}
