// Scheduler micro-benchmark on an in-memory cluster (no API server): N nodes in 3 zones, M pods
// fed straight into the scheduler's handlers, binding replaced by a no-op so only the scheduling
// cycle is measured. Runs a baseline profile first (queue sort + binder only: queue, snapshot and
// framework overhead) and then the default profile, and prints pods/s and per-pod Filter/Score µs.
//
//   node bench/scheduler/main.ts [--nodes 5000] [--pods 2000] [--spread]

import { parseArgs } from 'node:util';
import { Names } from '../../src/scheduler/plugins/names.ts';
import { inTreeRegistry, resolveConfig, Scheduler, schedulerHandlers, type Pod } from '../../src/scheduler/index.ts';
import type { Node } from '../../src/scheduler/api-types.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '5000' }, pods: { type: 'string', default: '2000' }, spread: { type: 'boolean', default: false } } });
const NODES = Number(values.nodes);
const PODS = Number(values.pods);

function node(i: number): Node {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `n${i}`, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}`, 'node.kubernetes.io/instance-type': 'm5.large' } },
    spec: {},
    status: { allocatable: { cpu: '32', memory: '128Gi', pods: '110', 'ephemeral-storage': '100Gi' }, images: [{ names: ['registry.example/app:v1'], sizeBytes: 200 * 1024 * 1024 }] },
  };
}

function pod(i: number, run: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${run}-${i}`, namespace: 'default', uid: `${run}-${i}`, labels: { app: `app-${i % 20}` } },
    spec: {
      schedulerName: 'default-scheduler',
      priority: 0,
      containers: [{ name: 'c', image: 'registry.example/app:v1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
      ...(values.spread
        ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: `app-${i % 20}` } } }] }
        : {}),
    },
    status: { phase: 'Pending' },
  };
}

async function runOnce(label: string, profile: Record<string, unknown>): Promise<number> {
  const registry = inTreeRegistry();
  registry.set(Names.DefaultBinder, () => ({ name: Names.DefaultBinder, bind: async () => undefined }));
  const config = resolveConfig({ apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', profiles: [profile] });
  const s = new Scheduler({ config, registry });
  const h = schedulerHandlers(s);
  for (let i = 0; i < NODES; i++) h.onNodeAdd(node(i));
  for (let i = 0; i < PODS; i++) h.onPodAdd(pod(i, label));
  s.start();
  const ac = new AbortController();
  const t0 = performance.now();
  const loop = s.loop(ac.signal);
  while (s.metrics.scheduled + s.metrics.unschedulable + s.metrics.errors < PODS) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - t0;
  ac.abort();
  await loop;
  const m = s.metrics;
  const perPod = (us: number): string => (us / m.attempts).toFixed(1);
  console.log(
    `${label.padEnd(9)} ${NODES} nodes, ${PODS} pods: ${((PODS / ms) * 1000).toFixed(0)} pods/s  ` +
      `cycle ${perPod(m.cycleMicros)} µs/pod  filter ${perPod(m.filterMicros)} µs/pod  score ${perPod(m.scoreMicros)} µs/pod  ` +
      `(scheduled ${m.scheduled}, unschedulable ${m.unschedulable}, errors ${m.errors})`,
  );
  return ms;
}

const baseline = await runOnce('baseline', {
  schedulerName: 'default-scheduler',
  plugins: { multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: Names.PrioritySort }, { name: Names.DefaultBinder }] } },
});
const full = await runOnce('default', { schedulerName: 'default-scheduler' });
console.log(`default / baseline time ratio: ${(full / baseline).toFixed(1)}x`);
