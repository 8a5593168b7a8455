// The DefaultTolerationSeconds admission step (upstream plugin/pkg/admission/defaulttolerationseconds):
// a pod that does not already tolerate node.kubernetes.io/not-ready:NoExecute or
// node.kubernetes.io/unreachable:NoExecute gets a toleration for each, with tolerationSeconds 300,
// so that when its node goes away the taint eviction waits five minutes before deleting it instead
// of deleting it at once. It runs on pod create and update (not on subresources), as upstream's.

import type { KubeObject } from '../../api/types.ts';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** Upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface DefaultTolerationSecondsOptions {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

/**
 * Whether a toleration already covers `key`:NoExecute. Like upstream, only the key and effect are
 * looked at (an empty key or effect counts as a wildcard), not the operator or value.
 */
function covers(t: Toleration, key: string): boolean {
  return (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect);
}

/** Adds the default not-ready and unreachable tolerations to `pod` in place. */
export function admitDefaultTolerationSeconds(pod: KubeObject, options: DefaultTolerationSecondsOptions = {}): void {
  const spec = pod['spec'];
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return;
  const s = spec as Record<string, unknown>;
  const existing = s['tolerations'];
  // A malformed list is left for validation to report.
  if (existing !== undefined && existing !== null && !Array.isArray(existing)) return;
  const tolerations = ((existing ?? []) as unknown[]).filter((t): t is Toleration => t !== null && typeof t === 'object');
  const added: Toleration[] = [];
  if (!tolerations.some((t) => covers(t, TAINT_NODE_NOT_READY))) {
    added.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: options.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS });
  }
  if (!tolerations.some((t) => covers(t, TAINT_NODE_UNREACHABLE))) {
    added.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: options.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length > 0) s['tolerations'] = [...((existing ?? []) as unknown[]), ...added];
}
