import assert from 'node:assert/strict';
import { BackendError, type BackendErrorKind } from '../../../src/backend/errors';
import { StatusModel } from '../../../src/ui/statusModel';

const err = (kind: BackendErrorKind, model?: string) => new BackendError(kind, `${kind} message`, { host: 'http://h:1', model });

function model() {
  const events = { changed: 0, notified: [] as string[], recovered: [] as string[] };
  const m = new StatusModel(
    { host: 'http://h:1', completionModel: 'c', chatModel: 'q', completionsEnabled: true },
    {
      changed: () => events.changed++,
      notify: (e) => events.notified.push(e.kind),
      recovered: (from) => events.recovered.push(from),
    },
  );
  return { m, events };
}

describe('ui/statusModel', () => {
  it('starts connecting and becomes ready on the first success', () => {
    const { m, events } = model();
    assert.equal(m.facts.connection, 'connecting');
    m.reportOk();
    assert.equal(m.facts.connection, 'ready');
    assert.equal(events.recovered.length, 1, 'the first connection counts as a recovery (warm-up runs)');
    m.reportOk();
    assert.equal(events.recovered.length, 1);
  });

  it('goes offline with one notification per outage and comes back', () => {
    const { m, events } = model();
    m.reportOk();
    for (let i = 0; i < 20; i++) m.reportError(err('unreachable'));
    assert.equal(m.view().text, '$(debug-disconnect) Qwen: offline');
    assert.deepEqual(events.notified, ['unreachable']);
    m.reportOk();
    assert.equal(m.view().text, '$(sparkle) Qwen');
    assert.equal(events.recovered.length, 2);
    assert.deepEqual(events.recovered, ['connecting', 'offline'], 'the hook tells a first connection from the end of an outage');
    m.reportError(err('unreachable'));
    assert.deepEqual(events.notified, ['unreachable', 'unreachable'], 'a new outage is news');
  });

  it('shows nothing for timeouts and cancels', () => {
    const { m, events } = model();
    m.reportOk();
    m.reportError(err('timeout'));
    m.reportError(err('aborted'));
    assert.equal(m.facts.connection, 'ready');
    assert.deepEqual(events.notified, []);
  });

  it('tracks work in progress and ends it once', () => {
    const { m } = model();
    m.reportOk();
    const end = m.beginWork('Chat');
    assert.equal(m.view().text, '$(loading~spin) Qwen');
    end();
    end();
    assert.equal(m.workInProgress, 0);
    assert.equal(m.view().text, '$(sparkle) Qwen');
  });

  it('keeps the message of a failed request for the tooltip', () => {
    const { m } = model();
    m.reportError(err('modelNotFound', 'x'));
    assert.equal(m.facts.connection, 'error');
    assert.match(m.view().tooltip, /modelNotFound message/);
  });
});
