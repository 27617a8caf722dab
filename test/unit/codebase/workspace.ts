// A small real workspace for the index tests: the chunker fixtures (real files in six languages)
// plus two secrets that the exclusion predicate must keep out of everything.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodebaseIndex, type CodebaseIndexOptions } from '../../../src/codebase/codebaseIndex';

const FIXTURES = join(__dirname, '../../fixtures/codebase');

export const SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c';

export function workspaceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(FIXTURES)) {
    if (name !== 'README.md') files.set(`src/${name}`, readFileSync(join(FIXTURES, name), 'utf8'));
  }
  files.set('.env', `OPENAI_API_KEY=${SECRET}\nDATABASE_URL=postgres://admin:${SECRET}@db/prod\n`);
  files.set('deploy/keys/server.pem', `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`);
  return files;
}

/** The extension's default kind of exclusion: env files and keys. */
export function excludeSecrets(path: string): boolean {
  return /(?:^|\/)\.env(?:\.|$)|\.(?:pem|key)$|(?:^|\/)id_rsa/.test(path);
}

export function indexWorkspace(options: CodebaseIndexOptions = { exclude: excludeSecrets }): CodebaseIndex {
  const index = new CodebaseIndex(options);
  for (const [path, content] of workspaceFiles()) index.upsertFile(path, content);
  return index;
}
