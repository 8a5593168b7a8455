// The scheduling algorithm alone, on the same workloads: no API server, no informers, no binding.
// Nodes and the init pods (bound round-robin) are fed straight into the scheduler's handlers, the
// measured pods into its queue, and DefaultBinder is replaced by a no-op, so the figure is the
// queue, snapshot and plugins only — what the scheduler could do if the API cost nothing.

import { Names } from '../../src/scheduler/plugins/names.ts';
import { inTreeRegistry, resolveConfig, Scheduler, schedulerHandlers, type Node, type Pod } from '../../src/scheduler/index.ts';
import { HOSTNAME_KEY, NODE_CAPACITY, POOL_KEY, POOL_VALUE, SCHEDULER_CONFIG, ZONE_KEY, ZONES, type Workload } from './workloads.ts';

export interface AlgorithmResult {
  podsPerSec: number;
  scheduled: number;
  filterMicrosPerPod: number;
  scoreMicrosPerPod: number;
  cycleMicrosPerPod: number;
}

function node(i: number, labelHalf: boolean): Node {
  const name = `sim-${i}`;
  const capacity = { cpu: NODE_CAPACITY.cpu, memory: NODE_CAPACITY.memory, pods: String(NODE_CAPACITY.pods), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `node-${i}`,
      labels: { [HOSTNAME_KEY]: name, [ZONE_KEY]: `sim-region-${String.fromCharCode(97 + (i % ZONES))}`, 'kubernetes.io/os': 'linux', ...(labelHalf && i % 2 === 0 ? { [POOL_KEY]: POOL_VALUE } : {}) },
    },
    spec: {},
    status: { capacity, allocatable: capacity },
  };
}

/** Runs the workload's measured pods through an in-memory scheduler; undefined for preemption (victims need an API to go). */
export async function runAlgorithmOnly(w: Workload, nodes: number): Promise<AlgorithmResult | undefined> {
  if (w.preemption) return undefined;
  const registry = inTreeRegistry();
  registry.set(Names.DefaultBinder, () => ({ name: Names.DefaultBinder, bind: async () => undefined }));
  const s = new Scheduler({ config: resolveConfig(SCHEDULER_CONFIG), registry });
  const h = schedulerHandlers(s);
  for (let i = 0; i < nodes; i++) h.onNodeAdd(node(i, !!w.labelHalf));
  let uid = 0;
  const named = (p: Pod, namespace: string, i: number): Pod => ({ ...p, metadata: { ...p.metadata, name: `${namespace}-${i}`, namespace, uid: `u${uid++}` } });
  for (const set of w.init) {
    for (let i = 0; i < set.count; i++) {
      const p = named(set.pod(i), set.namespace, i);
      h.onPodAdd({ ...p, spec: { ...p.spec, nodeName: `sim-${i % nodes}` }, status: { phase: 'Running' } });
    }
  }
  const m = w.measured;
  for (let i = 0; i < m.count; i++) h.onPodAdd({ ...named(m.pod(i), m.namespace, i), status: { phase: 'Pending' } });
  s.start();
  const ac = new AbortController();
  const t0 = performance.now();
  const loop = s.loop(ac.signal);
  while (s.metrics.scheduled + s.metrics.unschedulable + s.metrics.errors < m.count) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - t0;
  ac.abort();
  await loop;
  const x = s.metrics;
  return {
    podsPerSec: (x.scheduled / ms) * 1000,
    scheduled: x.scheduled,
    filterMicrosPerPod: x.filterMicros / x.attempts,
    scoreMicrosPerPod: x.scoreMicros / x.attempts,
    cycleMicrosPerPod: x.cycleMicros / x.attempts,
  };
}
