// What the controller makes of a metrics recommendation before it scales (upstream horizontal.go):
// stabilization over recent recommendations, then the limits — min/max replicas, and the rate
// limits (without behavior: at most double or +4 per sync; with behavior: the Pods/Percent
// policies over their periods, combined by selectPolicy). Each step names the condition reason
// and message the HPA status shows.

import type { ScalingRules } from './types.ts';

export interface Recommendation {
  replicas: number;
  at: number;
}

export interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** Per-HPA memory of recommendations and scale events (kept by the controller between syncs). */
export interface ScaleHistory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const newHistory = (): ScaleHistory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

const WITHIN_RANGE = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const UP_STABILIZED = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
const DOWN_STABILIZED = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };

/** stabilizeRecommendation (no behavior): the highest recommendation within the downscale window. */
export function stabilize(h: ScaleHistory, desired: number, windowMs: number, now: number): Limited {
  let max = desired;
  let reuse = -1;
  h.recommendations.forEach((r, i) => {
    if (r.at > now - windowMs) max = Math.max(max, r.replicas);
    else if (reuse < 0) reuse = i;
  });
  if (reuse >= 0) h.recommendations[reuse] = { replicas: desired, at: now };
  else h.recommendations.push({ replicas: desired, at: now });
  return max !== desired ? { replicas: max, ...DOWN_STABILIZED } : { replicas: max, ...READY };
}

/** convertDesiredReplicasWithRules (no behavior): min/max and the doubling limit. */
export function limitWithRules(current: number, desired: number, min: number, max: number): Limited {
  const scaleUpLimit = Math.max(2 * current, 4);
  let maximum: number;
  let upper: { reason: string; message: string };
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit;
    upper = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
  } else {
    maximum = max;
    upper = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  }
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maximum) return { replicas: maximum, ...upper };
  return { replicas: desired, ...WITHIN_RANGE };
}

/** stabilizeRecommendationWithBehaviors: clamp between the lowest recent (up window) and highest recent (down window). */
export function stabilizeWithBehavior(h: ScaleHistory, current: number, desired: number, up: ScalingRules, down: ScalingRules, now: number): Limited {
  const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = (down.stabilizationWindowSeconds ?? 0) * 1000;
  const obsolete = now - Math.max(upWindow, downWindow);
  let upRec = desired;
  let downRec = desired;
  let reuse = -1;
  h.recommendations.forEach((r, i) => {
    if (r.at > now - upWindow) upRec = Math.min(upRec, r.replicas);
    if (r.at > now - downWindow) downRec = Math.max(downRec, r.replicas);
    if (r.at < obsolete) reuse = i;
  });
  let replicas = current;
  if (replicas < upRec) replicas = upRec;
  if (replicas > downRec) replicas = downRec;
  if (reuse >= 0) h.recommendations[reuse] = { replicas: desired, at: now };
  else h.recommendations.push({ replicas: desired, at: now });
  const why = desired >= current ? UP_STABILIZED : DOWN_STABILIZED;
  return replicas !== desired ? { replicas, ...why } : { replicas, ...READY };
}

/** Replicas added (or removed) by events within the last periodSeconds. */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.at > cutoff ? sum + e.change : sum), 0);
}

function periodStart(h: ScaleHistory, current: number, periodSeconds: number, now: number): number {
  return current - changeInPeriod(h.scaleUpEvents, periodSeconds, now) + changeInPeriod(h.scaleDownEvents, periodSeconds, now);
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(h: ScaleHistory, current: number, rules: ScalingRules, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = periodStart(h, current, p.periodSeconds, now);
    // Percent rounds up, or a small target would never grow.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(h: ScaleHistory, current: number, rules: ScalingRules, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  // Max picks the policy allowing the biggest change: the lowest floor.
  let result = select === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = periodStart(h, current, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithBehaviorRate. */
export function limitWithBehavior(h: ScaleHistory, current: number, desired: number, min: number, max: number, up: ScalingRules, down: ScalingRules, now: number): Limited {
  if (desired > current) {
    // Until older scale-ups leave the period, no further growth.
    const limit = Math.max(scaleUpLimit(h, current, up, now), current);
    const [maximum, why] =
      max > limit
        ? [limit, { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }]
        : [max, { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }];
    if (desired > maximum) return { replicas: maximum, ...why };
  } else if (desired < current) {
    const limit = Math.min(scaleDownLimit(h, current, down, now), current);
    const [minimum, why] =
      min < limit
        ? [limit, { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }]
        : [min, { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }];
    if (desired < minimum) return { replicas: minimum, ...why };
  }
  return { replicas: desired, ...WITHIN_RANGE };
}

/** storeScaleEvent: remembers a rescale for the rate policies, reusing an entry older than the longest period. */
export function recordScale(h: ScaleHistory, up: ScalingRules, down: ScalingRules, from: number, to: number, now: number): void {
  const change = to - from;
  if (change === 0) return;
  const rules = change > 0 ? up : down;
  const events = change > 0 ? h.scaleUpEvents : h.scaleDownEvents;
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  for (const e of events) if (e.at < now - longest) e.outdated = true;
  const entry = { change: Math.abs(change), at: now, outdated: false };
  const reuse = events.findIndex((e) => e.outdated);
  if (reuse >= 0) events[reuse] = entry;
  else events.push(entry);
}
