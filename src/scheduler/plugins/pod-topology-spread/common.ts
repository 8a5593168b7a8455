// What PodTopologySpread's filtering and scoring share: constraints built from the pod (or from the
// profile's default constraints, with a selector derived from the Services, ReplicationControllers,
// ReplicaSets and StatefulSets that own or select the pod), node eligibility under
// nodeAffinityPolicy / nodeTaintsPolicy, and counting matching pods on a node.

import type { KubeObject } from '../../../api/types.ts';
import type { LabelSelectorObject } from '../../../machinery/labels.ts';
import type { Node, Pod, TopologySpreadConstraint } from '../../api-types.ts';
import type { ClusterListers } from '../../framework/listers.ts';
import type { RequiredNodeAffinity } from '../../framework/node-selector.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { selectorFrom, type Selector } from '../../framework/selectors.ts';
import { findUntoleratedTaint } from '../../framework/taints.ts';

export const DO_NOT_SCHEDULE = 'DoNotSchedule';
export const SCHEDULE_ANYWAY = 'ScheduleAnyway';
export const HONOR = 'Honor';
export const IGNORE = 'Ignore';

export interface PodTopologySpreadArgs {
  defaultConstraints?: TopologySpreadConstraint[];
  defaultingType?: 'System' | 'List';
}

/** Upstream's system default constraints (used when defaultingType is System). */
export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: SCHEDULE_ANYWAY, maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: SCHEDULE_ANYWAY, maxSkew: 5 },
];

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  /** What the selector was compiled from, as a string (equal keys select the same pods). */
  selectorKey: string;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
}

/** The pod's constraints of one whenUnsatisfiable kind, with matchLabelKeys folded into the selector. */
export function filterConstraints(constraints: readonly TopologySpreadConstraint[], podLabels: Readonly<Record<string, string>>, action: string): Constraint[] {
  const out: Constraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    const extra = (c.matchLabelKeys ?? []).flatMap((k) => (podLabels[k] !== undefined ? [{ key: k, operator: 'In', values: [podLabels[k]] }] : []));
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: selectorFrom(c.labelSelector, extra),
      selectorKey: JSON.stringify([c.labelSelector ?? null, extra]),
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? HONOR,
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? IGNORE,
    });
  }
  return out;
}

/** Upstream helper.DefaultSelector: labels of the pod's Services and controller, as one selector. */
export function defaultSelectorObject(pod: Pod, listers: ClusterListers): LabelSelectorObject {
  const ns = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelectorObject['matchExpressions']> = [];
  for (const svc of listers.services(ns)) {
    const sel = (svc['spec'] as { selector?: Record<string, string> } | undefined)?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(matchLabels, sel);
  }
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (owner) {
    const find = (list: readonly KubeObject[]): KubeObject | undefined => list.find((o) => o.metadata.name === owner.name);
    const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
    if (group === '' && owner.kind === 'ReplicationController') {
      const rc = find(listers.replicationControllers(ns));
      Object.assign(matchLabels, (rc?.['spec'] as { selector?: Record<string, string> } | undefined)?.selector ?? {});
    } else if (group === 'apps' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const obj = find(owner.kind === 'ReplicaSet' ? listers.replicaSets(ns) : listers.statefulSets(ns));
      const sel = (obj?.['spec'] as { selector?: LabelSelectorObject } | undefined)?.selector;
      for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) matchExpressions.push({ key: k, operator: 'In', values: [v] });
      matchExpressions.push(...(sel?.matchExpressions ?? []));
    }
  }
  return { matchLabels, matchExpressions };
}

/** The pod's own DoNotSchedule/ScheduleAnyway constraints, or the default ones. */
export function constraintsFor(
  pod: PodInfo,
  action: string,
  defaults: readonly TopologySpreadConstraint[],
  listers: ClusterListers,
): Constraint[] {
  const spec = pod.pod.spec?.topologySpreadConstraints;
  const labels = pod.pod.metadata.labels ?? {};
  if (spec && spec.length > 0) return filterConstraints(spec, labels, action);
  const constraints = filterConstraints(defaults, labels, action);
  if (constraints.length === 0) return [];
  const obj = defaultSelectorObject(pod.pod, listers);
  if (Object.keys(obj.matchLabels ?? {}).length === 0 && (obj.matchExpressions?.length ?? 0) === 0) return [];
  const selector = selectorFrom(obj);
  const selectorKey = JSON.stringify(['default', obj]);
  for (const c of constraints) {
    c.selector = selector;
    c.selectorKey = selectorKey;
  }
  return constraints;
}

export function nodeHasAllKeys(labels: Readonly<Record<string, string>> | undefined, constraints: readonly Constraint[]): boolean {
  if (!labels) return constraints.length === 0;
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** nodeAffinityPolicy / nodeTaintsPolicy: does this node count for the constraint? */
export function nodeIncluded(c: Constraint, pod: Pod, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === HONOR && !required.matches(node)) return false;
  if (c.nodeTaintsPolicy === HONOR && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations)) return false;
  return true;
}

/** Live pods of `ns` matching the selector (an empty selector counts nothing, as upstream). */
export function countMatching(pods: readonly PodInfo[], selector: Selector, ns: string): number {
  if (selector.empty || selector.nothing) return 0;
  let n = 0;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    if (p.namespace !== ns || p.terminating) continue;
    if (selector.matches(p.pod.metadata.labels)) n++;
  }
  return n;
}
