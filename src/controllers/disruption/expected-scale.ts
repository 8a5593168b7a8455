// The denominator of a percentage budget: the sum of spec.replicas over the controllers of the
// budget's pods, found through each pod's controller reference (upstream's getExpectedScale with
// its finders). A ReplicaSet owned by a Deployment counts as the Deployment; ReplicaSets,
// StatefulSets and ReplicationControllers count themselves. Pods without a controller are
// reported as unmanaged and left out; a controller of another kind (or one not in the cache yet)
// makes the budget fail to sync, as upstream.

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { Lister } from '../../client/index.ts';
import { controllerOf } from '../util/owner-refs.ts';
import type { Pod } from '../util/pods.ts';

export interface ScaleListers {
  replicaSets: Lister<KubeObject>;
  deployments: Lister<KubeObject>;
  statefulSets: Lister<KubeObject>;
  replicationControllers: Lister<KubeObject>;
}

interface ControllerScale {
  uid: string;
  replicas: number;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** upstream verifyGroupKind: the reference names `kind` in one of `groups`. */
const refIs = (ref: OwnerReference, kind: string, groups: readonly string[]): boolean => ref.kind === kind && groups.includes(groupOf(ref.apiVersion));

const APPS = ['apps', 'extensions'] as const;

const replicasOf = (obj: KubeObject): number => {
  const r = (obj['spec'] as { replicas?: unknown } | undefined)?.replicas;
  return typeof r === 'number' ? r : 1;
};

/** The live object `ref` names in `namespace`, when the cache has it with the same uid. */
function resolve(lister: Lister<KubeObject>, ref: OwnerReference, namespace: string): KubeObject | undefined {
  const obj = lister.get(namespace, ref.name);
  return obj && obj.metadata.uid === ref.uid ? obj : undefined;
}

type Finder = (ref: OwnerReference, namespace: string, l: ScaleListers) => ControllerScale | undefined;

const FINDERS: readonly Finder[] = [
  // A ReplicaSet on its own (one a Deployment controls is counted through the Deployment).
  (ref, ns, l) => {
    if (!refIs(ref, 'ReplicaSet', APPS)) return undefined;
    const rs = resolve(l.replicaSets, ref, ns);
    if (!rs || controllerOf(rs)?.kind === 'Deployment') return undefined;
    return { uid: rs.metadata.uid ?? '', replicas: replicasOf(rs) };
  },
  (ref, ns, l) => {
    if (!refIs(ref, 'ReplicaSet', APPS)) return undefined;
    const rs = resolve(l.replicaSets, ref, ns);
    const owner = rs && controllerOf(rs);
    if (!owner || !refIs(owner, 'Deployment', APPS)) return undefined;
    const deployment = resolve(l.deployments, owner, ns);
    return deployment ? { uid: deployment.metadata.uid ?? '', replicas: replicasOf(deployment) } : undefined;
  },
  (ref, ns, l) => {
    if (!refIs(ref, 'ReplicationController', [''])) return undefined;
    const rc = resolve(l.replicationControllers, ref, ns);
    return rc ? { uid: rc.metadata.uid ?? '', replicas: replicasOf(rc) } : undefined;
  },
  (ref, ns, l) => {
    if (!refIs(ref, 'StatefulSet', APPS)) return undefined;
    const ss = resolve(l.statefulSets, ref, ns);
    return ss ? { uid: ss.metadata.uid ?? '', replicas: replicasOf(ss) } : undefined;
  },
];

export interface ExpectedScale {
  expectedCount: number;
  /** Names of selected pods that have no controller. */
  unmanaged: string[];
}

/** Sums the scale of the pods' controllers (each counted once). Throws when a controller cannot be found. */
export function expectedScale(pods: readonly Pod[], listers: ScaleListers): ExpectedScale {
  const scales = new Map<string, number>();
  const seenRefs = new Set<string>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? '');
      continue;
    }
    if (seenRefs.has(ref.uid)) continue;
    let found: ControllerScale | undefined;
    for (const finder of FINDERS) {
      found = finder(ref, pod.metadata.namespace ?? '', listers);
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name ?? ''}"`);
    seenRefs.add(ref.uid);
    scales.set(found.uid, found.replicas);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanaged };
}
