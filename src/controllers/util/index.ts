// Helpers shared by the workload controllers: resource refs, pod facts, controller references
// (index, adopt, release), slow-start batches, status conditions, pod creation from templates.

export * from './refs.ts';
export * from './pods.ts';
export * from './owner-refs.ts';
export * from './batch.ts';
export * from './conditions.ts';
export * from './pod-template.ts';
