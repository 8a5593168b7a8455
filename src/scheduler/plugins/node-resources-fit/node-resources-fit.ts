// NodeResourcesFit (PreFilter, Filter, PreScore, Score): the pod's requests (containers, init
// containers and sidecars, overhead, extended resources) must fit the node's allocatable minus what
// its pods request, and the pod count must stay under allocatable pods. Requesting more than a
// node's whole allocatable is UnschedulableAndUnresolvable (preemption cannot help). Scoring uses
// the configured strategy: LeastAllocated (default), MostAllocated or RequestedToCapacityRatio.

import type { Node, Pod } from '../../api-types.ts';
import { HOT_ALLOC_CPU, HOT_ALLOC_MEMORY, HOT_ALLOC_PODS, HOT_PODS, HOT_REQ_CPU, HOT_REQ_MEMORY, NodeInfo } from '../../cache/node-info.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { isExtendedResourceName, Resource, type Resource as R } from '../../framework/resources.ts';
import { Code, Status } from '../../framework/status.ts';
import { Names } from '../names.ts';
import {
  leastAllocatedScorer,
  mostAllocatedScorer,
  nodeVectors,
  podRequestVector,
  requestedToCapacityRatioScorer,
  type ResourceSpec,
  type Scorer,
  type UtilizationShapePoint,
} from './scoring.ts';

export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: {
    type?: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape?: UtilizationShapePoint[] };
  };
}

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The request exceeds the node's whole allocatable: no preemption frees enough. */
  unresolvable: boolean;
}

export interface FitOptions {
  ignoredResources?: ReadonlySet<string>;
  ignoredResourceGroups?: ReadonlySet<string>;
}

/** The allocation-free fast path of fitsRequest: true when nothing is missing. */
function fitsQuickly(req: R, nodeInfo: NodeInfo): boolean {
  // Pods, cpu and memory from the node's row of hot amounts (see NodeInfo.hot).
  const h = nodeInfo.hot;
  const o = nodeInfo.hotAt;
  if (h[o + HOT_PODS]! + 1 > h[o + HOT_ALLOC_PODS]!) return false;
  if (req.milliCPU > 0 && req.milliCPU > h[o + HOT_ALLOC_CPU]! - h[o + HOT_REQ_CPU]!) return false;
  if (req.memory > 0 && req.memory > h[o + HOT_ALLOC_MEMORY]! - h[o + HOT_REQ_MEMORY]!) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > nodeInfo.allocatable.ephemeralStorage - nodeInfo.requested.ephemeralStorage) return false;
  return req.scalar === undefined || req.scalar.size === 0;
}

/**
 * What fitsRequest would find missing for a pod without scalar requests, as bits: pods (1), then
 * cpu, memory and ephemeral storage (2, 8, 32), each with its "more than the whole node" bit
 * doubled (4, 16, 64). Equal masks mean equal reasons and code.
 */
function missingMask(req: R, nodeInfo: NodeInfo): number {
  const h = nodeInfo.hot;
  const o = nodeInfo.hotAt;
  let mask = h[o + HOT_PODS]! + 1 > h[o + HOT_ALLOC_PODS]! ? 1 : 0;
  mask |= missingBits(req.milliCPU, h[o + HOT_ALLOC_CPU]!, h[o + HOT_REQ_CPU]!, 2);
  mask |= missingBits(req.memory, h[o + HOT_ALLOC_MEMORY]!, h[o + HOT_REQ_MEMORY]!, 8);
  if (req.ephemeralStorage > 0) mask |= missingBits(req.ephemeralStorage, nodeInfo.allocatable.ephemeralStorage, nodeInfo.requested.ephemeralStorage, 32);
  return mask;
}

const missingBits = (want: number, have: number, inUse: number, bit: number): number => (want > 0 && want > have - inUse ? (want > have ? bit | (bit << 1) : bit) : 0);

/** Upstream fitsRequest: every resource the pod lacks on this node (empty when it fits). */
export function fitsRequest(req: R, nodeInfo: NodeInfo, opts: FitOptions = {}): InsufficientResource[] {
  if (fitsQuickly(req, nodeInfo)) return [];
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && (!req.scalar || req.scalar.size === 0)) return out;
  const check = (name: string, want: number, have: number, inUse: number): void => {
    if (want > 0 && want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have, unresolvable: want > have });
  };
  check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', req.memory, alloc.memory, used.memory);
  check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  if (req.scalar) {
    for (const [name, want] of req.scalar) {
      if (want === 0) continue;
      if (isExtendedResourceName(name)) {
        if (opts.ignoredResources?.has(name)) continue;
        if (opts.ignoredResourceGroups?.size && opts.ignoredResourceGroups.has(name.split('/')[0]!)) continue;
      }
      const have = alloc.scalar?.get(name) ?? 0;
      const inUse = used.scalar?.get(name) ?? 0;
      if (want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have, unresolvable: want > have });
    }
  }
  return out;
}

const PRESCORE_KEY = 'PreScore' + Names.NodeResourcesFit;

class PreScoreState implements StateData {
  readonly podRequests: number[];
  constructor(r: number[]) {
    this.podRequests = r;
  }
  clone(): StateData {
    return this;
  }
}

export const DEFAULT_FIT_RESOURCES: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

export function newNodeResourcesFit(rawArgs: unknown): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const args = (rawArgs ?? {}) as NodeResourcesFitArgs;
  const opts: FitOptions = { ignoredResources: new Set(args.ignoredResources ?? []), ignoredResourceGroups: new Set(args.ignoredResourceGroups ?? []) };
  const strategy = args.scoringStrategy ?? {};
  const resources = strategy.resources?.length ? strategy.resources : DEFAULT_FIT_RESOURCES;
  let scorer: Scorer;
  switch (strategy.type ?? 'LeastAllocated') {
    case 'MostAllocated':
      scorer = mostAllocatedScorer(resources);
      break;
    case 'RequestedToCapacityRatio':
      scorer = requestedToCapacityRatioScorer(resources, strategy.requestedToCapacityRatio?.shape ?? []);
      break;
    default:
      scorer = leastAllocatedScorer(resources);
  }
  // Statuses are shared per distinct reason list: most failing nodes fail the same way.
  const statuses = new Map<string, Status>();
  const byMask: (Status | undefined)[] = [];
  const alloc = new Array<number>(resources.length).fill(0);
  const req = new Array<number>(resources.length).fill(0);
  const fitsOnEmptyNode = (pod: PodInfo, node: Node): boolean => fitsRequest(pod.requests, new NodeInfo(node.metadata.name ?? '', node), opts).length === 0;
  return {
    name: Names.NodeResourcesFit,
    preFilter() {
      return undefined;
    },
    filter(_state, pod, nodeInfo) {
      const req = pod.requests;
      if (fitsQuickly(req, nodeInfo)) return undefined;
      if (req.scalar === undefined || req.scalar.size === 0) {
        // Without scalar resources the outcome is one of few: find it by what is missing, with
        // no allocation (preemption filters every node of a full cluster this way).
        const mask = missingMask(req, nodeInfo);
        if (mask === 0) return undefined;
        let st = byMask[mask];
        if (!st) {
          const missing = fitsRequest(req, nodeInfo, opts);
          const code = missing.some((m) => m.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
          byMask[mask] = st = new Status(code, missing.map((m) => m.reason), Names.NodeResourcesFit);
        }
        return st;
      }
      const missing = fitsRequest(req, nodeInfo, opts);
      if (missing.length === 0) return undefined;
      const code = missing.some((m) => m.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
      const key = `${code}|${missing.map((m) => m.reason).join('|')}`;
      let s = statuses.get(key);
      if (!s) statuses.set(key, (s = new Status(code, missing.map((m) => m.reason), Names.NodeResourcesFit)));
      return s;
    },
    preScore(state, pod) {
      state.write(PRESCORE_KEY, new PreScoreState(podRequestVector(pod, resources, true)));
      return undefined;
    },
    score(state, pod, nodeInfo) {
      const s = state.read<PreScoreState>(PRESCORE_KEY);
      const podRequests = s?.podRequests ?? podRequestVector(pod, resources, true);
      nodeVectors(nodeInfo, resources, podRequests, false, alloc, req);
      return scorer(req, alloc);
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable },
          hint: (pod, oldObj, newObj) => {
            const node = newObj as Node;
            if (!fitsOnEmptyNode(pod, node)) return QueueingHint.Skip;
            if (!oldObj) return QueueingHint.Queue;
            const before = Resource.fromList((oldObj as Node).status?.allocatable);
            const after = Resource.fromList(node.status?.allocatable);
            const r = pod.requests;
            const grew =
              after.allowedPodNumber > before.allowedPodNumber ||
              (r.milliCPU > 0 && after.milliCPU > before.milliCPU) ||
              (r.memory > 0 && after.memory > before.memory) ||
              (r.ephemeralStorage > 0 && after.ephemeralStorage > before.ephemeralStorage) ||
              [...(r.scalar ?? [])].some(([k, v]) => v > 0 && (after.scalar?.get(k) ?? 0) > (before.scalar?.get(k) ?? 0));
            return grew ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        {
          event: { resource: 'AssignedPod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown },
          hint: (pod, oldObj, newObj) => {
            // Any deletion frees at least a pod slot.
            if (!newObj) return QueueingHint.Queue;
            const before = new PodInfo(oldObj as Pod).requests;
            const after = new PodInfo(newObj as Pod).requests;
            const r = pod.requests;
            const freed =
              (r.milliCPU > 0 && before.milliCPU > after.milliCPU) ||
              (r.memory > 0 && before.memory > after.memory) ||
              (r.ephemeralStorage > 0 && before.ephemeralStorage > after.ephemeralStorage) ||
              [...(r.scalar ?? [])].some(([k, v]) => v > 0 && (before.scalar?.get(k) ?? 0) > (after.scalar?.get(k) ?? 0));
            return freed ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        {
          event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodScaleDown },
          hint: (pod, _old, newObj) => ((newObj as Pod).metadata.uid === pod.uid ? QueueingHint.Queue : QueueingHint.Skip),
        },
      ];
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
