// The Priority admission step (upstream plugin/pkg/admission/priority): on pod create the pod's
// priorityClassName resolves to its PriorityClass, whose value becomes spec.priority and whose
// preemptionPolicy becomes spec.preemptionPolicy. A pod without a class gets the class marked
// globalDefault (or priority 0). An unknown class is refused (403, as upstream); a spec.priority
// given by the client that differs from the class's value is refused too. The two system classes
// upstream's API server creates at start are known even before they are stored.

import type { KubeObject } from '../../api/types.ts';
import { forbidden } from '../../machinery/status-error.ts';

export const SYSTEM_CLUSTER_CRITICAL = 'system-cluster-critical';
export const SYSTEM_NODE_CRITICAL = 'system-node-critical';

/** The PriorityClasses the API server creates at start, as upstream's bootstrap. */
export const SYSTEM_PRIORITY_CLASSES: readonly KubeObject[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: SYSTEM_NODE_CRITICAL },
    value: 2_000_001_000,
    description: 'Used for system critical pods that must not be moved from their current node.',
    preemptionPolicy: 'PreemptLowerPriority',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: SYSTEM_CLUSTER_CRITICAL },
    value: 2_000_000_000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    preemptionPolicy: 'PreemptLowerPriority',
  },
];

/** How the step reads PriorityClasses: by name, and the global default (undefined when none). */
export interface PriorityClassLookup {
  get(name: string): Promise<KubeObject | undefined>;
  globalDefault(): Promise<KubeObject | undefined>;
}

interface PodSpec {
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
}

export async function admitPriority(pod: KubeObject, classes: PriorityClassLookup): Promise<void> {
  const spec = (pod['spec'] ??= {}) as PodSpec;
  let pc: KubeObject | undefined;
  if (spec.priorityClassName) {
    pc = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === spec.priorityClassName) ?? (await classes.get(spec.priorityClassName));
    if (!pc) throw forbidden(`pods "${pod.metadata.name ?? pod.metadata.generateName ?? ''}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`);
  } else {
    pc = await classes.globalDefault();
    if (pc?.metadata.name) spec.priorityClassName = pc.metadata.name;
  }
  const value = typeof pc?.['value'] === 'number' ? (pc['value'] as number) : 0;
  if (spec.priority !== undefined && spec.priority !== value) {
    throw forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  const policy = pc?.['preemptionPolicy'];
  spec.preemptionPolicy = typeof policy === 'string' ? policy : (spec.preemptionPolicy ?? 'PreemptLowerPriority');
}
