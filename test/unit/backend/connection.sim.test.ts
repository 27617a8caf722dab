// The connection as activate() builds it (backend + outcome reporting + health + status model),
// against the simulator: outages, one notification, recovery.

import assert from 'node:assert/strict';
import { Connection } from '../../../src/backend/connection';
import { StatusModel } from '../../../src/ui/statusModel';
import { OllamaSimulator } from '../../sim/simulator';

describe('backend/connection against the simulator', function () {
  this.timeout(10_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
  before(() => sim.start());
  after(() => sim.stop());

  function build(host = () => sim.url) {
    const notified: string[] = [];
    let recovered = 0;
    const status = new StatusModel(
      { host: sim.url, completionModel: 'c', chatModel: 'q', completionsEnabled: true },
      { changed: () => {}, notify: (e) => notified.push(e.kind), recovered: () => recovered++ },
    );
    const timers: unknown[] = [];
    const connection = new Connection({
      host,
      apiKey: () => undefined,
      status,
      isFocused: () => true,
      // Timers are recorded, not run: the backoff schedule is the health monitor's own test.
      setTimer: (_fn, ms) => (timers.push(ms), timers.length),
      clearTimer: () => {},
    });
    return { status, connection, notified, recovered: () => recovered, timers };
  }

  it('is ready after the first health check', async () => {
    const { status, connection } = build();
    assert.equal(await connection.health.check(), true);
    assert.equal(status.facts.connection, 'ready');
    connection.dispose();
  });

  it('goes offline once, however many calls fail, and recovers on the next success without a reload', async () => {
    const { status, connection, notified, recovered, timers } = build();
    await connection.health.check();
    await sim.stop();
    for (let i = 0; i < 10; i++) await assert.rejects(connection.backend().listModels());
    assert.equal(status.facts.connection, 'offline');
    assert.deepEqual(notified, ['unreachable']);
    assert.ok(timers.includes(30_000), 'a background retry is scheduled at 30 s, not sooner');
    assert.ok(timers.every((ms) => ms === 30_000), `failed keystrokes do not stretch the backoff: ${timers.join(', ')}`);
    await sim.start();
    const models = await connection.backend().listModels();
    assert.ok(models.length > 0);
    assert.equal(status.facts.connection, 'ready');
    assert.equal(recovered(), 2);
    connection.dispose();
  });

  it('follows a host change at once', async () => {
    let url = 'http://127.0.0.1:9';
    const { status, connection } = build(() => url);
    assert.equal(await connection.health.check(), false);
    assert.equal(status.facts.connection, 'offline');
    url = sim.url;
    assert.equal(await connection.health.check(), true);
    assert.equal(status.facts.connection, 'ready');
    connection.dispose();
  });

  it('reports a missing model as an error once, without going offline', async () => {
    const { status, connection, notified } = build();
    await connection.health.check();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(async () => {
        for await (const _ of connection.backend().generate({ model: 'nope:7b', prompt: 'x', raw: true })) void _;
      });
    }
    assert.equal(status.facts.connection, 'error');
    assert.deepEqual(notified, ['modelNotFound']);
    connection.dispose();
  });
});
