// Where a DaemonSet's pods belong (upstream NodeShouldRunDaemonPod): a node should run one when the
// template's nodeName (if any) is the node, its nodeSelector and required node affinity admit the
// node, and the pod tolerates every NoSchedule and NoExecute taint; a pod already there may keep
// running on a node whose only untolerated taints are NoSchedule. Readiness of the node does not
// matter: daemon pods tolerate not-ready and unreachable.

import { requiredAffinityMatches } from './node-affinity.ts';
import { daemonPodTolerations, findUntoleratedTaint } from './tolerations.ts';
import type { DaemonSet, Node, SchedulingSpec, Toleration } from './types.ts';

export interface Placement {
  /** A daemon pod should be created here (if none is running). */
  shouldRun: boolean;
  /** A daemon pod already here may stay. */
  shouldContinueRunning: boolean;
}

/** Placement of one DaemonSet, with the daemon pod's tolerations computed once. */
export class DaemonPlacement {
  readonly #spec: SchedulingSpec;
  readonly #tolerations: Toleration[];

  constructor(ds: DaemonSet) {
    this.#spec = (ds.spec.template?.spec ?? {}) as SchedulingSpec;
    this.#tolerations = daemonPodTolerations(this.#spec);
  }

  evaluate(node: Node): Placement {
    const name = node.metadata.name ?? '';
    if (this.#spec.nodeName && this.#spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
    if (!requiredAffinityMatches(this.#spec, node)) return { shouldRun: false, shouldContinueRunning: false };
    const taints = node.spec?.taints;
    const blocking = findUntoleratedTaint(taints, this.#tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
    const evicting = findUntoleratedTaint(taints, this.#tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !evicting };
  }
}

export const nodeShouldRunDaemonPod = (node: Node, ds: DaemonSet): Placement => new DaemonPlacement(ds).evaluate(node);
