// The agent's heartbeats, as the kubelet's: the node Lease in kube-node-lease is renewed every
// 10 s (the cheap liveness signal the node lifecycle controller watches), and the Node's status
// is posted when its conditions change or every 5 minutes otherwise.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import { microTime, realClock, sleep, type Clock, type Lease, type RestClient } from '../../client/index.ts';
import { conditionsChanged, type NodeCondition } from './machine-status.ts';
import { conditionsOf, NODES, nodeStatus, type NodeFacts } from './registration.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: NODE_LEASE_NAMESPACE } as const;

export interface HeartbeatOptions {
  client: RestClient;
  nodeName: string;
  /** Fresh facts about the node (machine snapshot, readiness) at each check. */
  facts: () => Promise<NodeFacts>;
  leaseDurationSeconds?: number;
  /** How often the Lease is renewed and the conditions looked at (10 s). */
  renewIntervalMs?: number;
  /** How often an unchanged status is posted anyway (5 min). */
  statusReportIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export function buildNodeLease(nodeName: string, nodeUid: string | undefined, leaseDurationSeconds: number, nowMs: number, resourceVersion?: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds, renewTime: microTime(nowMs) },
  };
}

export class NodeHeartbeat {
  readonly #o: Required<Omit<HeartbeatOptions, 'logger'>> & { logger?: Logger };
  #leaseResourceVersion: string | undefined;
  #lastReportMs = 0;
  #nodeUid: string | undefined;

  constructor(options: HeartbeatOptions) {
    this.#o = { leaseDurationSeconds: 40, renewIntervalMs: 10_000, statusReportIntervalMs: 300_000, clock: realClock, ...options };
  }

  /** Records the registered Node: its uid owns the Lease, and the report interval counts from now. */
  registered(node: KubeObject): void {
    this.#nodeUid = node.metadata.uid;
    this.#lastReportMs = this.#o.clock.now();
  }

  /** Renews the Lease, creating it when missing (the first time, or after someone deleted it). */
  async renewLease(signal?: AbortSignal): Promise<Lease> {
    const { client, nodeName, leaseDurationSeconds, clock } = this.#o;
    const opts = signal ? { signal } : {};
    if (this.#leaseResourceVersion !== undefined) {
      try {
        const lease = await client.update<Lease>({ ...LEASES, name: nodeName }, buildNodeLease(nodeName, this.#nodeUid, leaseDurationSeconds, clock.now(), this.#leaseResourceVersion), opts);
        this.#leaseResourceVersion = lease.metadata.resourceVersion;
        return lease;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    let existing: Lease | undefined;
    try {
      existing = await client.get<Lease>({ ...LEASES, name: nodeName }, opts);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const fresh = buildNodeLease(nodeName, this.#nodeUid, leaseDurationSeconds, clock.now(), existing?.metadata.resourceVersion);
    const lease = existing ? await client.update<Lease>({ ...LEASES, name: nodeName }, fresh, opts) : await client.create<Lease>(LEASES, fresh, opts);
    this.#leaseResourceVersion = lease.metadata.resourceVersion;
    return lease;
  }

  /**
   * Posts the Node status when its conditions differ from the Node's in the API or the report
   * interval passed; true when posted. As the kubelet, it compares with the API's Node, not with
   * what it last wrote itself: conditions someone else changed (the node lifecycle controller
   * marking them Unknown while this agent was cut off or frozen) are put right at the next check
   * rather than after the report interval (5 min), which would keep the node NotReady.
   */
  async syncStatus(signal?: AbortSignal): Promise<boolean> {
    const { client, nodeName, clock } = this.#o;
    const facts = await this.#o.facts();
    const opts = signal ? { signal } : {};
    const node = await client.get({ ...NODES, name: nodeName }, opts);
    const current = conditionsOf(node);
    const candidate = nodeStatus(facts, current)['conditions'] as NodeCondition[];
    const due = clock.now() - this.#lastReportMs >= this.#o.statusReportIntervalMs;
    if (!due && !conditionsChanged(candidate, current)) return false;
    node['status'] = { ...((node['status'] ?? {}) as object), ...nodeStatus(facts, current) };
    const written = await client.updateStatus({ ...NODES, name: nodeName }, node, opts);
    this.#nodeUid = written.metadata.uid;
    this.#lastReportMs = clock.now();
    return true;
  }

  /** Runs until the signal aborts; errors are logged and retried at the next tick. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.#o.logger;
    while (!signal.aborted) {
      try {
        await this.renewLease(signal);
      } catch (err) {
        if (signal.aborted) break;
        log?.warn({ err }, 'lease renewal failed');
      }
      try {
        await this.syncStatus(signal);
      } catch (err) {
        if (signal.aborted) break;
        log?.warn({ err }, 'node status update failed');
      }
      try {
        await sleep(this.#o.clock, this.#o.renewIntervalMs, signal);
      } catch {
        break;
      }
    }
  }
}
