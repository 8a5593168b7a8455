// Heartbeats of every simulated node from one scheduler: Lease renewals every renew interval and
// status reports every node-status-update-frequency, each node at its own phase of the interval
// (index × golden ratio, so any number of nodes spreads evenly and renewals never bunch up after
// a burst of registrations), fixed-rate so the phase holds, written through the WritePacer. A
// failed node simply drops out of the schedule — its Lease ages and its status goes stale, as a
// real outage looks — and a recovered one beats at once, then rejoins its phase.

import type { Logger } from 'pino';
import type { Clock } from '../../../client/index.ts';
import { DueQueue } from './due-queue.ts';
import { PRIORITY, type WritePacer } from './write-pacer.ts';

export interface HeartbeatNode {
  readonly name: string;
  /** Position of the node among all nodes; sets its phase. */
  readonly index: number;
}

/** The writes a heartbeat makes; errors are retried with back-off. */
export interface HeartbeatApi<N extends HeartbeatNode> {
  renewLease(node: N): Promise<void>;
  postStatus(node: N): Promise<void>;
}

export interface HeartbeatTiming {
  leaseRenewIntervalMs: number;
  nodeStatusUpdateFrequencyMs: number;
}

const GOLDEN = 0.6180339887498949;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 8_000;

type Kind = 'lease' | 'status';

export class Heartbeats<N extends HeartbeatNode> {
  readonly #clock: Clock;
  readonly #pacer: WritePacer;
  readonly #api: HeartbeatApi<N>;
  readonly #timing: HeartbeatTiming;
  readonly #logger: Logger | undefined;
  readonly #beating = new Set<N>();
  readonly #failures = new Map<N, number>();
  readonly #queues: Record<Kind, DueQueue<N>>;
  #renewals = 0;
  #errors = 0;

  constructor(deps: { clock: Clock; pacer: WritePacer; api: HeartbeatApi<N>; logger?: Logger | undefined }, timing: HeartbeatTiming) {
    this.#clock = deps.clock;
    this.#pacer = deps.pacer;
    this.#api = deps.api;
    this.#logger = deps.logger;
    this.#timing = timing;
    this.#queues = {
      lease: new DueQueue<N>(this.#clock, (n) => this.#beat(n, 'lease')),
      status: new DueQueue<N>(this.#clock, (n) => this.#beat(n, 'status')),
    };
  }

  /** Lease renewals that succeeded, and heartbeat writes that failed. */
  get stats(): { renewals: number; errors: number } {
    return { renewals: this.#renewals, errors: this.#errors };
  }

  isBeating(node: N): boolean {
    return this.#beating.has(node);
  }

  /** When the node's next Lease renewal is due (undefined when it does not beat). */
  nextRenewal(node: N): number | undefined {
    return this.#queues.lease.dueAt(node);
  }

  /** Starts beating for a node whose Lease and status were just written. */
  add(node: N): void {
    this.#beating.add(node);
    const now = this.#clock.now();
    this.#queues.lease.schedule(node, this.#aligned(node, 'lease', now + this.#interval('lease') / 2));
    this.#queues.status.schedule(node, this.#aligned(node, 'status', now + this.#interval('status') / 2));
  }

  /** Stops beating: nothing more is written for the node (a write in flight still lands). */
  stop(node: N): void {
    this.#beating.delete(node);
    this.#failures.delete(node);
    this.#queues.lease.cancel(node);
    this.#queues.status.cancel(node);
  }

  /** Resumes a stopped node: Lease and status now, then its usual phase. */
  resume(node: N): void {
    this.#beating.add(node);
    const now = this.#clock.now();
    this.#queues.lease.schedule(node, now);
    this.#queues.status.schedule(node, now);
  }

  close(): void {
    this.#queues.lease.close();
    this.#queues.status.close();
    this.#beating.clear();
  }

  #interval(kind: Kind): number {
    return kind === 'lease' ? this.#timing.leaseRenewIntervalMs : this.#timing.nodeStatusUpdateFrequencyMs;
  }

  /** The first time after `after` that falls on the node's phase of the interval. */
  #aligned(node: N, kind: Kind, after: number): number {
    const interval = this.#interval(kind);
    const offset = ((node.index * GOLDEN) % 1) * interval;
    return offset + (Math.floor((after - offset) / interval) + 1) * interval;
  }

  #beat(node: N, kind: Kind): void {
    if (!this.#beating.has(node)) return;
    const due = this.#clock.now();
    const write = kind === 'lease' ? () => this.#api.renewLease(node) : () => this.#api.postStatus(node);
    this.#pacer.run(kind === 'lease' ? PRIORITY.lease : PRIORITY.node, write).then(
      () => {
        if (kind === 'lease') this.#renewals++;
        this.#failures.delete(node);
        if (!this.#beating.has(node)) return;
        const now = this.#clock.now();
        this.#queues[kind].schedule(node, this.#aligned(node, kind, Math.max(due + this.#interval(kind) / 2, now)));
      },
      (err: unknown) => {
        if (!this.#beating.has(node)) return;
        this.#errors++;
        const failures = (this.#failures.get(node) ?? 0) + 1;
        this.#failures.set(node, failures);
        const retry = Math.min(RETRY_MIN_MS * 2 ** (failures - 1), RETRY_MAX_MS);
        this.#logger?.warn({ err, node: node.name, kind, retryMs: retry }, 'heartbeat write failed');
        this.#queues[kind].schedule(node, this.#clock.now() + retry);
      },
    );
  }
}
