// Zones and the pace of NoExecute tainting, as upstream's node lifecycle controller: nodes are
// grouped by region and zone labels; each zone has a state computed from its nodes' Ready
// conditions (Normal, PartialDisruption when at least 55% and more than two of them are not
// Ready, FullDisruption when none is) and a queue of nodes waiting for their NoExecute taint,
// drained by a token bucket (burst 1) whose rate follows the state: 0.1 nodes/s normally, 0.01
// (or nothing in clusters of 50 nodes or fewer) in a partially disrupted zone, and nothing at all
// while every zone is fully disrupted — then the control plane, not the nodes, is the likely fault.

import type { Clock } from '../../client/index.ts';
import type { Node } from './taints.ts';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';
const LABEL_ZONE_BETA = 'failure-domain.beta.kubernetes.io/zone';
const LABEL_REGION_BETA = 'failure-domain.beta.kubernetes.io/region';
/** Nodes with this label are left out of zone state computation. */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/** Upstream GetZoneKey: "" without zone labels, else region + ":\0:" + zone (beta labels first). */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels[LABEL_ZONE_BETA] ?? labels[LABEL_ZONE] ?? '';
  const region = labels[LABEL_REGION_BETA] ?? labels[LABEL_REGION] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** Upstream ComputeZoneState over the Ready statuses of a zone's nodes (undefined: no Ready condition). */
export function computeZoneState(readyStatuses: readonly (string | undefined)[], unhealthyThreshold: number): { unhealthy: number; state: ZoneState } {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return { unhealthy: notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return { unhealthy: notReady, state: 'PartialDisruption' };
  return { unhealthy: notReady, state: 'Normal' };
}

/** A token bucket of burst 1 on an injected clock; qps 0 never grants. */
export class TokenBucket {
  readonly #clock: Clock;
  #qps: number;
  #tokens: number;
  #last: number;

  constructor(clock: Clock, qps: number) {
    this.#clock = clock;
    this.#qps = qps;
    this.#tokens = qps > 0 ? 1 : 0;
    this.#last = clock.now();
  }

  get qps(): number {
    return this.#qps;
  }

  #refill(): void {
    const now = this.#clock.now();
    if (this.#qps > 0) this.#tokens = Math.min(1, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
  }

  tryAccept(): boolean {
    this.#refill();
    if (this.#qps <= 0 || this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Ms until tryAccept can succeed; undefined when it never will at this rate. */
  msUntilToken(): number | undefined {
    this.#refill();
    if (this.#qps <= 0) return undefined;
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#qps) * 1000);
  }

  /**
   * Upstream SwapLimiter: a new rate; a drained bucket (a stopped one counts as drained) stays
   * drained, so changing the rate never grants an extra token.
   */
  swap(qps: number): void {
    if (qps === this.#qps) return;
    this.#refill();
    const drained = this.#qps <= 0 || this.#tokens < 1;
    this.#qps = qps;
    this.#tokens = drained || qps <= 0 ? 0 : 1;
  }
}

interface Queued {
  uid: string;
  processAt: number;
}

/** Upstream's RateLimitedTimedQueue: nodes in arrival order, taken one per granted token. */
export class ZoneTainter {
  readonly limiter: TokenBucket;
  readonly #clock: Clock;
  readonly #queue = new Map<string, Queued>();

  constructor(clock: Clock, qps: number) {
    this.#clock = clock;
    this.limiter = new TokenBucket(clock, qps);
  }

  get size(): number {
    return this.#queue.size;
  }

  has(name: string): boolean {
    return this.#queue.has(name);
  }

  names(): string[] {
    return [...this.#queue.keys()];
  }

  /** Queues a node; false when it is queued already (its place is kept). */
  add(name: string, uid: string): boolean {
    if (this.#queue.has(name)) return false;
    this.#queue.set(name, { uid, processAt: this.#clock.now() });
    return true;
  }

  remove(name: string): boolean {
    return this.#queue.delete(name);
  }

  /**
   * Takes due nodes in order while the limiter grants tokens. `fn` returns true when the node
   * is done with, or the ms after which to try it again. Returns the ms until the queue can make
   * progress again, or undefined when it is empty or its rate is zero.
   */
  async process(fn: (name: string, uid: string) => Promise<true | number>): Promise<number | undefined> {
    for (;;) {
      const head = this.#due();
      if (!head) break;
      if (!this.limiter.tryAccept()) break;
      const [name, item] = head;
      const result = await fn(name, item.uid);
      // The node may have been removed (or re-added) while fn ran.
      if (this.#queue.get(name) !== item) continue;
      if (result === true) this.#queue.delete(name);
      else {
        this.#queue.delete(name);
        this.#queue.set(name, { uid: item.uid, processAt: this.#clock.now() + result + 1 });
      }
    }
    if (this.#queue.size === 0) return undefined;
    const token = this.limiter.msUntilToken();
    if (token === undefined) return undefined;
    const now = this.#clock.now();
    const nextDue = Math.min(...[...this.#queue.values()].map((q) => q.processAt));
    return Math.max(token, nextDue - now, 1);
  }

  #due(): [string, Queued] | undefined {
    const now = this.#clock.now();
    for (const entry of this.#queue) if (entry[1].processAt <= now) return entry;
    return undefined;
  }
}

export interface RateOptions {
  evictionQps: number;
  secondaryEvictionQps: number;
  largeClusterSizeThreshold: number;
}

/** The tainting rate for a zone of `size` nodes in `state` (upstream setLimiterInZone). */
export function rateFor(state: ZoneState, size: number, o: RateOptions): number {
  switch (state) {
    case 'PartialDisruption':
      return size > o.largeClusterSizeThreshold ? o.secondaryEvictionQps : 0;
    default:
      return o.evictionQps;
  }
}
