// Where things are: the repository, the ignored work folders, the report folder.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Ignored (.gitignore): the profile of a run, the bundled integration suites, code-server. */
export const WORK = join(ROOT, '.vscode-test');
/** Ignored: screenshots, logs and the results of a run, for CI artifacts. */
export const RESULTS = join(ROOT, 'test-results', 'e2e');

export const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** "qwen-local.qwen-local": publisher.name, how VS Code names the extension. */
export const EXTENSION_ID = `${MANIFEST.publisher}.${MANIFEST.name}`;
export const VSIX = join(ROOT, `${MANIFEST.name}-${MANIFEST.version}.vsix`);
