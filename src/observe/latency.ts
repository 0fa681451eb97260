// A bounded window of call latencies, for p50/p99 in status and metrics.

/** Keeps the last `size` samples (ms) in a ring: recording is O(1) on the per-call path. */
export class LatencyStats {
  private readonly samples: number[] = [];
  private next = 0;
  constructor(private readonly size = 1000) {}

  record(ms: number): void {
    if (this.samples.length < this.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  /** The q-quantile (0..1) of the window, or undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
}
