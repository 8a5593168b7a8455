// Builders for plugin and queue tests: pods and nodes with the fields the scheduler reads, a
// snapshot-backed fake Handle, and a helper that runs a plugin's PreFilter/Filter on a node.

import type { KubeObject } from '../../api/types.ts';
import { FakeClock } from '../../client/index.ts';
import type { Affinity, Container, Node, Pod, PodSpec, Taint, Toleration, TopologySpreadConstraint } from '../api-types.ts';
import type { NodeInfo } from '../cache/node-info.ts';
import { Snapshot } from '../cache/snapshot.ts';
import { CycleState } from '../framework/cycle-state.ts';
import type { FilterPlugin, Handle, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interface.ts';
import { staticListers, type ClusterListers } from '../framework/listers.ts';
import { PodInfo } from '../framework/pod-info.ts';
import { Status, SUCCESS } from '../framework/status.ts';

let uid = 0;

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  node?: string;
  cpu?: string;
  memory?: string;
  requests?: Record<string, string>;
  priority?: number;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  spread?: TopologySpreadConstraint[];
  hostPorts?: number[];
  images?: string[];
  spec?: Partial<PodSpec>;
  uid?: string;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}), ...o.requests };
  const containers: Container[] = (o.images ?? ['busybox']).map((image, i) => ({
    name: `c${i}`,
    image,
    ...(i === 0 && Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
    ...(i === 0 && o.hostPorts ? { ports: o.hostPorts.map((p) => ({ containerPort: p, hostPort: p })) } : {}),
  }));
  const spec: PodSpec = {
    schedulerName: 'default-scheduler',
    containers,
    ...(o.node ? { nodeName: o.node } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.tolerations ? { tolerations: o.tolerations } : {}),
    ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
    ...(o.affinity ? { affinity: o.affinity } : {}),
    ...(o.spread ? { topologySpreadConstraints: o.spread } : {}),
    ...o.spec,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}-${++uid}`, ...(o.labels ? { labels: o.labels } : {}) },
    spec,
    status: { phase: 'Pending' },
  };
}

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  allocatable?: Record<string, string>;
  images?: { names: string[]; sizeBytes: number }[];
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...o.allocatable },
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

/** A Handle over a fixed snapshot for plugin unit tests. */
export function fakeHandle(snapshot: Snapshot, objects: KubeObject[] = [], listers: ClusterListers = staticListers(objects)): Handle {
  const handle: Handle = {
    schedulerName: 'default-scheduler',
    snapshot: () => snapshot,
    listers,
    client: undefined,
    recorder: undefined,
    nominator: { nominatedPodsForNode: () => [] },
    clock: new FakeClock(1_000_000),
    logger: undefined,
    runFilterPluginsWithNominatedPods: () => SUCCESS,
    runPreFilterExtensionAddPod: () => SUCCESS,
    runPreFilterExtensionRemovePod: () => SUCCESS,
    activate: () => undefined,
    ungate: () => undefined,
    rejectWaitingPod: () => false,
  };
  return handle;
}

export const snapshotOf = (nodes: Node[], pods: Pod[] = []): Snapshot => Snapshot.from(nodes, pods);

/** PreFilter (when the plugin has it) then Filter on every node; returns reasons per node ('' = fits). */
export function filterAll(plugin: FilterPlugin & Partial<PreFilterPlugin>, pod: Pod, snapshot: Snapshot): Record<string, string> {
  const state = new CycleState();
  const pi = new PodInfo(pod);
  const out: Record<string, string> = {};
  if (plugin.preFilter) {
    const r = plugin.preFilter(state, pi, snapshot.nodeInfoList);
    if (r instanceof Status && r.isSkip) {
      for (const ni of snapshot.nodeInfoList) out[ni.name] = '';
      return out;
    }
    if (r instanceof Status && !r.isSuccess) {
      for (const ni of snapshot.nodeInfoList) out[ni.name] = `prefilter: ${r.message}`;
      return out;
    }
  }
  for (const ni of snapshot.nodeInfoList) out[ni.name] = plugin.filter(state, pi, ni)?.message ?? '';
  return out;
}

/** PreScore (when present), Score and NormalizeScore over `nodes`; returns final scores by node name. */
export function scoreAll(plugin: ScorePlugin & Partial<PreScorePlugin>, pod: Pod, nodes: readonly NodeInfo[], state = new CycleState()): Record<string, number> {
  const pi = new PodInfo(pod);
  if (plugin.preScore) {
    const s = plugin.preScore(state, pi, nodes);
    if (s?.isSkip) return Object.fromEntries(nodes.map((n) => [n.name, 0]));
    if (s && !s.isSuccess) throw new Error(`preScore: ${s.message}`);
  }
  const scores: NodeScore[] = nodes.map((ni) => {
    const r = plugin.score(state, pi, ni);
    if (typeof r !== 'number') throw new Error(`score: ${r.message}`);
    return { name: ni.name, score: r };
  });
  const s = plugin.normalizeScore?.(state, pi, scores);
  if (s && !s.isSuccess) throw new Error(`normalize: ${s.message}`);
  return Object.fromEntries(scores.map((x) => [x.name, x.score]));
}
