import * as assert from 'node:assert/strict';
import { CompletionStats, percentile } from '../../../src/completion/stats';

describe('completion statistics', () => {
  it('percentile uses the nearest rank', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert.equal(percentile(sorted, 0.5), 50);
    assert.equal(percentile(sorted, 0.9), 90);
    assert.equal(percentile(sorted, 0.99), 100);
    assert.equal(percentile([], 0.5), 0);
    assert.equal(percentile([7], 0.99), 7);
  });

  it('counts shown and accepted once per suggestion', () => {
    const stats = new CompletionStats();
    stats.shown('1');
    stats.shown('1');
    stats.shown('2');
    stats.accepted('1');
    stats.accepted('1');
    const snapshot = stats.snapshot();
    assert.equal(snapshot.shown, 2);
    assert.equal(snapshot.accepted, 1);
    assert.equal(snapshot.acceptanceRate, 0.5);
  });

  it('summarizes latency of answered requests only', () => {
    const stats = new CompletionStats();
    for (let ms = 1; ms <= 100; ms++) {
      stats.requestSent();
      stats.finished('shown', ms);
    }
    stats.finished('aborted', 5000);
    stats.finished('error', 9000);
    const snapshot = stats.snapshot();
    assert.equal(snapshot.requests, 100);
    assert.deepEqual(snapshot.latency, { count: 100, p50: 50, p90: 90, p99: 99 });
    assert.equal(snapshot.aborted, 1);
    assert.equal(snapshot.errors, 1);
  });

  it('keeps the last 500 latencies and resets', () => {
    const stats = new CompletionStats();
    for (let i = 0; i < 600; i++) stats.finished('empty', i);
    assert.equal(stats.snapshot().latency.count, 500);
    assert.equal(stats.snapshot().empty, 600);
    stats.reset();
    assert.equal(stats.snapshot().latency.count, 0);
    assert.equal(stats.snapshot().acceptanceRate, 0);
  });
});

describe('completion/stats report', () => {
  it('renders the local numbers as a markdown table', async () => {
    const { statisticsReport } = await import('../../../src/completion/stats');
    const text = statisticsReport({
      requests: 10,
      cacheHits: 4,
      shown: 8,
      accepted: 2,
      acceptanceRate: 0.25,
      empty: 1,
      aborted: 3,
      errors: 0,
      latency: { count: 10, p50: 120.4, p90: 300, p99: 410.6 },
    });
    assert.match(text, /\| Accepted \| 2 \(25\.0 %\) \|/);
    assert.match(text, /\| Latency p50 \/ p90 \/ p99 \| 120 \/ 300 \/ 411 ms \(10 requests\) \|/);
    assert.match(text, /kept locally/);
  });
});
