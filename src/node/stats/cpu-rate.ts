// usageNanoCores needs two readings of a cumulative counter. CpuRates keeps, per key (the node,
// each container), the last reading and the rate it implied, like cadvisor's housekeeping: a
// reading closer than minIntervalMs to the stored one keeps the stored rate rather than computing
// a noisy rate over a tiny window.

export interface CpuReading {
  /** Cumulative CPU time in nanoseconds. */
  usageNs: number;
  /** When it was read, ms. */
  at: number;
}

interface Entry {
  last: CpuReading;
  rate?: number;
}

export class CpuRates {
  readonly #entries = new Map<string, Entry>();
  readonly #minIntervalMs: number;

  constructor(minIntervalMs = 1000) {
    this.#minIntervalMs = minIntervalMs;
  }

  /** Records a reading and answers the rate in nanocores (undefined until there are two readings). */
  observe(key: string, reading: CpuReading): number | undefined {
    const e = this.#entries.get(key);
    // Housekeeping and a request may read at once: a reading older than the stored one changes nothing.
    if (e && reading.at <= e.last.at) return e.rate;
    if (!e || reading.usageNs < e.last.usageNs) {
      // First sight, or a counter reset (a restarted container): start over.
      this.#entries.set(key, { last: reading });
      return undefined;
    }
    const dt = reading.at - e.last.at;
    if (dt < this.#minIntervalMs) return e.rate;
    // ns of CPU per ms of wall time × 1000 = ns per second = nanocores.
    const rate = Math.round(((reading.usageNs - e.last.usageNs) / dt) * 1000);
    this.#entries.set(key, { last: reading, rate });
    return rate;
  }

  /** Forgets keys not in `live` (containers that are gone). */
  retain(live: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) if (!live.has(key)) this.#entries.delete(key);
  }
}
