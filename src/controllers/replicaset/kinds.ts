// The two kinds one replica reconciler serves. Upstream's ReplicationManager is the ReplicaSet
// controller run on core/v1 ReplicationControllers through a conversion; here the difference is
// data: the type, the names, and how the selector is read (a label map selects like SelectorFromSet,
// so an empty map selects everything, while a missing metav1.LabelSelector selects nothing).

import type { ResourceType } from '../../client/index.ts';
import { labelSelectorFromSet, selectorFromLabelSelector, type LabelSelector } from '../../machinery/labels.ts';
import { REPLICA_SETS, REPLICATION_CONTROLLERS } from '../util/index.ts';
import type { Replicated } from './types.ts';

export interface ReplicaKind {
  /** The controller's name (upstream's --controllers name). */
  name: string;
  apiVersion: string;
  kind: string;
  resource: ResourceType;
  /** The object's pod selector; throws a StatusError when it cannot be parsed. */
  selectorOf(obj: Replicated): LabelSelector;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  name: 'replicaset',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  resource: REPLICA_SETS,
  selectorOf: (obj) => selectorFromLabelSelector(obj.spec?.selector as Record<string, unknown> | undefined),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  name: 'replicationcontroller',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  resource: REPLICATION_CONTROLLERS,
  selectorOf: (obj) => labelSelectorFromSet(obj.spec?.selector as Record<string, string> | undefined),
};

/** `obj` with its apiVersion and kind set: list items may come without them, owner refs and Events need them. */
export function typed<T extends Replicated>(kind: ReplicaKind, obj: T): T {
  return obj.apiVersion === kind.apiVersion && obj.kind === kind.kind ? obj : { ...obj, apiVersion: kind.apiVersion, kind: kind.kind };
}
