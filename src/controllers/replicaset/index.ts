// Public surface of the ReplicaSet controller folder: the ReplicaSet and ReplicationController
// controllers (one reconciler, two kinds) and the ReplicaSet shapes the Deployment controller uses.

export { replicaSetController, replicationControllerController, replicaController, type ReplicaControllerOptions } from './replica-controller.ts';
export { ReplicaReconciler, BURST_REPLICAS, namespaceTerminating, type ReplicaReconcilerDeps } from './replica-reconciler.ts';
export { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, type ReplicaKind } from './kinds.ts';
export { PodExpectations } from './pod-expectations.ts';
export { POD_DELETION_COST, podsToDelete } from './deletion-order.ts';
export { REPLICA_FAILURE } from './status.ts';
export { specReplicas, type ReplicaCondition, type ReplicaSet, type ReplicaSetStatus, type Replicated } from './types.ts';
export { OwnWrites } from './own-writes.ts';
