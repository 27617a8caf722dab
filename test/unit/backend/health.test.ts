import assert from 'node:assert/strict';
import { HealthMonitor, MAX_INTERVAL_MS, MIN_INTERVAL_MS, type HealthDeps } from '../../../src/backend/health';

/** Hand-driven clock and timers: nothing here waits for real time. */
function harness(serverUp: () => boolean) {
  let now = 0;
  let focused = true;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const results: boolean[] = [];
  let probes = 0;
  const deps: HealthDeps = {
    probe: async () => {
      probes++;
      if (!serverUp()) throw new Error('ECONNREFUSED');
    },
    onResult: (ok) => results.push(ok),
    isFocused: () => focused,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id) => timers.delete(id as number),
    now: () => now,
  };
  const monitor = new HealthMonitor(deps);
  return {
    monitor,
    results,
    probes: () => probes,
    pending: () => [...timers.values()].map((t) => t.at - now),
    setFocused(f: boolean) {
      focused = f;
      monitor.focusChanged(f);
    },
    /** Advances the clock, firing due timers, and lets their probes settle. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await new Promise((r) => setImmediate(r));
      }
      now = end;
    },
  };
}

describe('backend/health', () => {
  it('backs off from 30 s to at most 5 min, never faster than every 30 s', () => {
    assert.equal(HealthMonitor.backoff(1), MIN_INTERVAL_MS);
    assert.equal(HealthMonitor.backoff(2), 60_000);
    assert.equal(HealthMonitor.backoff(3), 120_000);
    assert.equal(HealthMonitor.backoff(20), MAX_INTERVAL_MS);
  });

  it('does not poll at all while the server answers', async () => {
    const h = harness(() => true);
    assert.equal(await h.monitor.check(), true);
    await h.advance(3600_000);
    assert.equal(h.probes(), 1);
    assert.deepEqual(h.pending(), []);
  });

  it('retries with backoff while offline and stops once the server is back', async () => {
    let up = false;
    const h = harness(() => up);
    assert.equal(await h.monitor.check(), false);
    assert.deepEqual(h.pending(), [30_000]);
    await h.advance(30_000);
    assert.equal(h.probes(), 2);
    assert.deepEqual(h.pending(), [60_000]);
    up = true;
    await h.advance(60_000);
    assert.equal(h.probes(), 3);
    assert.deepEqual(h.results, [false, false, true]);
    assert.deepEqual(h.pending(), []);
  });

  it('does not poll while the window is unfocused, and looks again on focus', async () => {
    let up = false;
    const h = harness(() => up);
    await h.monitor.check();
    h.setFocused(false);
    assert.deepEqual(h.pending(), []);
    await h.advance(3600_000);
    assert.equal(h.probes(), 1);
    up = true;
    h.setFocused(true);
    await new Promise((r) => setImmediate(r));
    assert.equal(h.probes(), 2);
    assert.deepEqual(h.results, [false, true]);
  });

  it('counts a request that succeeded as a check: the backoff ends at once', async () => {
    const h = harness(() => false);
    await h.monitor.check();
    h.monitor.markResult(true);
    assert.deepEqual(h.pending(), []);
    assert.deepEqual(h.results, [false, true]);
  });

  it('runs one probe at a time however often it is asked', async () => {
    const h = harness(() => true);
    await Promise.all([h.monitor.check(), h.monitor.check(), h.monitor.check()]);
    assert.equal(h.probes(), 1);
  });
});
