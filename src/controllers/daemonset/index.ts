// Public surface of the DaemonSet controller: the controller factory and the placement rules
// (which nodes a DaemonSet's pods belong on), which the scheduler's tests can share.

export { daemonSetController, DAEMON_SET_WORKERS } from './daemonset-controller.ts';
export { DaemonSetReconciler, BURST_REPLICAS } from './daemonset-reconciler.ts';
export { DaemonPlacement, nodeShouldRunDaemonPod, type Placement } from './placement.ts';
export { daemonPodTolerations, toleratesTaint } from './tolerations.ts';
export { requiredAffinityMatches } from './node-affinity.ts';
export { POD_TEMPLATE_GENERATION_LABEL } from './daemon-pods.ts';
export type { DaemonSet, DaemonSetSpec, DaemonSetStatus, Node, Taint, Toleration } from './types.ts';
