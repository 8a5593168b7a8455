// Taints and tolerations as core/v1's helpers define them (component-helpers in upstream), shared
// by the scheduler, the DaemonSet and node lifecycle controllers and admission: a toleration
// tolerates a taint when the effects match (an empty effect matches any), the keys match (an empty
// key with operator Exists matches every key), and the values are equal (operator "" or Equal) or
// the operator is Exists.

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** The fields of a taint the matching reads. */
export interface TaintLike {
  key: string;
  value?: string | undefined;
  effect: string;
}

/** The fields of a toleration the matching reads. */
export interface TolerationLike {
  key?: string | undefined;
  operator?: string | undefined;
  value?: string | undefined;
  effect?: string | undefined;
}

/** Upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: TolerationLike, taint: TaintLike): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Some toleration tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly TolerationLike[] | undefined, taint: TaintLike): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint passing `filter` that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint<T extends TaintLike>(taints: readonly T[] | undefined, tolerations: readonly TolerationLike[] | undefined, filter: (t: T) => boolean = () => true): T | undefined {
  if (!taints) return undefined;
  for (const taint of taints) if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  return undefined;
}
