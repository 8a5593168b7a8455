// Cluster events that may make an unschedulable pod schedulable (upstream framework.ClusterEvent):
// a resource and an action bit set. Plugins register the events that can resolve their rejections
// (EventsToRegister) with an optional queueing hint; the queue moves a pod only when an event a
// rejecting plugin registered arrives and its hint says Queue. Updates are classified by what
// changed, so a node heartbeat (conditions only) wakes nothing that waits for cpu.

import type { Node, Pod } from '../api-types.ts';
import type { PodInfo } from './pod-info.ts';

export const ActionType = {
  Add: 1 << 0,
  Delete: 1 << 1,
  UpdateNodeAllocatable: 1 << 2,
  UpdateNodeLabel: 1 << 3,
  /** Taints or spec.unschedulable. */
  UpdateNodeTaint: 1 << 4,
  UpdateNodeCondition: 1 << 5,
  UpdateNodeAnnotation: 1 << 6,
  UpdatePodLabel: 1 << 7,
  UpdatePodScaleDown: 1 << 8,
  UpdatePodToleration: 1 << 9,
  UpdatePodSchedulingGatesEliminated: 1 << 10,
  /** Any other change (spec fields without a dedicated bit). */
  UpdateOther: 1 << 11,
  Update: ((1 << 12) - 1) & ~3,
  All: (1 << 12) - 1,
} as const;

export type EventResource =
  | 'Pod'
  | 'AssignedPod'
  | 'UnscheduledPod'
  | 'Node'
  | 'PersistentVolume'
  | 'PersistentVolumeClaim'
  | 'StorageClass'
  | 'PodDisruptionBudget'
  | '*';

export interface ClusterEvent {
  resource: EventResource;
  actionType: number;
  /** Names the event in logs (e.g. "NodeAdd"). */
  label?: string;
}

export const QueueingHint = { Skip: 0, Queue: 1 } as const;
export type QueueingHint = (typeof QueueingHint)[keyof typeof QueueingHint];

/** Decides whether `event` may make `pod` schedulable for the plugin that registered it. */
export type QueueingHintFn = (pod: PodInfo, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  hint?: QueueingHintFn;
}

export const WILDCARD_EVENT: ClusterEvent = { resource: '*', actionType: ActionType.All, label: 'WildCard' };
export const UNSCHEDULABLE_TIMEOUT: ClusterEvent = { resource: '*', actionType: ActionType.All, label: 'UnschedulableTimeout' };
export const FORCE_ACTIVATE: ClusterEvent = { resource: '*', actionType: ActionType.All, label: 'ForceActivate' };

/** Does a registered event cover an incoming one? "Pod" covers assigned and unscheduled pods. */
export function eventMatches(registered: ClusterEvent, incoming: ClusterEvent): boolean {
  if (incoming.resource === '*') return registered.resource === '*';
  if (registered.resource === '*') return (registered.actionType & incoming.actionType) !== 0;
  const sameResource =
    registered.resource === incoming.resource || (registered.resource === 'Pod' && (incoming.resource === 'AssignedPod' || incoming.resource === 'UnscheduledPod'));
  return sameResource && (registered.actionType & incoming.actionType) !== 0;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

function conditionsKey(node: Node): string {
  return (node.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',');
}

/** The action bits of a Node update (upstream nodeSchedulingPropertiesChange). */
export function nodeUpdateActions(oldNode: Node, newNode: Node): number {
  let a = 0;
  if (json(oldNode.status?.allocatable) !== json(newNode.status?.allocatable)) a |= ActionType.UpdateNodeAllocatable;
  if (json(oldNode.metadata.labels) !== json(newNode.metadata.labels)) a |= ActionType.UpdateNodeLabel;
  if (json(oldNode.spec?.taints) !== json(newNode.spec?.taints) || !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) {
    a |= ActionType.UpdateNodeTaint;
  }
  if (conditionsKey(oldNode) !== conditionsKey(newNode)) a |= ActionType.UpdateNodeCondition;
  if (json(oldNode.metadata.annotations) !== json(newNode.metadata.annotations)) a |= ActionType.UpdateNodeAnnotation;
  return a;
}

/** The action bits of a Pod update; `oldInfo`/`newInfo` carry the parsed requests. */
export function podUpdateActions(oldInfo: PodInfo, newInfo: PodInfo): number {
  const o: Pod = oldInfo.pod;
  const n: Pod = newInfo.pod;
  let a = 0;
  if (json(o.metadata.labels) !== json(n.metadata.labels)) a |= ActionType.UpdatePodLabel;
  const or = oldInfo.requests;
  const nr = newInfo.requests;
  if (nr.milliCPU < or.milliCPU || nr.memory < or.memory || nr.ephemeralStorage < or.ephemeralStorage) a |= ActionType.UpdatePodScaleDown;
  if (json(o.spec?.tolerations) !== json(n.spec?.tolerations)) a |= ActionType.UpdatePodToleration;
  if ((o.spec?.schedulingGates?.length ?? 0) > 0 && (n.spec?.schedulingGates?.length ?? 0) === 0) a |= ActionType.UpdatePodSchedulingGatesEliminated;
  if (a === 0 && json(o.spec) !== json(n.spec)) a |= ActionType.UpdateOther;
  return a;
}
