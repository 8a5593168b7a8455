// The ReplicaSet / ReplicationController reconciler (upstream's syncReplicaSet): claim the active
// pods the selector matches (adopt orphans, release what no longer matches), create or delete pods
// toward spec.replicas when no earlier writes are still unobserved, then write status. Creates go
// in slow-start batches of at most burstReplicas per sync; the expectations keep a sync that runs
// on a cache that has not yet seen this controller's own writes from acting on it twice.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, Lister, RestClient } from '../../client/index.ts';
import { objectKey, splitKey } from '../../client/index.ts';
import { isAlreadyExists, isConflict, isNotFound, type LabelSelector } from '../../machinery/index.ts';
import type { Reconciler, Result } from '../runtime/index.ts';
import {
  claimObjects,
  CONTROLLER_UID_INDEX,
  controllerOf,
  isPodActive,
  PODS,
  podFromTemplate,
  slowStartBatch,
  SLOW_START_INITIAL_BATCH,
  type Pod,
} from '../util/index.ts';
import { podsToDelete } from './deletion-order.ts';
import { typed, type ReplicaKind } from './kinds.ts';
import { OwnWrites } from './own-writes.ts';
import type { PodExpectations } from './pod-expectations.ts';
import { calculateStatus, errorMessage, nextAvailableInMs, statusUpToDate } from './status.ts';
import { specReplicas, type Replicated } from './types.ts';

/** Upstream's BurstReplicas: the most pods one sync creates or deletes. */
export const BURST_REPLICAS = 500;

/** How often a pod create is tried when its generated name is taken (upstream's server tries 8 names). */
const GENERATE_NAME_ATTEMPTS = 8;

export interface ReplicaReconcilerDeps {
  kind: ReplicaKind;
  client: RestClient;
  recorder: Pick<EventRecorder, 'event'>;
  /** The kind's cache (indexed by controller uid), and the pod cache (indexed the same way). */
  owners: Lister<Replicated>;
  pods: Lister<Pod>;
  expectations: PodExpectations;
  clock: Clock;
  logger?: Logger;
  burstReplicas?: number;
}

export class ReplicaReconciler implements Reconciler {
  readonly #d: ReplicaReconcilerDeps;
  readonly #burst: number;
  readonly #ownWrites = new OwnWrites();

  constructor(deps: ReplicaReconcilerDeps) {
    this.#d = deps;
    this.#burst = deps.burstReplicas ?? BURST_REPLICAS;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { kind, expectations } = this.#d;
    const { namespace, name } = splitKey(key);
    const cached = this.#d.owners.get(namespace, name);
    if (!cached) {
      expectations.delete(key);
      this.#ownWrites.forget(key);
      return;
    }
    // Our last status write has not reached the cache: its event will bring the key back.
    if (this.#ownWrites.stale(key, cached.metadata.resourceVersion)) return;
    const owner = typed(kind, cached);
    let selector: LabelSelector;
    try {
      selector = kind.selectorOf(owner);
    } catch (err) {
      // Validation keeps bad selectors out; one that slips in is not worth retrying.
      this.#d.logger?.warn({ err, [kind.name]: key }, 'invalid selector');
      return;
    }
    const needsSync = expectations.satisfied(key);
    const active = this.#d.pods.list(namespace).filter(isPodActive);
    const pods = await claimObjects(active, {
      client: this.#d.client,
      type: PODS,
      owner,
      selector,
      recheckOwner: () => this.#d.client.get({ ...kind.resource, namespace, name }, { signal }).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err))),
      signal,
    });
    let manageError: unknown;
    if (needsSync && !owner.metadata.deletionTimestamp) {
      try {
        await this.#manageReplicas(key, owner, pods, signal);
      } catch (err) {
        manageError = err;
      }
    }
    const now = this.#d.clock.now();
    await this.#writeStatus(key, owner, calculateStatus(owner, pods, manageError, now), signal);
    if (manageError !== undefined) throw manageError;
    const wait = nextAvailableInMs(owner, pods, now);
    return wait === undefined ? undefined : { requeueAfter: wait };
  }

  async #manageReplicas(key: string, owner: Replicated, pods: Pod[], signal: AbortSignal): Promise<void> {
    const { expectations } = this.#d;
    const diff = pods.length - specReplicas(owner);
    if (diff < 0) {
      const n = Math.min(-diff, this.#burst);
      // Expect before the first create: its watch event may arrive before the call returns.
      expectations.expectCreations(key, n);
      const { succeeded, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH, () => this.#createPod(key, owner, signal));
      // Creations never attempted (or failed) will never be observed.
      for (let i = succeeded; i < n; i++) expectations.creationObserved(key);
      if (error !== undefined) throw error;
    } else if (diff > 0) {
      const victims = podsToDelete(pods, this.#relatedPods(owner, pods), Math.min(diff, this.#burst));
      expectations.expectDeletions(key, victims.map(objectKey));
      const results = await Promise.allSettled(victims.map((pod) => this.#deletePod(owner, pod, signal)));
      let first: unknown;
      for (const [i, r] of results.entries()) {
        if (r.status === 'fulfilled') continue;
        expectations.deletionObserved(key, objectKey(victims[i]!));
        if (!isNotFound(r.reason) && !isConflict(r.reason)) first ??= r.reason;
      }
      if (first !== undefined) throw first;
    }
  }

  async #createPod(key: string, owner: Replicated, signal: AbortSignal): Promise<void> {
    const template = owner.spec?.template ?? {};
    try {
      if (Object.keys(template.metadata?.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
      const created = await this.#createWithGeneratedName(podFromTemplate(template, owner), signal);
      void this.#d.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
    } catch (err) {
      // A terminating namespace refuses every create; nothing to report and nothing will appear.
      if (namespaceTerminating(err)) {
        this.#d.expectations.creationObserved(key);
        return;
      }
      void this.#d.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }

  /**
   * A generated name can collide with an existing pod; upstream's API server then generates
   * another (RetryGenerateName). Where the server answers AlreadyExists instead, try again here
   * rather than failing the whole batch.
   */
  async #createWithGeneratedName(pod: Pod, signal: AbortSignal): Promise<Pod> {
    const ref = { ...PODS, namespace: pod.metadata.namespace ?? '' };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#d.client.create(ref, pod, { signal });
      } catch (err) {
        if (!isAlreadyExists(err) || attempt >= GENERATE_NAME_ATTEMPTS) throw err;
      }
    }
  }

  async #deletePod(owner: Replicated, pod: Pod, signal: AbortSignal): Promise<void> {
    const ref = { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' };
    try {
      await this.#d.client.delete(ref, { preconditions: { uid: pod.metadata.uid ?? '' }, signal });
      void this.#d.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${ref.name}`);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) void this.#d.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw err;
    }
  }

  /**
   * The active pods of every object controlled by this one's controller (a Deployment's
   * ReplicaSets), used to rank pods by how crowded their node is. Without a controller there is
   * no family and every rank is equal, as upstream.
   */
  #relatedPods(owner: Replicated, own: Pod[]): Pod[] {
    const ref = controllerOf(owner);
    if (!ref) return [];
    const related: Pod[] = [];
    const seen = new Set<string>();
    for (const sibling of this.#d.owners.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
      const pods = sibling.metadata.uid === owner.metadata.uid ? own : this.#d.pods.byIndex(CONTROLLER_UID_INDEX, sibling.metadata.uid ?? '');
      for (const p of pods) {
        const uid = p.metadata.uid ?? objectKey(p);
        if (seen.has(uid)) continue;
        seen.add(uid);
        related.push(p);
      }
    }
    return related;
  }

  /** Writes status unless it is already current; one retry on a fresh copy after a failed write (upstream's statusUpdateRetries). */
  async #writeStatus(key: string, owner: Replicated, status: ReturnType<typeof calculateStatus>, signal: AbortSignal): Promise<void> {
    if (statusUpToDate(owner, status)) return;
    const { kind, client } = this.#d;
    const ref = { ...kind.resource, namespace: owner.metadata.namespace ?? '' };
    const generation = owner.metadata.generation;
    const next = { ...status, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
    let current = owner;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.updateStatus(ref, { ...current, status: next }, { signal });
        this.#ownWrites.record(key, owner.metadata.resourceVersion);
        this.#ownWrites.record(key, current.metadata.resourceVersion);
        return;
      } catch (err) {
        if (attempt >= 1 || isNotFound(err)) {
          if (isNotFound(err)) return;
          throw err;
        }
        current = typed(kind, await client.get<Replicated>({ ...ref, name: owner.metadata.name ?? '' }, { signal }));
      }
    }
  }
}

/** The create was refused because the namespace is being deleted (upstream's NamespaceTerminatingCause). */
export function namespaceTerminating(err: unknown): boolean {
  const causes = (err as { status?: { details?: { causes?: { reason?: string }[] } } } | undefined)?.status?.details?.causes;
  return causes?.some((c) => c.reason === 'NamespaceTerminating') ?? false;
}
