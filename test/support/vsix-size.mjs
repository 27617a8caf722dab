// Prints the packaged extension's size and fails above the 1 MB budget.
import fs from 'node:fs';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const file = `qwen-local-${pkg.version}.vsix`;
const bytes = fs.statSync(file).size;
const LIMIT = 1024 * 1024;
console.log(`${file}: ${(bytes / 1024).toFixed(1)} KiB (budget ${LIMIT / 1024} KiB)`);
if (bytes > LIMIT) {
  console.error(`${file} is over the 1 MB budget: check .vscodeignore and the bundle.`);
  process.exit(1);
}
