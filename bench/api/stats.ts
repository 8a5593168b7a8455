// Latency samples and their summaries. Samples are kept whole (a growable Float64Array, at most a
// few hundred thousand per scenario) so percentiles are exact rather than bucketed.

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export class Samples {
  #data = new Float64Array(1024);
  #n = 0;

  get count(): number {
    return this.#n;
  }

  add(ms: number): void {
    if (this.#n === this.#data.length) {
      const grown = new Float64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.#n++] = ms;
  }

  addAll(other: Samples): void {
    for (let i = 0; i < other.#n; i++) this.add(other.#data[i] as number);
  }

  summary(): LatencySummary {
    const n = this.#n;
    if (n === 0) return { count: 0, min: NaN, p50: NaN, p99: NaN, max: NaN, mean: NaN };
    const sorted = this.#data.slice(0, n).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i] as number;
    return { count: n, min: sorted[0] as number, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[n - 1] as number, mean: sum / n };
  }
}

/** Nearest-rank quantile of sorted data. */
function quantile(sorted: Float64Array, q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

// ---- formatting ----

export function fmtInt(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-';
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 0.1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function fmtRatio(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function fmtCores(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : `${Math.round(x * 100)}%`;
}

export function fmtUs(us: number): string {
  return Number.isFinite(us) ? `${us < 10 ? us.toFixed(1) : Math.round(us)} µs` : '-';
}
