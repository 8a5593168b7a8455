// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: candidates
// compare-and-swap the Lease (resourceVersion) to take or renew it; a holder that has not renewed
// for leaseDuration (measured on the candidate's own clock since it last saw the record change)
// may be replaced. The leader renews every retryPeriod and steps down when it cannot renew within
// renewDeadline. Stopping releases the Lease so another candidate takes over at once.

import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { isConflict, isAlreadyExists, isNotFound } from '../machinery/status-error.ts';
import { realClock, sleep, type Clock } from './clock.ts';
import type { RestClient } from './rest-client.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** The Lease operations leader election needs; `update` must fail with Conflict on a stale resourceVersion. */
export interface LeaseClient {
  get(namespace: string, name: string): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  update(lease: Lease): Promise<Lease>;
}

const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;

export function restLeaseClient(client: RestClient): LeaseClient {
  return {
    async get(namespace, name) {
      try {
        return await client.get<Lease>({ ...LEASES, namespace, name });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) => client.create<Lease>({ ...LEASES, namespace: lease.metadata.namespace ?? '' }, lease),
    update: (lease) => client.update<Lease>({ ...LEASES }, lease),
  };
}

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
}

/** RFC 3339 with microseconds, the shape of metav1.MicroTime. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  readonly #config: Required<Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> & LeaderElectionConfig;
  readonly #leases: LeaseClient;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  #observed: { holder: string; renewTime: string; at: number } | undefined;
  #lease: Lease | undefined;
  #leading = false;

  constructor(config: LeaderElectionConfig, deps: { leases: LeaseClient; clock?: Clock; logger?: Logger }) {
    this.#config = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...config };
    if (this.#config.renewDeadlineMs >= this.#config.leaseDurationMs) throw new Error('renewDeadline must be shorter than leaseDuration');
    this.#leases = deps.leases;
    this.#clock = deps.clock ?? realClock;
    this.#logger = deps.logger;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** The holder last seen on the Lease ('' when none). */
  get observedLeader(): string {
    return this.#observed?.holder ?? '';
  }

  /** Campaigns until leading, leads until the Lease is lost or the signal aborts, then returns. */
  async run(signal: AbortSignal): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.#config;
    while (!signal.aborted && !(await this.#tryAcquireOrRenew())) {
      await sleep(this.#clock, retryPeriodMs, signal).catch(() => undefined);
    }
    if (signal.aborted) return;
    this.#leading = true;
    const leadership = new AbortController();
    const stopLeading = (): void => leadership.abort();
    signal.addEventListener('abort', stopLeading, { once: true });
    Promise.resolve()
      .then(() => this.#config.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.#logger?.error({ err }, 'onStartedLeading failed'));
    let lastRenew = this.#clock.now();
    while (!signal.aborted) {
      await sleep(this.#clock, retryPeriodMs, signal).catch(() => undefined);
      if (signal.aborted) break;
      if (await this.#tryAcquireOrRenew()) {
        lastRenew = this.#clock.now();
      } else if (this.observedLeader !== this.#config.identity || this.#clock.now() - lastRenew >= renewDeadlineMs) {
        this.#logger?.warn({ lease: `${this.#config.namespace}/${this.#config.name}` }, 'leader election lost');
        break;
      }
    }
    signal.removeEventListener('abort', stopLeading);
    leadership.abort();
    this.#leading = false;
    if (signal.aborted) await this.#release();
    this.#config.onStoppedLeading?.();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.#config;
    const now = this.#clock.now();
    const durationSeconds = Math.ceil(this.#config.leaseDurationMs / 1000);
    try {
      const current = await this.#leases.get(namespace, name);
      if (!current) {
        const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
        this.#lease = await this.#leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace, name }, spec });
        this.#observe(spec, now);
        return true;
      }
      const spec = current.spec ?? {};
      this.#observe(spec, now);
      const holder = spec.holderIdentity ?? '';
      const leaseMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (holder && holder !== identity && this.#observed!.at + leaseMs > now) return false;
      const next: LeaseSpec = {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: holder === identity ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      };
      this.#lease = await this.#leases.update({ ...current, spec: next });
      this.#observe(next, now);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.#logger?.warn({ err }, 'leader election: lease update failed');
      return false;
    }
  }

  #observe(spec: LeaseSpec, now: number): void {
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ?? '';
    if (this.#observed?.holder === holder && this.#observed.renewTime === renewTime) return;
    if (this.#observed?.holder !== holder && holder) this.#config.onNewLeader?.(holder);
    this.#observed = { holder, renewTime, at: now };
  }

  /** Gives the Lease up so the next candidate need not wait for it to expire. */
  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease || lease.spec?.holderIdentity !== this.#config.identity) return;
    const now = microTime(this.#clock.now());
    try {
      const { holderIdentity: _released, ...spec } = lease.spec;
      await this.#leases.update({ ...lease, spec: { ...spec, leaseDurationSeconds: 1, renewTime: now } });
    } catch (err) {
      this.#logger?.warn({ err }, 'leader election: release failed');
    }
  }
}
