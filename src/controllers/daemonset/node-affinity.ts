// Required node affinity as upstream's component-helpers nodeaffinity.GetRequiredNodeAffinity:
// a node fits when it has every nodeSelector label and, if required node affinity is set, matches
// at least one of its terms. A term needs all its matchExpressions (on labels: In, NotIn, Exists,
// DoesNotExist, Gt, Lt) and matchFields (metadata.name In/NotIn one value); an empty or malformed
// term matches nothing. Also: the node a daemon pod is pinned to, and the pinning itself.

import type { Pod } from '../util/pods.ts';
import type { Node, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, SchedulingSpec } from './types.ts';

const OBJECT_NAME_FIELD = 'metadata.name';

function requirementMatches(req: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return values.length > 0 && has && values.includes(value ?? '');
    case 'NotIn':
      return values.length > 0 && (!has || !values.includes(value ?? ''));
    case 'Exists':
      return values.length === 0 && has;
    case 'DoesNotExist':
      return values.length === 0 && !has;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !has || !/^-?\d+$/.test(values[0] ?? '') || !/^-?\d+$/.test(value ?? '')) return false;
      const have = Number(value);
      const want = Number(values[0]);
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

function fieldMatches(req: NodeSelectorRequirement, node: Node): boolean {
  if (req.key !== OBJECT_NAME_FIELD || req.values?.length !== 1) return false;
  const name = node.metadata.name ?? '';
  if (req.operator === 'In') return name === req.values[0];
  if (req.operator === 'NotIn') return name !== req.values[0];
  return false;
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return exprs.every((r) => requirementMatches(r, labels)) && fields.every((r) => fieldMatches(r, node));
}

/** nodeSelector and required node affinity both admit the node. */
export function requiredAffinityMatches(spec: SchedulingSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become the single term
 * metadata.name In [node], so the scheduler can only bind the pod there (other affinity kept).
 */
export function pinToNode(affinity: SchedulingSpec['affinity'], nodeName: string): NonNullable<SchedulingSpec['affinity']> {
  const term: NodeSelectorTerm = { matchFields: [{ key: OBJECT_NAME_FIELD, operator: 'In', values: [nodeName] }] };
  const nodeAffinity: NodeAffinity = { ...(affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return { ...(affinity ?? {}), nodeAffinity };
}

/** GetTargetNodeName: spec.nodeName, or for an unscheduled daemon pod the node its affinity pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const spec = pod.spec as SchedulingSpec | undefined;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === OBJECT_NAME_FIELD && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}
