// Resource-allocation scoring shared by NodeResourcesFit and NodeResourcesBalancedAllocation
// (upstream noderesources/resource_allocation.go and the three fit strategies): a per-resource
// (allocatable, requested-after-placement) vector, then LeastAllocated, MostAllocated or
// RequestedToCapacityRatio turns it into a weighted node score.

import { HOT_ALLOC_CPU, HOT_ALLOC_MEMORY, HOT_NONZERO_CPU, HOT_NONZERO_MEMORY, HOT_REQ_CPU, HOT_REQ_MEMORY, type NodeInfo } from '../../cache/node-info.ts';
import { MAX_NODE_SCORE } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { CPU, EPHEMERAL_STORAGE, isScalarResourceName, MEMORY } from '../../framework/resources.ts';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface UtilizationShapePoint {
  utilization: number;
  score: number;
}

/** RequestedToCapacityRatio shape scores are 0..10, scaled to 0..100. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

/** The pod's request of each resource; with `nonZero`, cpu and memory use the scoring defaults. */
export function podRequestVector(pod: PodInfo, resources: readonly ResourceSpec[], nonZero: boolean): number[] {
  return resources.map((r) => {
    if (r.name === CPU) return nonZero ? pod.nonZeroMilliCPU : pod.requests.milliCPU;
    if (r.name === MEMORY) return nonZero ? pod.nonZeroMemory : pod.requests.memory;
    return pod.requests.get(r.name);
  });
}

/**
 * Fills `alloc` and `req` for a node. A scalar resource the pod does not request, or one the node
 * lacks, gets (0, 0) and is left out of the score.
 */
export function nodeVectors(nodeInfo: NodeInfo, resources: readonly ResourceSpec[], podRequests: readonly number[], useRequested: boolean, alloc: number[], req: number[]): void {
  // cpu and memory come from the node's row of hot amounts (see NodeInfo.hot).
  const h = nodeInfo.hot;
  const o = nodeInfo.hotAt;
  const reqCPU = useRequested ? HOT_REQ_CPU : HOT_NONZERO_CPU;
  const reqMemory = useRequested ? HOT_REQ_MEMORY : HOT_NONZERO_MEMORY;
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i]!.name;
    const podReq = podRequests[i]!;
    alloc[i] = 0;
    req[i] = 0;
    if (name === CPU) {
      alloc[i] = h[o + HOT_ALLOC_CPU]!;
      req[i] = h[o + reqCPU]! + podReq;
    } else if (name === MEMORY) {
      alloc[i] = h[o + HOT_ALLOC_MEMORY]!;
      req[i] = h[o + reqMemory]! + podReq;
    } else if (name === EPHEMERAL_STORAGE) {
      alloc[i] = nodeInfo.allocatable.ephemeralStorage;
      req[i] = nodeInfo.requested.ephemeralStorage + podReq;
    } else if (podReq !== 0 || !isScalarResourceName(name)) {
      const a = nodeInfo.allocatable.scalar?.get(name);
      if (a !== undefined) {
        alloc[i] = a;
        req[i] = (nodeInfo.requested.scalar?.get(name) ?? 0) + podReq;
      }
    }
  }
}

export type Scorer = (requested: readonly number[], allocatable: readonly number[]) => number;

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  const r = Math.min(requested, capacity);
  return Math.trunc((r * MAX_NODE_SCORE) / capacity);
}

function weighted(resources: readonly ResourceSpec[], one: (req: number, cap: number) => number): Scorer {
  return (requested, allocatable) => {
    let score = 0;
    let weights = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const w = resources[i]!.weight;
      score += one(requested[i]!, allocatable[i]!) * w;
      weights += w;
    }
    return weights === 0 ? 0 : Math.trunc(score / weights);
  };
}

export const leastAllocatedScorer = (resources: readonly ResourceSpec[]): Scorer => weighted(resources, leastRequestedScore);
export const mostAllocatedScorer = (resources: readonly ResourceSpec[]): Scorer => weighted(resources, mostRequestedScore);

/** Upstream helper.BuildBrokenLinearFunction over (utilization, score) points. */
export function brokenLinear(shape: readonly UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      const cur = shape[i]!;
      if (p <= cur.utilization) {
        if (i === 0) return cur.score;
        const prev = shape[i - 1]!;
        return prev.score + Math.trunc(((cur.score - prev.score) * (p - prev.utilization)) / (cur.utilization - prev.utilization));
      }
    }
    return shape[shape.length - 1]!.score;
  };
}

export function requestedToCapacityRatioScorer(resources: readonly ResourceSpec[], shape: readonly UtilizationShapePoint[]): Scorer {
  const scaled = shape.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE) }));
  const f = brokenLinear(scaled);
  const one = (requested: number, capacity: number): number =>
    capacity === 0 || requested > capacity ? f(MAX_UTILIZATION) : f(Math.trunc((requested * MAX_UTILIZATION) / capacity));
  return (requested, allocatable) => {
    let score = 0;
    let weights = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const w = resources[i]!.weight;
      const s = one(requested[i]!, allocatable[i]!);
      if (s > 0) {
        score += s * w;
        weights += w;
      }
    }
    return weights === 0 ? 0 : Math.round(score / weights);
  };
}

/** NodeResourcesBalancedAllocation: 1 - standard deviation of the requested fractions, scaled to 100. */
export function balancedScorer(requested: readonly number[], allocatable: readonly number[]): number {
  // Two passes instead of a fractions array: this runs for every feasible node.
  let count = 0;
  let total = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i]! / allocatable[i]!, 1);
    if (count === 0) first = f;
    else if (count === 1) second = f;
    total += f;
    count++;
  }
  let std = 0;
  if (count === 2) std = Math.abs((first - second) / 2);
  else if (count > 2) {
    const mean = total / count;
    let sum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const f = Math.min(requested[i]! / allocatable[i]!, 1);
      sum += (f - mean) * (f - mean);
    }
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
