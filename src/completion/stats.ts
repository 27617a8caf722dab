// Local completion statistics: how often ghost text was shown and accepted, and how fast it came.
// Pure; kept in memory only (nothing is sent anywhere).

const LATENCY_SAMPLES = 500;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface StatsSnapshot {
  /** Requests sent to the model server. */
  requests: number;
  /** Suggestions served from the cache (typing through, backspace) without a request. */
  cacheHits: number;
  /** Distinct suggestions handed to the editor. */
  shown: number;
  accepted: number;
  /** accepted / shown, 0 when nothing was shown. */
  acceptanceRate: number;
  /** Requests that ended with nothing worth showing. */
  empty: number;
  /** Requests dropped because the user typed on (or chat took the server). */
  aborted: number;
  errors: number;
  /** From sending the request to the cleaned answer, in milliseconds. */
  latency: LatencySummary;
}

/** The value at quantile q (0..1) of an ascending array, nearest-rank; 0 for an empty one. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export class CompletionStats {
  private counts = { requests: 0, cacheHits: 0, shown: 0, accepted: 0, empty: 0, aborted: 0, errors: 0 };
  private latencies: number[] = [];
  private readonly shownIds = new Set<string>();
  private readonly acceptedIds = new Set<string>();

  requestSent(): void {
    this.counts.requests++;
  }

  cacheHit(): void {
    this.counts.cacheHits++;
  }

  /** A suggestion went to the editor; the same suggestion shown again (typing through) counts once. */
  shown(id: string): void {
    if (this.shownIds.has(id)) return;
    this.remember(this.shownIds, id);
    this.counts.shown++;
  }

  accepted(id: string): void {
    if (this.acceptedIds.has(id)) return;
    this.remember(this.acceptedIds, id);
    this.counts.accepted++;
  }

  finished(outcome: 'shown' | 'empty' | 'aborted' | 'error', latencyMs?: number): void {
    if (outcome === 'empty') this.counts.empty++;
    else if (outcome === 'aborted') this.counts.aborted++;
    else if (outcome === 'error') this.counts.errors++;
    if (latencyMs !== undefined && (outcome === 'shown' || outcome === 'empty')) {
      this.latencies.push(latencyMs);
      if (this.latencies.length > LATENCY_SAMPLES) this.latencies.shift();
    }
  }

  snapshot(): StatsSnapshot {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      ...this.counts,
      acceptanceRate: this.counts.shown === 0 ? 0 : this.counts.accepted / this.counts.shown,
      latency: { count: sorted.length, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) },
    };
  }

  reset(): void {
    this.counts = { requests: 0, cacheHits: 0, shown: 0, accepted: 0, empty: 0, aborted: 0, errors: 0 };
    this.latencies = [];
    this.shownIds.clear();
    this.acceptedIds.clear();
  }

  private remember(set: Set<string>, id: string): void {
    set.add(id);
    // Bounded: only recent ids matter for de-duplication.
    if (set.size > 1000) set.delete(set.values().next().value as string);
  }
}

/** Local numbers only: they are never sent anywhere. */
export function statisticsReport(s: StatsSnapshot): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    '# Qwen Local: completion statistics (this window, kept locally)',
    '',
    '| | |',
    '| --- | --- |',
    `| Requests to the model | ${s.requests} |`,
    `| Served from the cache | ${s.cacheHits} |`,
    `| Suggestions shown | ${s.shown} |`,
    `| Accepted | ${s.accepted} (${pct(s.acceptanceRate)}) |`,
    `| Empty answers | ${s.empty} |`,
    `| Cancelled (typed on) | ${s.aborted} |`,
    `| Errors | ${s.errors} |`,
    `| Latency p50 / p90 / p99 | ${s.latency.p50.toFixed(0)} / ${s.latency.p90.toFixed(0)} / ${s.latency.p99.toFixed(0)} ms (${s.latency.count} requests) |`,
    '',
  ].join('\n');
}
