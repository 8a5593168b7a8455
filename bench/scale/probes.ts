// What the prober of bench/scale calls and how it reports (shared by the prober and main).

export const PROBE_KINDS = ['get node', 'get configmap', 'list pods (ns, limit 100)', 'list nodes (limit 100)', 'create configmap', 'patch configmap'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];
export const MUTATING: readonly ProbeKind[] = ['create configmap', 'patch configmap'];

export interface PhaseSamples {
  /** Latencies in ms per kind. */
  latencies: Record<string, number[]>;
  errors: Record<string, number>;
  skipped: number;
  /** The prober's own event-loop delay (ms): what it adds to every latency it measures. */
  loopDelay?: { p99: number; max: number };
}

export type ProbeResults = Record<string, PhaseSamples>;
