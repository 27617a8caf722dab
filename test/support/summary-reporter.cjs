// Mocha's spec reporter plus a closing line in the plain form CI reads ("N passed, N failed"),
// and the counts written to test-results/<name>.json so .ci/run can add up all suites.
const Mocha = require('mocha');
const fs = require('fs');
const path = require('path');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const name = process.env.QWEN_SUITE_NAME || 'unit';
    runner.once('end', () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
      const dir = path.join(process.cwd(), 'test-results');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ passed: passes, failed: failures, skipped: pending }));
      console.log(`${name}: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
    });
  }
}
module.exports = SummaryReporter;
