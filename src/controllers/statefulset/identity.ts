// The stable identity of StatefulSet pods (upstream stateful_set_utils.go): a pod is named
// "<set>-<ordinal>" for ordinals [spec.ordinals.start, start+replicas), carries the pod-name and
// pod-index labels, hostname = its name and subdomain = the governing service, and mounts one
// PersistentVolumeClaim per volumeClaimTemplate named "<claim>-<set>-<ordinal>". New pods take the
// current revision's template below the partition and the update revision's at or above it.

import { podFromTemplate } from '../util/pod-template.ts';
import type { Pod } from '../util/pods.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/index.ts';
import type { PersistentVolumeClaim, PersistentVolumeClaimTemplate, StatefulSet, Volume } from './types.ts';

export const STATEFUL_SET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const STATEFUL_POD_NAME = /^(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** The set name and ordinal a pod's name encodes; ordinal -1 when it encodes none. */
export function parentAndOrdinal(podName: string | undefined): { parent: string; ordinal: number } {
  const m = STATEFUL_POD_NAME.exec(podName ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return ordinal > MAX_INT32 ? { parent: '', ordinal: -1 } : { parent: m[1] ?? '', ordinal };
}

export const ordinalOf = (pod: Pod): number => parentAndOrdinal(pod.metadata.name).ordinal;

/** The pod belongs to `set` by name (upstream's isMemberOf). */
export const isMemberOf = (set: StatefulSet, pod: Pod): boolean => parentAndOrdinal(pod.metadata.name).parent === set.metadata.name;

export const replicasOf = (set: StatefulSet): number => set.spec.replicas ?? 1;
export const startOrdinal = (set: StatefulSet): number => set.spec.ordinals?.start ?? 0;
/** The last ordinal the set wants (start - 1 when it wants none). */
export const endOrdinal = (set: StatefulSet): number => startOrdinal(set) + replicasOf(set) - 1;

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = ordinalOf(pod);
  return ordinal >= startOrdinal(set) && ordinal <= endOrdinal(set);
}

export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name ?? ''}-${ordinal}`;

export const claimName = (set: StatefulSet, template: PersistentVolumeClaimTemplate, ordinal: number): string =>
  `${template.metadata?.name ?? ''}-${set.metadata.name ?? ''}-${ordinal}`;

/** The claims a pod of `set` with `ordinal` mounts, keyed by their template (volume) name. */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const claims = new Map<string, PersistentVolumeClaim>();
  const selectorLabels = set.spec.selector?.matchLabels ?? {};
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const meta = structuredClone(template.metadata ?? {});
    claims.set(template.metadata?.name ?? '', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...meta, name: claimName(set, template, ordinal), namespace: set.metadata.namespace ?? 'default', labels: { ...(meta.labels ?? {}), ...selectorLabels } },
      spec: structuredClone(template.spec ?? {}),
    });
  }
  return claims;
}

export const podRevision = (pod: Pod): string => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

const volumesOf = (pod: Pod): Volume[] => (pod.spec?.['volumes'] as Volume[] | undefined) ?? [];

/** Name, namespace and identity labels are those of the ordinal (upstream's identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata.name);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    labels[STATEFUL_SET_POD_NAME_LABEL] === pod.metadata.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** Every claim template is mounted from the ordinal's claim (upstream's storageMatches). */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map(volumesOf(pod).map((v) => [v.name, v]));
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const volume = volumes.get(template.metadata?.name ?? '');
    if (volume?.persistentVolumeClaim?.claimName !== claimName(set, template, ordinal)) return false;
  }
  return true;
}

/** Sets the identity labels and namespace on `pod` (a copy the caller owns). */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace ?? 'default';
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFUL_SET_POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** Mounts the ordinal's claims in place of same-named volumes, keeping the template's other volumes. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata.name ?? '' } }));
  for (const v of volumesOf(pod)) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? {}), volumes };
}

/** A new pod of `set` for `ordinal` (not yet created). */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = podFromTemplate(set.spec.template ?? {}, set, { name: podName(set, ordinal) });
  updateIdentity(set, pod);
  pod.spec = { ...(pod.spec ?? {}), hostname: pod.metadata.name };
  if (set.spec.serviceName) pod.spec['subdomain'] = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/**
 * upstream's newVersionedStatefulSetPod: below the partition (or, without a rollingUpdate block,
 * below the count of current replicas) a recreated pod keeps the current revision.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec.updateStrategy;
  const start = startOrdinal(currentSet);
  const rolling = strategy?.rollingUpdate;
  const keepCurrent =
    (strategy?.type === 'RollingUpdate' && !rolling && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (rolling !== undefined && ordinal < start + (rolling.partition ?? 0));
  const pod = newStatefulSetPod(keepCurrent ? currentSet : updateSet, ordinal);
  pod.metadata.labels = { ...pod.metadata.labels, [CONTROLLER_REVISION_HASH_LABEL]: keepCurrent ? currentRevision : updateRevision };
  return pod;
}
