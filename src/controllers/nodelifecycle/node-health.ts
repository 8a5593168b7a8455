// Whether a node's kubelet is still alive, as upstream's tryUpdateNodeHealth judges it: the
// controller remembers, per node, when it last saw a heartbeat change — a new lastHeartbeatTime
// on the Ready condition or a newer renewTime on the node's Lease in kube-node-lease — on its own
// clock (so skew between machines does not matter). A node silent for longer than the grace
// period (40 s; 60 s for a node that never posted a Ready condition) gets Ready, MemoryPressure,
// DiskPressure and PIDPressure set to Unknown.

import type { KubeObject } from '../../api/types.ts';
import { metaTime } from '../util/conditions.ts';
import { nodeCondition, type Node, type NodeCondition } from './taints.ts';

/** Conditions the controller turns Unknown when the kubelet goes silent (NetworkUnavailable belongs to the network). */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export interface Lease extends KubeObject {
  spec?: { renewTime?: string; holderIdentity?: string };
}

interface Health {
  /** The Ready condition last seen (its heartbeat and transition times tell changes). */
  ready: NodeCondition | undefined;
  /** When (controller clock) a heartbeat last changed. */
  probeTimestamp: number;
  /** When (controller clock) the Ready condition last changed status. */
  readyTransitionTimestamp: number;
  leaseRenewMs: number | undefined;
}

export interface Observation {
  /** The Ready condition as the node carries it (a stand-in Unknown one when it has none). */
  observed: NodeCondition;
  gracePeriodMs: number;
  /** Whether the kubelet has been silent past the grace period. */
  silent: boolean;
}

export interface HealthOptions {
  gracePeriodMs: number;
  startupGracePeriodMs: number;
}

const parse = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

export class NodeHealthTracker {
  readonly #health = new Map<string, Health>();
  readonly #o: HealthOptions;

  constructor(options: HealthOptions) {
    this.#o = options;
  }

  /** Records what the node and its Lease show now and says whether the kubelet went silent. */
  observe(node: Node, lease: Lease | undefined, nowMs: number): Observation {
    const name = node.metadata.name ?? '';
    const ready = nodeCondition(node, 'Ready');
    let h = this.#health.get(name);
    let observed: NodeCondition;
    let gracePeriodMs: number;
    if (!ready) {
      // Never posted: pretend an Unknown condition from the node's creation, under the startup grace period.
      const created = node.metadata.creationTimestamp ?? metaTime(nowMs);
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created };
      gracePeriodMs = this.#o.startupGracePeriodMs;
      if (!h) {
        const at = Number.isFinite(parse(created)) ? parse(created) : nowMs;
        h = { ready: undefined, probeTimestamp: at, readyTransitionTimestamp: at, leaseRenewMs: undefined };
      } else h = { ...h, ready: undefined };
    } else {
      observed = { ...ready };
      gracePeriodMs = this.#o.gracePeriodMs;
      const saved = h?.ready;
      if (!h || !saved) {
        h = { ready, probeTimestamp: nowMs, readyTransitionTimestamp: nowMs, leaseRenewMs: h?.leaseRenewMs };
      } else if (saved.lastHeartbeatTime !== ready.lastHeartbeatTime) {
        const transition = saved.lastTransitionTime !== ready.lastTransitionTime ? nowMs : h.readyTransitionTimestamp;
        h = { ready, probeTimestamp: nowMs, readyTransitionTimestamp: transition, leaseRenewMs: h.leaseRenewMs };
      } else {
        h = { ...h, ready };
      }
    }
    // A renewed Lease is a heartbeat even when the node status is old.
    const renew = parse(lease?.spec?.renewTime);
    if (Number.isFinite(renew) && (h.leaseRenewMs === undefined || renew > h.leaseRenewMs)) {
      h = { ...h, leaseRenewMs: renew, probeTimestamp: nowMs };
    }
    this.#health.set(name, h);
    return { observed, gracePeriodMs, silent: nowMs > h.probeTimestamp + gracePeriodMs };
  }

  /** After the controller itself wrote the node's conditions: remember them without counting a heartbeat. */
  wrote(node: Node, nowMs: number): void {
    const h = this.#health.get(node.metadata.name ?? '');
    if (h) this.#health.set(node.metadata.name ?? '', { ...h, ready: nodeCondition(node, 'Ready'), readyTransitionTimestamp: nowMs });
  }

  /** Leaving full disruption: every node gets a fresh grace period (upstream resets the probe timestamps). */
  resetAll(nowMs: number): void {
    for (const [name, h] of this.#health) this.#health.set(name, { ...h, probeTimestamp: nowMs, readyTransitionTimestamp: nowMs });
  }

  forget(name: string): void {
    this.#health.delete(name);
  }

  has(name: string): boolean {
    return this.#health.has(name);
  }
}

/**
 * The node's conditions with the kubelet's ones turned Unknown (missing ones added as never
 * updated), or undefined when they already are.
 */
export function unknownConditions(node: Node, nowMs: number): NodeCondition[] | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  const now = metaTime(nowMs);
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    const c = i >= 0 ? conditions[i] : undefined;
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      conditions[i] = { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
