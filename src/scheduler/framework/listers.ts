// Read access to the cluster objects plugins consult besides nodes and pods (PVCs, PVs, storage
// classes, PDBs, namespaces, workload owners, priority classes), behind one small interface so that
// plugin tests pass plain arrays and the scheduler passes informer caches.

import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/index.ts';
import type { InformerSource } from '../informer-factory.ts';
import type { PersistentVolume, PersistentVolumeClaim, Pod, PodDisruptionBudget, PriorityClass, StorageClass } from '../api-types.ts';

export interface ClusterListers {
  pod(namespace: string, name: string): Pod | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  pvs(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
  pdbs(): readonly PodDisruptionBudget[];
  namespaces(): readonly KubeObject[];
  namespace(name: string): KubeObject | undefined;
  priorityClass(name: string): PriorityClass | undefined;
  priorityClasses(): readonly PriorityClass[];
  /** Services, ReplicationControllers, ReplicaSets and StatefulSets of a namespace (for default spreading). */
  services(namespace: string): readonly KubeObject[];
  replicationControllers(namespace: string): readonly KubeObject[];
  replicaSets(namespace: string): readonly KubeObject[];
  statefulSets(namespace: string): readonly KubeObject[];
}

export const RESOURCES = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  pvcs: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  pvs: { group: '', version: 'v1', resource: 'persistentvolumes' },
  services: { group: '', version: 'v1', resource: 'services' },
  replicationControllers: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  storageClasses: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' },
  pdbs: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' },
  priorityClasses: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' },
  replicaSets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  statefulSets: { group: 'apps', version: 'v1', resource: 'statefulsets' },
} as const;

/** In-memory listers over fixed objects (tests, benchmarks). */
export function staticListers(objects: readonly KubeObject[] = []): ClusterListers {
  const of = (kind: string): KubeObject[] => objects.filter((o) => o.kind === kind);
  const inNs = (kind: string, ns: string): KubeObject[] => of(kind).filter((o) => o.metadata.namespace === ns);
  const named = (kind: string, name: string, ns?: string): KubeObject | undefined =>
    of(kind).find((o) => o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));
  return {
    pod: (ns, name) => named('Pod', name, ns) as Pod | undefined,
    pvc: (ns, name) => named('PersistentVolumeClaim', name, ns) as PersistentVolumeClaim | undefined,
    pv: (name) => named('PersistentVolume', name) as PersistentVolume | undefined,
    pvs: () => of('PersistentVolume') as PersistentVolume[],
    storageClass: (name) => named('StorageClass', name) as StorageClass | undefined,
    pdbs: () => of('PodDisruptionBudget') as PodDisruptionBudget[],
    namespaces: () => of('Namespace'),
    namespace: (name) => named('Namespace', name),
    priorityClass: (name) => named('PriorityClass', name) as PriorityClass | undefined,
    priorityClasses: () => of('PriorityClass') as PriorityClass[],
    services: (ns) => inNs('Service', ns),
    replicationControllers: (ns) => inNs('ReplicationController', ns),
    replicaSets: (ns) => inNs('ReplicaSet', ns),
    statefulSets: (ns) => inNs('StatefulSet', ns),
  };
}

/** Listers over shared informers; the informers are created (not started) on first use. */
export function informerListers(factory: InformerSource): ClusterListers & { informers(): Informer[] } {
  const made = new Map<string, Informer>();
  const inf = (key: keyof typeof RESOURCES): Informer => {
    let i = made.get(key);
    if (!i) made.set(key, (i = factory.informerFor(RESOURCES[key])));
    return i;
  };
  const get = <T>(key: keyof typeof RESOURCES, ns: string, name: string): T | undefined => inf(key).indexer.get(ns ? `${ns}/${name}` : name) as T | undefined;
  const byNs = (key: keyof typeof RESOURCES, ns: string): KubeObject[] => inf(key).lister.list(ns) as KubeObject[];
  return {
    pod: (ns, name) => get<Pod>('pods', ns, name),
    pvc: (ns, name) => get<PersistentVolumeClaim>('pvcs', ns, name),
    pv: (name) => get<PersistentVolume>('pvs', '', name),
    pvs: () => inf('pvs').indexer.list() as PersistentVolume[],
    storageClass: (name) => get<StorageClass>('storageClasses', '', name),
    pdbs: () => inf('pdbs').indexer.list() as PodDisruptionBudget[],
    namespaces: () => inf('namespaces').indexer.list(),
    namespace: (name) => get<KubeObject>('namespaces', '', name),
    priorityClass: (name) => get<PriorityClass>('priorityClasses', '', name),
    priorityClasses: () => inf('priorityClasses').indexer.list() as PriorityClass[],
    services: (ns) => byNs('services', ns),
    replicationControllers: (ns) => byNs('replicationControllers', ns),
    replicaSets: (ns) => byNs('replicaSets', ns),
    statefulSets: (ns) => byNs('statefulSets', ns),
    informers: () => [...made.values()],
  };
}
