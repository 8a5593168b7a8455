// The StatefulSet controller's writes to pods and claims (upstream's StatefulPodControl): claims
// are created before their pod, the retention policy's owner references are kept on them, pods are
// created, repaired (identity labels, storage) and deleted, and each outcome is an Event on the set
// ("create Pod web-0 in StatefulSet web successful"). Deletes carry the pod's uid as a
// precondition so a stale cache never deletes the pod that replaced the one it saw.

import type { EventRecorder, RestClient } from '../../client/index.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../machinery/index.ts';
import type { Pod } from '../util/pods.ts';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../util/refs.ts';
import { hasStaleOwnerRef, claimOwnersMatch, retentionPolicy, withRetentionOwners } from './claim-retention.ts';
import { claimsFor, identityMatches, ordinalOf, storageMatches, updateIdentity, updateStorage } from './identity.ts';
import type { PersistentVolumeClaim, StatefulSet } from './types.ts';

/** The claim cache (an informer lister); undefined when the claim does not exist. */
export type ClaimGetter = (namespace: string, name: string) => PersistentVolumeClaim | undefined;

export interface PodControl {
  /** Creates the pod's claims, then the pod; false when a pod of that name still exists. */
  createPod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<boolean>;
  /** Repairs identity, storage and claim owners of an existing pod. */
  updatePod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void>;
  deletePod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void>;
  createMissingClaims(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void>;
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean;
  updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void>;
  /** A claim of the pod is still owned by an earlier pod of the same name (whenScaled: Delete). */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const opts = (signal?: AbortSignal): { signal?: AbortSignal } => (signal ? { signal } : {});

export class StatefulPodControl implements PodControl {
  readonly #client: RestClient;
  readonly #recorder: EventRecorder;
  readonly #claims: ClaimGetter;

  constructor(client: RestClient, recorder: EventRecorder, claims: ClaimGetter) {
    this.#client = client;
    this.#recorder = recorder;
    this.#claims = claims;
  }

  async createPod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#createClaims(set, pod, signal);
    } catch (err) {
      this.#podEvent('create', set, pod, err);
      throw err;
    }
    let created: Pod;
    try {
      created = await this.#client.create<Pod>({ ...PODS, namespace: pod.metadata.namespace ?? '' }, pod, opts(signal));
    } catch (err) {
      // The previous pod of this ordinal is still being deleted (or the cache lags): not a failure.
      if (isAlreadyExists(err)) return false;
      this.#podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.updateClaimsForRetentionPolicy(set, created, signal);
    } catch (err) {
      this.#podEvent('update', set, created, err);
      throw err;
    }
    this.#podEvent('create', set, created);
    return true;
  }

  async updatePod(set: StatefulSet, original: Pod, signal?: AbortSignal): Promise<void> {
    let pod = structuredClone(original);
    for (let attempt = 0; ; attempt++) {
      let consistent = true;
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        consistent = false;
      }
      if (!storageMatches(set, pod)) {
        updateStorage(set, pod);
        consistent = false;
        try {
          await this.#createClaims(set, pod, signal);
        } catch (err) {
          this.#podEvent('update', set, pod, err);
          throw err;
        }
      }
      if (!this.claimsMatchRetentionPolicy(set, pod)) {
        try {
          await this.updateClaimsForRetentionPolicy(set, pod, signal);
        } catch (err) {
          this.#podEvent('update', set, pod, err);
          throw err;
        }
      }
      if (consistent) return;
      try {
        await this.#client.update<Pod>({ ...PODS, namespace: pod.metadata.namespace ?? '' }, pod, opts(signal));
        this.#podEvent('update', set, pod);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) {
          this.#podEvent('update', set, pod, err);
          throw err;
        }
        pod = await this.#client.get<Pod>({ ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' }, opts(signal));
      }
    }
  }

  async deletePod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    try {
      await this.#client.delete(
        { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' },
        { ...(pod.metadata.uid ? { preconditions: { uid: pod.metadata.uid } } : {}), ...opts(signal) },
      );
    } catch (err) {
      // Gone already, or replaced by a newer pod of the same name: nothing of ours to delete.
      if (isNotFound(err) || isConflict(err)) return;
      this.#podEvent('delete', set, pod, err);
      throw err;
    }
    this.#podEvent('delete', set, pod);
  }

  async createMissingClaims(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    await this.#createClaims(set, pod, signal);
    try {
      await this.updateClaimsForRetentionPolicy(set, pod, signal);
    } catch (err) {
      this.#podEvent('update', set, pod, err);
      throw err;
    }
  }

  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const live = this.#claims(claim.metadata.namespace ?? '', claim.metadata.name ?? '');
      if (live && !claimOwnersMatch(live, set, pod)) return false;
    }
    return true;
  }

  async updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const live = this.#claims(claim.metadata.namespace ?? '', claim.metadata.name ?? '');
      const next = live && withRetentionOwners(live, set, pod);
      if (!next) continue;
      await this.#client.update({ ...PERSISTENT_VOLUME_CLAIMS, namespace: next.metadata.namespace ?? '' }, next, opts(signal));
    }
  }

  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled !== 'Delete') return false;
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const live = this.#claims(claim.metadata.namespace ?? '', claim.metadata.name ?? '');
      if (live && hasStaleOwnerRef(live, pod)) return true;
    }
    return false;
  }

  /** Creates the pod's claims that do not exist; one being deleted fails the pod's creation. */
  async #createClaims(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    const errors: string[] = [];
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const namespace = claim.metadata.namespace ?? '';
      const live = this.#claims(namespace, claim.metadata.name ?? '');
      if (live) {
        if (live.metadata.deletionTimestamp) errors.push(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      try {
        await this.#client.create({ ...PERSISTENT_VOLUME_CLAIMS, namespace }, claim, opts(signal));
        this.#claimEvent(set, pod, claim);
      } catch (err) {
        if (isAlreadyExists(err)) continue; // the cache lags our own earlier create
        this.#claimEvent(set, pod, claim, err);
        errors.push(`failed to create PVC ${claim.metadata.name}: ${errorText(err)}`);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  #podEvent(verb: 'create' | 'update' | 'delete', set: StatefulSet, pod: Pod, err?: unknown): void {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    if (err === undefined) void this.#recorder.event(set, 'Normal', `Successful${title}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else void this.#recorder.event(set, 'Warning', `Failed${title}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
  }

  #claimEvent(set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, err?: unknown): void {
    if (err === undefined) void this.#recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else void this.#recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
  }
}
