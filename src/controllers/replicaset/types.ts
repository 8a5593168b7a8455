// The shapes the ReplicaSet machinery reads and writes: apps/v1 ReplicaSet and core/v1
// ReplicationController share spec (replicas, minReadySeconds, selector, template) and status;
// only the selector differs (a metav1.LabelSelector versus a plain label map).

import type { KubeObject } from '../../api/types.ts';
import type { LabelSelectorObject } from '../../machinery/labels.ts';
import type { PodTemplateSpec } from '../util/index.ts';

/** ReplicaSetCondition / ReplicationControllerCondition: no lastUpdateTime. */
export interface ReplicaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export interface ReplicatedSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: unknown;
  template?: PodTemplateSpec;
}

/** A ReplicaSet or a ReplicationController. */
export interface Replicated extends KubeObject {
  spec?: ReplicatedSpec;
  status?: ReplicaSetStatus;
}

export interface ReplicaSet extends Replicated {
  spec?: ReplicatedSpec & { selector?: LabelSelectorObject };
}

/** spec.replicas as the API server defaults it (1 when unset). */
export const specReplicas = (obj: Replicated): number => obj.spec?.replicas ?? 1;
