// The node health monitor (upstream's monitorNodeHealth and handleDisruption): every monitor
// period it looks at every node — registers new ones, forgets deleted ones, turns the conditions
// of silent ones Unknown, queues NotReady/unreachable nodes for their NoExecute taint (or removes
// it from nodes that are Ready again), marks the pods of a node that just stopped being Ready as
// not Ready — and then recomputes each zone's state and tainting rate. The taint pass drains the
// zones' queues at those rates.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import type { Clock, EventRecorder, Lister } from '../../client/index.ts';
import { isConflict } from '../../machinery/status-error.ts';
import type { Pod } from '../util/pods.ts';
import { NODES } from '../util/refs.ts';
import { NodeHealthTracker, unknownConditions, type Lease } from './node-health.ts';
import type { NodeClient, NodeWriter } from './node-writer.ts';
import type { ResolvedNodeLifecycleOptions } from './options.ts';
import { hasTaint, nodeCondition, NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE, type Node, type NodeCondition } from './taints.ts';
import { computeZoneState, LABEL_EXCLUDE_DISRUPTION, rateFor, zoneKey, ZoneTainter, type ZoneState } from './zones.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const HEALTH_UPDATE_ATTEMPTS = 5;

export interface MonitorDeps {
  client: Pick<NodeClient, 'get'>;
  nodes: Lister<Node>;
  leases: Lister<Lease>;
  podsOnNode(nodeName: string): Pod[];
  writer: NodeWriter;
  recorder?: EventRecorder | undefined;
  clock: Clock;
  options: ResolvedNodeLifecycleOptions;
  logger?: Logger | undefined;
}

const nodeRef = (name: string, uid: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid } });

export class NodeMonitor {
  readonly health: NodeHealthTracker;
  readonly #d: MonitorDeps;
  readonly #zoneStates = new Map<string, ZoneState>();
  readonly #tainters = new Map<string, ZoneTainter>();
  /** Nodes registered with the controller: name → uid. */
  readonly #known = new Map<string, string>();
  /** Nodes whose pods could not all be marked not Ready; tried again next pass. */
  readonly #retry = new Set<string>();

  constructor(deps: MonitorDeps) {
    this.#d = deps;
    this.health = new NodeHealthTracker({ gracePeriodMs: deps.options.nodeMonitorGracePeriodMs, startupGracePeriodMs: deps.options.nodeStartupGracePeriodMs });
  }

  zoneState(zone: string): ZoneState | undefined {
    return this.#zoneStates.get(zone);
  }

  /** The tainting queue of a zone (made with the normal rate the first time a zone is seen). */
  tainter(zone: string): ZoneTainter {
    let t = this.#tainters.get(zone);
    if (!t) this.#tainters.set(zone, (t = new ZoneTainter(this.#d.clock, this.#d.options.evictionQps)));
    return t;
  }

  /** Whether some node waits for its NoExecute taint. */
  get tainting(): boolean {
    return [...this.#tainters.values()].some((t) => t.size > 0);
  }

  async pass(signal: AbortSignal): Promise<void> {
    const { recorder, logger } = this.#d;
    const nodes = this.#d.nodes.list();
    const present = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      this.tainter(zoneKey(node));
      if (this.#known.has(name)) continue;
      void recorder?.event(nodeRef(name, node.metadata.uid ?? ''), 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      this.#known.set(name, node.metadata.uid ?? '');
      // A node the controller meets (also after a restart) starts without NoExecute taints; they come back through the queue at the zone's pace.
      await this.#markReachable(node, signal);
    }
    for (const [name, uid] of this.#known) {
      if (present.has(name)) continue;
      void recorder?.event(nodeRef(name, uid), 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
      this.#known.delete(name);
      this.health.forget(name);
      this.#retry.delete(name);
      for (const t of this.#tainters.values()) t.remove(name);
    }

    const zoneReady = new Map<string, (string | undefined)[]>();
    for (const cached of nodes) {
      const name = cached.metadata.name ?? '';
      let result: { node: Node; observed: NodeCondition; current: NodeCondition | undefined };
      try {
        result = await this.#updateHealth(cached, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        logger?.warn({ err, node: name }, 'could not update node health');
        continue;
      }
      const { node, observed, current } = result;
      if (node.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION] === undefined) {
        const zone = zoneKey(node);
        zoneReady.set(zone, [...(zoneReady.get(zone) ?? []), current?.status]);
      }
      if (!current) continue;
      await this.#taintBasedEviction(node, current.status, signal);
      const becameNotReady = current.status !== 'True' && observed.status === 'True';
      if (becameNotReady) void recorder?.event(nodeRef(name, node.metadata.uid ?? ''), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      if (becameNotReady || (this.#retry.has(name) && current.status !== 'True')) {
        try {
          await this.#d.writer.markPodsNotReady(this.#d.podsOnNode(name), name, signal);
        } catch (err) {
          logger?.warn({ err, node: name }, 'could not mark all pods of the node not ready; will retry');
          this.#retry.add(name);
          continue;
        }
      }
      this.#retry.delete(name);
    }
    await this.#handleDisruption(zoneReady, nodes, signal);
  }

  /** Upstream tryUpdateNodeHealth with its retries: a conflict means the kubelet may just have posted, so judge the fresh node again. */
  async #updateHealth(cached: Node, signal: AbortSignal): Promise<{ node: Node; observed: NodeCondition; current: NodeCondition | undefined }> {
    let node = cached;
    const name = node.metadata.name ?? '';
    for (let attempt = 0; ; attempt++) {
      const now = this.#d.clock.now();
      const obs = this.health.observe(node, this.#d.leases.get(NODE_LEASE_NAMESPACE, name), now);
      const conditions = obs.silent ? unknownConditions(node, now) : undefined;
      if (!conditions) return { node, observed: obs.observed, current: nodeCondition(node, 'Ready') };
      try {
        const written = await this.#d.writer.writeConditions(node, conditions, signal);
        if (!written) return { node, observed: obs.observed, current: nodeCondition(node, 'Ready') };
        this.health.wrote(written, now);
        return { node: written, observed: obs.observed, current: nodeCondition(written, 'Ready') };
      } catch (err) {
        if (!isConflict(err) || attempt + 1 >= HEALTH_UPDATE_ATTEMPTS) throw err;
        node = await this.#d.client.get<Node>({ ...NODES, name }, { signal });
      }
    }
  }

  /** Upstream processTaintBaseEviction: queue the NoExecute taint, swap it at once when the other one is on, or remove both when Ready. */
  async #taintBasedEviction(node: Node, status: string, signal: AbortSignal): Promise<void> {
    const name = node.metadata.name ?? '';
    const tainter = this.tainter(zoneKey(node));
    if (status === 'False') {
      if (hasTaint(node, UNREACHABLE_NO_EXECUTE)) await this.#d.writer.swapTaints(node, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], signal);
      else if (!hasTaint(node, NOT_READY_NO_EXECUTE)) tainter.add(name, node.metadata.uid ?? '');
    } else if (status === 'Unknown') {
      if (hasTaint(node, NOT_READY_NO_EXECUTE)) await this.#d.writer.swapTaints(node, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], signal);
      else if (!hasTaint(node, UNREACHABLE_NO_EXECUTE)) tainter.add(name, node.metadata.uid ?? '');
    } else if (status === 'True') {
      await this.#markReachable(node, signal);
    }
  }

  /** Upstream markNodeAsReachable: no NoExecute taint of ours, and out of the queue. */
  async #markReachable(node: Node, signal: AbortSignal): Promise<void> {
    if (hasTaint(node, UNREACHABLE_NO_EXECUTE) || hasTaint(node, NOT_READY_NO_EXECUTE)) {
      await this.#d.writer.swapTaints(node, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE], signal);
    }
    this.tainter(zoneKey(node)).remove(node.metadata.name ?? '');
  }

  /** Upstream handleDisruption: zone states and their tainting rates, and the all-zones-down safety stop. */
  async #handleDisruption(zoneReady: Map<string, (string | undefined)[]>, nodes: readonly Node[], signal: AbortSignal): Promise<void> {
    const o = this.#d.options;
    const next = new Map<string, ZoneState>();
    let allAreFull = true;
    for (const [zone, statuses] of zoneReady) {
      const { state } = computeZoneState(statuses, o.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFull = false;
      next.set(zone, state);
      if (!this.#zoneStates.has(zone)) this.#zoneStates.set(zone, 'Initial');
    }
    let allWereFull = true;
    for (const [zone, state] of this.#zoneStates) {
      if (!zoneReady.has(zone)) this.#zoneStates.delete(zone);
      else if (state !== 'FullDisruption') allWereFull = false;
    }
    if (allAreFull && allWereFull) return;
    const setRate = (zone: string, state: ZoneState): void => this.tainter(zone).limiter.swap(rateFor(state, zoneReady.get(zone)?.length ?? 0, o));
    if (allAreFull) {
      this.#d.logger?.info('all nodes are not Ready: entering full disruption mode, no NoExecute tainting');
      for (const node of nodes) await this.#markReachable(node, signal);
      for (const t of this.#tainters.values()) t.limiter.swap(0);
      for (const zone of this.#zoneStates.keys()) this.#zoneStates.set(zone, 'FullDisruption');
      return;
    }
    if (allWereFull) {
      this.#d.logger?.info('some nodes are Ready again: leaving full disruption mode');
      this.health.resetAll(this.#d.clock.now());
    }
    for (const [zone, old] of this.#zoneStates) {
      const state = next.get(zone) ?? 'Normal';
      if (old === state && !allWereFull) continue;
      this.#d.logger?.info({ zone, state }, 'zone state changed');
      setRate(zone, state);
      this.#zoneStates.set(zone, state);
    }
  }

  /** Gives the queued nodes their NoExecute taint as the zones' rates allow; returns when to come back. */
  async taintPass(signal: AbortSignal): Promise<number | undefined> {
    let wait: number | undefined;
    for (const tainter of [...this.#tainters.values()]) {
      const w = await tainter.process(async (name) => {
        const node = this.#d.nodes.get(undefined, name);
        const status = node && nodeCondition(node, 'Ready')?.status;
        // Gone, or Ready again meanwhile: nothing to taint.
        if (!node || (status !== 'False' && status !== 'Unknown')) return true;
        const [add, opposite] = status === 'False' ? [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE] : [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
        try {
          await this.#d.writer.swapTaints(node, [add], [opposite], signal);
          return true;
        } catch (err) {
          this.#d.logger?.warn({ err, node: name }, 'could not taint node; will retry');
          return 50;
        }
      });
      if (w !== undefined) wait = wait === undefined ? w : Math.min(wait, w);
    }
    return wait;
  }
}
