import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifest } from '../support/manifest';

interface Step {
  id: string;
  description: string;
  media: { markdown?: string };
}
const walkthrough = (manifest.contributes as unknown as { walkthroughs: { id: string; steps: Step[] }[] }).walkthroughs[0];
const declaredCommands = new Set((manifest.contributes as unknown as { commands: { command: string }[] }).commands.map((c) => c.command));

describe('the setup walkthrough', () => {
  it('never states a fixed server address as the one in use: it points to the setting and the doctor', () => {
    for (const step of walkthrough.steps) {
      assert.doesNotMatch(step.description, /127\.0\.0\.1|localhost/, `step ${step.id}: a fixed address`);
      assert.doesNotMatch(step.description, /`/, `step ${step.id}: raw backticks (step text is not markdown)`);
    }
    const start = walkthrough.steps.find((s) => s.id === 'start');
    assert.ok(start);
    assert.match(start.description, /command:qwenLocal\.connectionDoctor/);
    assert.match(start.description, /command:workbench\.action\.openSettings\?%5B%22qwenLocal\.server\.url%22%5D/);
    const page = readFileSync(join(__dirname, '../../..', start.media.markdown ?? ''), 'utf8');
    assert.match(page, /qwenLocal\.server\.url/);
    assert.match(page, /127\.0\.0\.1:11434/, 'the default is named as the default');
    assert.match(page, /otherwise the local Ollama/);
  });

  it('links only to commands that exist', () => {
    for (const step of walkthrough.steps) {
      for (const [, id] of step.description.matchAll(/command:(qwenLocal\.[\w.]+)/g)) assert.ok(declaredCommands.has(id), `${step.id}: ${id}`);
    }
  });
});
