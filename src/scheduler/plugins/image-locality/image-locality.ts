// ImageLocality (Score): nodes that already have the pod's images score higher, weighted by image
// size and damped by how many nodes have the image (so it does not pile pods onto one node).

import type { StateData } from '../../framework/cycle-state.ts';
import type { Handle, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import { MAX_NODE_SCORE } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { Names } from '../names.ts';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** Adds ":latest" to an untagged image, as the node reports it. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

const STATE_KEY = 'PreScore' + Names.ImageLocality;

class PreScoreState implements StateData {
  readonly images: string[];
  readonly numContainers: number;
  readonly totalNodes: number;
  constructor(images: string[], numContainers: number, totalNodes: number) {
    this.images = images;
    this.numContainers = numContainers;
    this.totalNodes = totalNodes;
  }
  clone(): StateData {
    return this;
  }
}

function stateFor(pod: PodInfo, totalNodes: number): PreScoreState {
  const spec = pod.pod.spec;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const images = containers.flatMap((c) => (c.image ? [normalizedImageName(c.image)] : []));
  return new PreScoreState(images, containers.length, totalNodes || 1);
}

export function newImageLocality(handle: Pick<Handle, 'snapshot'>): PreScorePlugin & ScorePlugin {
  return {
    name: Names.ImageLocality,
    preScore(state, pod) {
      state.write(STATE_KEY, stateFor(pod, handle.snapshot().numNodes));
      return undefined;
    },
    score(state, pod, nodeInfo) {
      if (nodeInfo.imageStates.size === 0) return 0;
      const s = state.read<PreScoreState>(STATE_KEY) ?? stateFor(pod, handle.snapshot().numNodes);
      let sum = 0;
      for (const image of s.images) {
        const st = nodeInfo.imageStates.get(image);
        if (st) sum += Math.trunc(st.size * (st.numNodes / s.totalNodes));
      }
      return calculatePriority(sum, s.numContainers);
    },
  } satisfies PreScorePlugin & ScorePlugin;
}
