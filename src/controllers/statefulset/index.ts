// Public surface of the StatefulSet controller: the controller factory and the identity helpers
// other parts (tests, kubectl-facing code) name pods and claims with.

export { statefulSetController, StatefulSetReconciler, STATEFUL_SET_WORKERS } from './statefulset-controller.ts';
export { StatefulSetControl } from './stateful-set-control.ts';
export { StatefulPodControl, type PodControl } from './pod-control.ts';
export { claimName, podName, POD_INDEX_LABEL, STATEFUL_SET_POD_NAME_LABEL } from './identity.ts';
export type { StatefulSet, StatefulSetSpec, StatefulSetStatus } from './types.ts';
