// The workloads of bench/scheduler, modelled on upstream scheduler_perf's performance-config.yaml:
// which pods exist before the measurement (init, scheduled and not timed), which pods are timed,
// and what the nodes carry. Pod bodies follow upstream's templates (pod-default.yaml: pause with
// 100m CPU / 500Mi requests = limits; pod-with-topology-spreading.yaml; pod-with-node-affinity.yaml;
// pod-with-pod-anti-affinity.yaml; pod-low-priority.yaml / pod-high-priority.yaml) and nodes follow
// node-default.yaml (4 CPU, 32Gi, 110 pods), spread over three zones.

import type { Pod } from '../../src/scheduler/index.ts';

export const ZONE_KEY = 'topology.kubernetes.io/zone';
export const HOSTNAME_KEY = 'kubernetes.io/hostname';
/** The label half the nodes carry for NodeAffinity (upstream labels nodes zone1 and asks for zone1 or zone2). */
export const POOL_KEY = 'bench.strata.dev/pool';
export const POOL_VALUE = 'zone1';

/** The profile of the baseline: queue sort and DefaultBinder only (no Filter, no Score plugin). */
export const BASELINE_SCHEDULER = 'bench-baseline';

export const NODE_CAPACITY = { cpu: '4', memory: '32Gi', pods: 110 } as const;
export const ZONES = 3;

export interface PodSet {
  namespace: string;
  count: number;
  /** The i-th pod of the set (no name: the caller names it). */
  pod: (i: number) => Pod;
}

export interface Workload {
  name: string;
  /** What upstream's CI floor is and the goal here (pods/s), when there is one. */
  upstreamFloor?: number;
  goal?: number;
  /** Fraction of nodes labelled POOL_KEY=POOL_VALUE (by index parity). */
  labelHalf?: boolean;
  init: PodSet[];
  measured: PodSet;
  /** Measured pods preempt (report preemptions). */
  preemption?: boolean;
}

type Requests = { cpu: string; memory: string };

function pausePod(namespace: string, labels: Record<string, string>, requests: Requests, spec: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, labels },
    spec: {
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80 }], resources: { requests, limits: requests } }],
      ...spec,
    },
  } as Pod;
}

const SMALL: Requests = { cpu: '100m', memory: '500Mi' };

export const defaultPod = (namespace: string, schedulerName?: string): Pod => pausePod(namespace, { app: 'default' }, SMALL, schedulerName ? { schedulerName } : {});

const spreadPod = (namespace: string): Pod =>
  pausePod(namespace, { color: 'blue' }, SMALL, {
    topologySpreadConstraints: [{ maxSkew: 5, topologyKey: ZONE_KEY, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { color: 'blue' } } }],
  });

const nodeAffinityPod = (namespace: string): Pod =>
  pausePod(namespace, { app: 'node-affinity' }, SMALL, {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_KEY, operator: 'In', values: [POOL_VALUE, 'zone2'] }] }] } } },
  });

const antiAffinityPod = (namespace: string, namespaces: string[]): Pod =>
  pausePod(namespace, { color: 'green', name: 'test' }, SMALL, {
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { color: 'green' } }, topologyKey: HOSTNAME_KEY, namespaces }] } },
  });

// Upstream's preemption templates: low pods of 900m fill a 4-CPU node four at a time; a high pod
// of 3 CPU needs three of them gone. Victims carry terminationGracePeriodSeconds 0 as upstream's.
// Priorities come from PriorityClasses (priority admission resolves them, as upstream's does).
export const PRIORITY_CLASSES = [
  { name: 'bench-low', value: 1 },
  { name: 'bench-high', value: 10 },
] as const;
const lowPriorityPod = (namespace: string): Pod => pausePod(namespace, { app: 'low' }, { cpu: '900m', memory: '500Mi' }, { priorityClassName: 'bench-low', terminationGracePeriodSeconds: 0 });
const highPriorityPod = (namespace: string): Pod => pausePod(namespace, { app: 'high' }, { cpu: '3000m', memory: '500Mi' }, { priorityClassName: 'bench-high' });

export interface Sizes {
  nodes: number;
  pods: number;
  antiPods: number;
  preemptPods: number;
}

/** Every workload at the given sizes, in run order (the baseline first). */
export function workloads(s: Sizes): Workload[] {
  const init = (count: number, pod: (i: number) => Pod, namespace = 'init'): PodSet => ({ namespace, count, pod });
  const anti = ['sched-0', 'sched-1'];
  return [
    {
      name: 'Baseline (bind only)',
      init: [init(Math.round(s.pods / 10), () => defaultPod('init'))],
      measured: { namespace: 'bench', count: s.pods, pod: () => defaultPod('bench', BASELINE_SCHEDULER) },
    },
    {
      name: 'SchedulingBasic',
      upstreamFloor: 810,
      goal: 1600,
      init: [init(Math.round(s.pods / 10), () => defaultPod('init'))],
      measured: { namespace: 'bench', count: s.pods, pod: () => defaultPod('bench') },
    },
    {
      name: 'TopologySpreading',
      upstreamFloor: 460,
      goal: 920,
      init: [init(Math.round(s.pods / 2), () => defaultPod('init'))],
      measured: { namespace: 'bench', count: s.pods, pod: () => spreadPod('bench') },
    },
    {
      name: 'NodeAffinity',
      upstreamFloor: 220,
      goal: 440,
      labelHalf: true,
      init: [init(Math.round(s.pods / 2), () => defaultPod('init'))],
      measured: { namespace: 'bench', count: s.pods, pod: () => nodeAffinityPod('bench') },
    },
    {
      name: 'PodAntiAffinity',
      upstreamFloor: 60,
      goal: 120,
      init: [init(s.antiPods, () => antiAffinityPod('sched-0', anti), 'sched-0')],
      measured: { namespace: 'sched-1', count: s.antiPods, pod: () => antiAffinityPod('sched-1', anti) },
    },
    {
      name: 'Preemption',
      preemption: true,
      // Four low pods fill every node (upstream: 20,000 on 5,000 nodes).
      init: [init(s.nodes * 4, () => lowPriorityPod('init'))],
      measured: { namespace: 'bench', count: s.preemptPods, pod: () => highPriorityPod('bench') },
    },
  ];
}

/** The scheduler configuration of every run: the default profile plus the baseline's. */
export const SCHEDULER_CONFIG = {
  apiVersion: 'kubescheduler.config.k8s.io/v1',
  kind: 'KubeSchedulerConfiguration',
  leaderElection: { leaderElect: false },
  profiles: [
    { schedulerName: 'default-scheduler' },
    { schedulerName: BASELINE_SCHEDULER, plugins: { multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: 'PrioritySort' }, { name: 'DefaultBinder' }] } } },
  ],
} as const;
