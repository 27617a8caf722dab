import assert from 'node:assert/strict';
import { BackendError, type BackendErrorKind } from '../../../src/backend/errors';
import { IncidentTracker } from '../../../src/ui/incidents';

const err = (kind: BackendErrorKind, model?: string) => new BackendError(kind, kind, { host: 'h', model });

describe('ui/incidents', () => {
  it('notifies once per outage, however many keystrokes fail', () => {
    const t = new IncidentTracker();
    const notified = Array.from({ length: 50 }, () => t.report(err('unreachable'))).filter(Boolean).length;
    assert.equal(notified, 1);
    assert.ok(t.offline);
  });

  it('starts a new incident after a success', () => {
    const t = new IncidentTracker();
    assert.ok(t.report(err('unreachable')));
    assert.ok(t.resolve());
    assert.equal(t.offline, false);
    assert.ok(t.report(err('unreachable')));
  });

  it('tells apart missing models, and never notifies for timeouts or cancels', () => {
    const t = new IncidentTracker();
    assert.ok(t.report(err('modelNotFound', 'a')));
    assert.ok(t.report(err('modelNotFound', 'b')));
    assert.equal(t.report(err('modelNotFound', 'a')), false);
    assert.equal(t.report(err('timeout')), false);
    assert.equal(t.report(err('aborted')), false);
  });
});
