// Public surface of the namespace controller.

export { NAMESPACE_FINALIZER, NamespaceReconciler, namespaceController, type NamespaceControllerDeps } from './namespace-controller.ts';
export { deleteAllContent, mergeConditions, type ContentReport, type NamespaceCondition } from './deleter.ts';
export { discoverDeletableResources, type DeletableResource, type DiscoveryResult } from './discovery.ts';
