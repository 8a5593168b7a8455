// One sync of one Deployment: the working copy the aspects (rolling, recreate, scaling, status)
// read and update, and the writes they share. Every write keeps the working copy current (its
// resourceVersion moves on), so a sync that writes status twice does not conflict with itself.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, Lister, RestClient } from '../../client/index.ts';
import type { ReplicaSet } from '../replicaset/index.ts';
import { isConflict } from '../../machinery/index.ts';
import { CONTROLLER_UID_INDEX, DEPLOYMENTS, isPodActive, REPLICA_SETS, type Pod } from '../util/index.ts';
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './annotations.ts';
import { maxSurge } from './fenceposts.ts';
import { rsReplicas } from './replica-set-util.ts';
import { deploymentReplicas, DESIRED_REPLICAS, MAX_REPLICAS, REVISION, type Deployment, type DeploymentStatus } from './types.ts';

export interface SyncDeps {
  client: RestClient;
  recorder: Pick<EventRecorder, 'event'>;
  replicaSets: Lister<ReplicaSet>;
  /** The pod cache, indexed by controller uid. */
  pods: Lister<Pod>;
  clock: Clock;
  logger?: Logger;
}

export const typedDeployment = (d: Deployment): Deployment => ({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' });
export const typedReplicaSet = (rs: ReplicaSet): ReplicaSet => ({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' });

export class SyncContext {
  /** The Deployment as this sync last wrote or read it; its status is what the API holds. */
  d: Deployment;
  readonly deps: SyncDeps;
  readonly signal: AbortSignal;
  /** Set when the Deployment must be looked at again later (progress deadline checks). */
  requeueAfter: number | undefined;
  /** The resourceVersions of the Deployment this sync's writes replaced. */
  readonly replaced: string[] = [];

  constructor(deps: SyncDeps, d: Deployment, signal: AbortSignal) {
    this.deps = deps;
    this.d = typedDeployment(d);
    this.signal = signal;
  }

  now(): number {
    return this.deps.clock.now();
  }

  get namespace(): string {
    return this.d.metadata.namespace ?? '';
  }

  /** A deep copy of the current status to build the next one from. */
  statusCopy(): DeploymentStatus {
    return structuredClone(this.d.status ?? {});
  }

  async writeStatus(status: DeploymentStatus): Promise<void> {
    const written = await this.deps.client.updateStatus<Deployment>({ ...DEPLOYMENTS, namespace: this.namespace }, { ...this.d, status }, { signal: this.signal });
    this.#replace(written);
  }

  /**
   * Records the revision of the new ReplicaSet on the Deployment. Upstream writes it with the
   * status; here /status keeps metadata as stored, so it is a patch of the Deployment itself,
   * conditional on the resourceVersion this sync works from. True when it changed.
   */
  async setRevision(revision: string): Promise<boolean> {
    if (this.d.metadata.annotations?.[REVISION] === revision) return false;
    const patch = { metadata: { resourceVersion: this.d.metadata.resourceVersion, annotations: { [REVISION]: revision } } };
    const written = await this.deps.client.patch<Deployment>({ ...DEPLOYMENTS, namespace: this.namespace, name: this.d.metadata.name ?? '' }, 'merge', patch, { signal: this.signal });
    this.#replace(written);
    return true;
  }

  #replace(written: Deployment): void {
    if (this.d.metadata.resourceVersion) this.replaced.push(this.d.metadata.resourceVersion);
    this.d = typedDeployment(written);
  }

  /** The active pods the cache holds for `rs` (terminating ones no longer count, as upstream's FilterActivePods). */
  livePods(rs: ReplicaSet): number {
    if (!rs.metadata.uid) return 0;
    return this.deps.pods.byIndex(CONTROLLER_UID_INDEX, rs.metadata.uid).filter(isPodActive).length;
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.deps.recorder.event(this.d, type, reason, message);
  }

  /** Scales `rs` to `size` and records ScalingReplicaSet; a no-op when it already has that size. */
  async scaleAndRecord(rs: ReplicaSet, size: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (rsReplicas(rs) === size) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, size, rsReplicas(rs) < size ? 'up' : 'down');
  }

  /** Writes spec.replicas and the desired/max replicas annotations when either is out of date. */
  async scaleReplicaSet(rs: ReplicaSet, size: number, operation: 'up' | 'down' | undefined): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const replicas = deploymentReplicas(this.d);
    const max = replicas + maxSurge(this.d);
    const resize = rsReplicas(rs) !== size;
    if (!resize && !replicasAnnotationsNeedUpdate(rs, replicas, max)) return { scaled: false, rs };
    const before = rsReplicas(rs);
    const copy = typedReplicaSet(structuredClone(rs));
    copy.spec = { ...(copy.spec ?? {}), replicas: size };
    setReplicasAnnotations(copy, replicas, max);
    const updated = await this.#updateReplicaSet(rs, copy);
    if (resize) this.event('Normal', 'ScalingReplicaSet', `Scaled ${operation ?? (before < size ? 'up' : 'down')} replica set ${rs.metadata.name ?? ''} from ${before} to ${size}`);
    return { scaled: resize, rs: typedReplicaSet(updated) };
  }

  /**
   * Updates a ReplicaSet from `copy` (made from `cached`). The ReplicaSet controller writes status
   * all the time, so a conflict usually means only that: if the fresh object still has the size
   * and replicas annotations this decision was based on, the change is made again on top of it.
   */
  async #updateReplicaSet(cached: ReplicaSet, copy: ReplicaSet): Promise<ReplicaSet> {
    const ref = { ...REPLICA_SETS, namespace: this.namespace };
    try {
      return await this.deps.client.update<ReplicaSet>(ref, copy, { signal: this.signal });
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await this.deps.client.get<ReplicaSet>({ ...ref, name: cached.metadata.name ?? '' }, { signal: this.signal });
      const same = (a: ReplicaSet, b: ReplicaSet): boolean =>
        a.metadata.uid === b.metadata.uid &&
        rsReplicas(a) === rsReplicas(b) &&
        a.metadata.annotations?.[DESIRED_REPLICAS] === b.metadata.annotations?.[DESIRED_REPLICAS] &&
        a.metadata.annotations?.[MAX_REPLICAS] === b.metadata.annotations?.[MAX_REPLICAS] &&
        !fresh.metadata.deletionTimestamp;
      if (!same(fresh, cached)) throw err;
      const retry = typedReplicaSet(structuredClone(fresh));
      retry.spec = { ...(retry.spec ?? {}), replicas: rsReplicas(copy) };
      retry.metadata.annotations = { ...(retry.metadata.annotations ?? {}), ...pick(copy, [DESIRED_REPLICAS, MAX_REPLICAS]) };
      return this.deps.client.update<ReplicaSet>(ref, retry, { signal: this.signal });
    }
  }
}

function pick(rs: ReplicaSet, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = rs.metadata.annotations?.[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
