// The node-side writes of a simulated kubelet: registration (create the Node, or take over the
// one already there as a restarted kubelet does), the Lease renewal (an update of the Lease last
// written, re-read on conflict, re-created when gone), the periodic status report (a merge patch
// of the conditions with fresh heartbeats) and, for --delete-on-exit, removal.

import { isAlreadyExists, isConflict, isNotFound } from '../../../machinery/index.ts';
import type { Clock, Lease, RestClient } from '../../../client/index.ts';
import type { HeartbeatApi } from './heartbeats.ts';
import { buildLease, buildNode, nodeConditions, nodeLabels, nodeStatus } from './node-object.ts';
import type { SimConfig } from './options.ts';
import type { SimNode } from './sim-node.ts';
import { LEASES, NODE_LEASE_NAMESPACE, NODES, type Node } from './types.ts';

/** The field manager upstream's kubelet writes as. */
export const FIELD_MANAGER = 'kubelet';
const WRITE = { fieldManager: FIELD_MANAGER } as const;

export class NodeApi implements HeartbeatApi<SimNode> {
  readonly #client: RestClient;
  readonly #config: SimConfig;
  readonly #clock: Clock;
  readonly #cached: (name: string) => Node | undefined;

  /** `cached` reads the node informer's copy of a Node (for its conditions' transition times). */
  constructor(client: RestClient, config: SimConfig, clock: Clock, cached: (name: string) => Node | undefined) {
    this.#client = client;
    this.#config = config;
    this.#clock = clock;
    this.#cached = cached;
  }

  /** Creates or takes over the Node and returns its podCIDR (an existing node keeps its own). */
  async registerNode(node: SimNode): Promise<string> {
    const id = node.identity;
    const wanted = buildNode(this.#config, id, this.#clock.now(), node.bootId);
    let current: Node;
    try {
      current = await this.#client.create<Node>(NODES, wanted, WRITE);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.#client.get<Node>({ ...NODES, name: id.name });
      const podCIDR = existing.spec?.podCIDR;
      current = await this.#client.patch<Node>({ ...NODES, name: id.name }, 'merge', {
        metadata: { labels: nodeLabels(this.#config, id) },
        ...(podCIDR ? {} : { spec: { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] } }),
      }, WRITE);
    }
    node.uid = current.metadata.uid ?? '';
    // The server may drop status on create (it has a status subresource): post it in full then.
    const posted = current.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    if (!posted || current.status?.['nodeInfo'] === undefined || (current.status['nodeInfo'] as { bootID?: string }).bootID !== node.bootId) {
      const status = nodeStatus(this.#config, id, this.#clock.now(), node.bootId, current.status?.conditions);
      await this.#client.patch({ ...NODES, name: id.name }, 'merge', { status }, { ...WRITE, subresource: 'status' });
    }
    return current.spec?.podCIDR ?? id.podCIDR;
  }

  /** Renews the Lease (creating it the first time or after it went away). */
  async renewLease(node: SimNode): Promise<void> {
    const now = this.#clock.now();
    if (node.leaseResourceVersion) {
      try {
        const lease = buildLease(node.name, node.uid, this.#config.leaseDurationSeconds, now, node.leaseResourceVersion);
        node.leaseResourceVersion = (await this.#client.update<Lease>(LEASES, lease, WRITE)).metadata.resourceVersion ?? '';
        return;
      } catch (err) {
        // Someone else wrote it, or it went away: read it back and go on from there.
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    const ref = { ...LEASES, namespace: NODE_LEASE_NAMESPACE, name: node.name };
    let existing: Lease | undefined;
    try {
      existing = await this.#client.get<Lease>(ref);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const fresh = buildLease(node.name, node.uid, this.#config.leaseDurationSeconds, now, existing?.metadata.resourceVersion);
    const written = existing
      ? await this.#client.update<Lease>(LEASES, fresh, WRITE)
      : await this.#client.create<Lease>({ ...LEASES, namespace: NODE_LEASE_NAMESPACE }, fresh, WRITE);
    node.leaseResourceVersion = written.metadata.resourceVersion ?? '';
  }

  /** Posts the conditions with a fresh heartbeat. */
  async postStatus(node: SimNode): Promise<void> {
    const previous = this.#cached(node.name)?.status?.conditions;
    await this.#client.patch({ ...NODES, name: node.name }, 'merge', { status: { conditions: nodeConditions(this.#clock.now(), previous) } }, { ...WRITE, subresource: 'status' });
  }

  /** Deletes the node's Lease and Node (either may be gone already). */
  async deleteNode(node: SimNode): Promise<void> {
    for (const ref of [{ ...LEASES, namespace: NODE_LEASE_NAMESPACE, name: node.name }, { ...NODES, name: node.name }]) {
      try {
        await this.#client.delete(ref);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
