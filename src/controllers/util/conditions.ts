// Status conditions as upstream controllers keep them: a type appears once; lastTransitionTime
// changes only when the status does; lastUpdateTime (where the type has one) on every change.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

/** metav1.Time: RFC 3339 with second precision. */
export const metaTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const findCondition = <C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C | undefined => conditions?.find((c) => c.type === type);

/**
 * Returns `conditions` with `next` set: the transition time is kept when the status is
 * unchanged; with `withUpdateTime` lastUpdateTime is refreshed when anything changed.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition, nowMs: number, withUpdateTime = false): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const now = metaTime(nowMs);
  if (old && old.status === next.status && old.reason === next.reason && old.message === next.message) return list;
  const merged: Condition = {
    ...next,
    lastTransitionTime: old && old.status === next.status ? (old.lastTransitionTime ?? now) : now,
    ...(withUpdateTime ? { lastUpdateTime: now } : {}),
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export const removeCondition = <C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C[] => (conditions ?? []).filter((c) => c.type !== type);
