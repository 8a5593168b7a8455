// A quota's new status, as upstream's syncResourceQuota and CalculateUsage: status.hard mirrors
// spec.hard; status.used holds, for every hard resource some evaluator measures, the sum of what
// the namespace's objects matching all of the quota's scopes charge (0 when none), keeps the last
// observed value of hard resources no evaluator measures, and drops names no longer in hard.

import type { KubeObject } from '../../api/types.ts';
import type { Evaluator } from './evaluators.ts';
import type { ScopeRequirement } from './pod-usage.ts';
import { addInto, equalLists, mask, parseList, ZERO, type Usage } from './resource-list.ts';

export interface ResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string>; scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeRequirement[] } };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** The hard resource names of `quota` that `evaluators` can measure, by evaluator. */
export function matchingEvaluators(quota: ResourceQuota, evaluators: readonly Evaluator[]): { evaluator: Evaluator; resources: string[] }[] {
  const names = Object.keys(quota.spec?.hard ?? {});
  return evaluators.map((evaluator) => ({ evaluator, resources: evaluator.matchingResources(names) })).filter((m) => m.resources.length > 0);
}

/** The scope requirements an object must all meet: spec.scopes (as Exists) and the scope selector's expressions. */
export function scopeRequirements(quota: ResourceQuota): ScopeRequirement[] {
  return [
    ...(quota.spec?.scopes ?? []).map((scopeName): ScopeRequirement => ({ scopeName, operator: 'Exists' })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

export interface QuotaStatus {
  hard: Usage;
  used: Usage;
}

/** Computes the status; `objects` lists the namespace's objects of an evaluator's resource. */
export function computeQuotaStatus(quota: ResourceQuota, evaluators: readonly Evaluator[], objects: (e: Evaluator) => readonly KubeObject[], nowMs: number): QuotaStatus {
  const hard = parseList(quota.spec?.hard);
  const used = parseList(quota.status?.used);
  const requirements = scopeRequirements(quota);
  for (const { evaluator, resources } of matchingEvaluators(quota, evaluators)) {
    const stats: Usage = new Map(resources.map((r) => [r, ZERO]));
    for (const obj of objects(evaluator)) {
      if (!requirements.every((req) => evaluator.matchesScope(req, obj))) continue;
      addInto(stats, mask(evaluator.usage(obj, nowMs), resources));
    }
    for (const [name, q] of stats) used.set(name, q);
  }
  return { hard, used: mask(used, hard.keys()) };
}

/** Whether `status` differs from what the quota's status says (values compared, not spellings). */
export function statusChanged(quota: ResourceQuota, status: QuotaStatus): boolean {
  if (!quota.status?.hard || !quota.status.used) return true;
  return !equalLists(parseList(quota.status.hard), status.hard) || !equalLists(parseList(quota.status.used), status.used);
}
