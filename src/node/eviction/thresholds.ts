// Hard eviction thresholds (the kubelet's --eviction-hard): `memory.available<100Mi,
// nodefs.available<10%`. A threshold is a quantity or a percentage of capacity; signals this
// agent does not observe are refused rather than silently ignored.

import { parseQuantity, quantityValue } from '../../machinery/quantity.ts';

export type Signal = 'memory.available' | 'nodefs.available';

export interface Threshold {
  signal: Signal;
  /** Absolute bytes, or a fraction (0..1) of the capacity. */
  bytes?: number;
  fraction?: number;
}

export const DEFAULT_EVICTION_HARD = 'memory.available<100Mi,nodefs.available<10%';
const SIGNALS: readonly Signal[] = ['memory.available', 'nodefs.available'];

export function parseEvictionHard(raw: string): Threshold[] {
  const out: Threshold[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z.]+)<(.+)$/.exec(item);
    if (!m) throw new Error(`invalid eviction threshold "${item}" (want signal<quantity, e.g. memory.available<100Mi)`);
    const signal = m[1] as Signal;
    if (!SIGNALS.includes(signal)) throw new Error(`unsupported eviction signal "${m[1]}" (supported: ${SIGNALS.join(', ')})`);
    const value = (m[2] ?? '').trim();
    if (value.endsWith('%')) {
      const pct = Number(value.slice(0, -1));
      if (!Number.isFinite(pct) || pct < 0 || pct > 100) throw new Error(`invalid eviction threshold "${item}": percentage must be between 0% and 100%`);
      out.push({ signal, fraction: pct / 100 });
    } else {
      let bytes: bigint;
      try {
        bytes = quantityValue(parseQuantity(value));
      } catch {
        throw new Error(`invalid eviction threshold "${item}": "${value}" is not a quantity`);
      }
      if (bytes < 0n) throw new Error(`invalid eviction threshold "${item}": must not be negative`);
      out.push({ signal, bytes: Number(bytes) });
    }
  }
  return out;
}

/** The threshold's value in bytes against a capacity. */
export function thresholdBytes(t: Threshold, capacity: number): number {
  return t.bytes ?? Math.floor((t.fraction ?? 0) * capacity);
}

/**
 * The ResourceConfig fields the Node's conditions and allocatable use (machine-status.ts): the
 * memory threshold in bytes and the nodefs threshold as a fraction, converted with the machine's
 * totals where the flag gave the other form. A signal left out keeps its default.
 */
export function pressureConfig(thresholds: readonly Threshold[], memoryTotal: number, diskTotal: number, defaults: { evictionMemoryBytes: number; evictionDiskFraction: number }): { evictionMemoryBytes: number; evictionDiskFraction: number } {
  const out = { ...defaults };
  for (const t of thresholds) {
    if (t.signal === 'memory.available') out.evictionMemoryBytes = thresholdBytes(t, memoryTotal);
    else out.evictionDiskFraction = t.fraction ?? (diskTotal > 0 ? (t.bytes ?? 0) / diskTotal : 0);
  }
  return out;
}
