// Bundles the integration suites and their two runners with esbuild into one folder:
//   <out>/extension.js        the code-server runner extension (with its package.json)
//   <out>/electron-index.js   test-electron's extensionTestsPath
//   <out>/suites/*.test.js    one bundle per suite (mocha loads them by path)
// Mocha is bundled in (it is an ES module package; the extension host loads CommonJS); `vscode`
// stays external: the extension host provides it.
//
//   node test/integration/build.mjs [outDir]     (default .vscode-test/integration)

import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
export const DEFAULT_OUT = join(ROOT, '.vscode-test', 'integration');

export async function buildIntegration(out = DEFAULT_OUT) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'suites'), { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'error',
    // mocha's parallel mode resolves worker files at run time; never used here.
    logOverride: { 'require-resolve-not-external': 'silent' },
  };
  const suites = readdirSync(join(HERE, 'suites'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(HERE, 'suites', f));
  await Promise.all([
    build({ ...common, entryPoints: [join(HERE, 'runner-extension', 'extension.ts')], outfile: join(out, 'extension.js') }),
    build({ ...common, entryPoints: [join(HERE, 'electron-index.ts')], outfile: join(out, 'electron-index.js') }),
    build({ ...common, entryPoints: suites, outdir: join(out, 'suites') }),
  ]);
  copyFileSync(join(HERE, 'runner-extension', 'package.json'), join(out, 'package.json'));
  return { out, suites: suites.length };
}

/**
 * Packages the built runner extension (with `config` as its runner-config.json) as a .vsix, the
 * form code-server's --install-extension takes. Returns the .vsix path.
 */
export async function packageRunner(out, config) {
  const { createVSIX } = await import('@vscode/vsce');
  writeFileSync(join(out, 'runner-config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(out, 'README.md'), '# Qwen Local integration test runner\n\nTest only; built by test/integration/build.mjs.\n');
  writeFileSync(join(out, '.vscodeignore'), 'electron-index.js\n');
  const packagePath = `${out}.vsix`;
  // vsce prints its file tree and warnings through console: keep the test report readable.
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = () => {};
  try {
    await createVSIX({ cwd: out, packagePath, dependencies: false, allowMissingRepository: true, skipLicense: true });
  } finally {
    Object.assign(console, saved);
  }
  return packagePath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { out, suites } = await buildIntegration(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT);
  console.log(`integration: ${suites} suite(s) bundled into ${out}`);
}
