// Public surface of the garbage collector: the controller, its graph and decision logic, and the
// discovery-backed REST mapper it resolves ownerReferences with.

export { GarbageCollector, garbageCollector, type GarbageCollectorOptions } from './garbage-collector.ts';
export { Collector, ConflictError, MappingError, type CollectorDeps, type Outcome } from './collector.ts';
export { GraphBuilder, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, partitionDependents, type GraphSinks, type GraphBuilderOptions } from './graph-builder.ts';
export { Graph, GraphNode } from './graph.ts';
export { restGcApi, type GcApi, type MetadataPatch, type PropagationPolicy, type WriteResult } from './gc-api.ts';
export { discoverResources, RestMapper, IGNORED_RESOURCES, type DiscoveredResource, type Discovery, type ResourceMapping } from './rest-mapper.ts';
export type { ObjectIdentity } from './identity.ts';
