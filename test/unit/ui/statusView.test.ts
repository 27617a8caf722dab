import assert from 'node:assert/strict';
import { statusView, type StatusFacts } from '../../../src/ui/statusView';

const base: StatusFacts = {
  connection: 'ready',
  host: 'http://127.0.0.1:11434',
  completionModel: 'qwen2.5-coder:1.5b-base',
  chatModel: 'qwen2.5-coder:3b',
  completionsEnabled: true,
  working: [],
  now: 1_000_000,
};

describe('ui/statusView', () => {
  it('shows ready with the models and server in the tooltip', () => {
    const v = statusView(base);
    assert.equal(v.text, '$(sparkle) Qwen');
    assert.match(v.tooltip, /qwen2\.5-coder:1\.5b-base[\s\S]*qwen2\.5-coder:3b[\s\S]*127\.0\.0\.1:11434/);
    assert.equal(v.severity, undefined);
  });

  it('says offline, where, and what to do', () => {
    const v = statusView({ ...base, connection: 'offline' });
    assert.equal(v.text, '$(debug-disconnect) Qwen: offline');
    assert.match(v.tooltip, /not reachable at http:\/\/127\.0\.0\.1:11434.*ollama serve/);
    assert.equal(v.severity, 'warning');
  });

  it('prefers loading over working, and working over idle states', () => {
    assert.equal(statusView({ ...base, working: ['Completion'], loadingModel: 'm' }).text, '$(loading~spin) Qwen: loading model');
    assert.equal(statusView({ ...base, working: ['Chat'], completionsEnabled: false }).text, '$(loading~spin) Qwen');
  });

  it('shows connecting, disabled and snoozed', () => {
    assert.equal(statusView({ ...base, connection: 'connecting' }).text, '$(loading~spin) Qwen');
    assert.equal(statusView({ ...base, completionsEnabled: false }).text, '$(circle-slash) Qwen');
    const snoozed = statusView({ ...base, snoozedUntil: base.now + 10 * 60_000 });
    assert.equal(snoozed.text, '$(clock) Qwen: snoozed');
    assert.match(snoozed.tooltip, /10 more min/);
    assert.equal(statusView({ ...base, snoozedUntil: base.now - 1 }).text, '$(sparkle) Qwen');
  });

  it('marks a failed request as an error with its message', () => {
    const v = statusView({ ...base, connection: 'error', lastError: 'Model "x" is not installed' });
    assert.equal(v.severity, 'error');
    assert.match(v.tooltip, /Model "x" is not installed/);
  });
});
