// Deployment conditions the way upstream's deployment util keeps them, which differs from the
// generic helper: a condition with the same status and reason is left alone (message and times
// included), a changed one keeps lastTransitionTime only when the status is the same, and it moves
// to the end of the list. New conditions carry lastUpdateTime = lastTransitionTime = now.

import { metaTime } from '../util/index.ts';
import type { DeploymentCondition, DeploymentStatus } from './types.ts';

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, nowMs: number): DeploymentCondition {
  const now = metaTime(nowMs);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export const getCondition = (status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined => status?.conditions?.find((c) => c.type === type);

/** Upstream's SetDeploymentCondition (mutates `status`). */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = current && current.status === condition.status && current.lastTransitionTime ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}
