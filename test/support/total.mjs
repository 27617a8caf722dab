// Adds up the counts each suite wrote to test-results/*.json and prints the closing line CI reads.
// `--reset` clears them first, so a suite that did not run cannot leave an old count behind.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(process.cwd(), 'test-results');
if (process.argv.includes('--reset')) {
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (f.endsWith('.json')) fs.rmSync(path.join(dir, f));
  process.exit(0);
}
let passed = 0;
let failed = 0;
const parts = [];
for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
  if (!f.endsWith('.json')) continue;
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  if (typeof r.passed !== 'number') continue;
  passed += r.passed;
  failed += r.failed;
  parts.push(`${path.basename(f, '.json')} ${r.passed}/${r.passed + r.failed}`);
}
if (passed + failed === 0) {
  console.error('No test ran: that is a failure, not a success.');
  process.exit(1);
}
console.log(`suites: ${parts.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
