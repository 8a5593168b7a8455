// One pass of the StatefulSet algorithm (upstream defaultStatefulSetControl.updateStatefulSet):
// sort the pods into the wanted ordinals and the condemned ones beyond them; recreate finished
// pods, create missing ones (claims first), repair identity; then delete condemned pods, highest
// ordinal first; then roll pods onto the update revision. With OrderedReady each step waits for
// all lower ordinals to be Running, Ready and available and acts on one pod at a time; Parallel
// acts on all at once. Status is written whatever happened, then old revisions are truncated.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, RestClient } from '../../client/index.ts';
import { deleteControllerRevision, revisionsToTruncate, type ControllerRevision } from '../history/index.ts';
import { slowStartBatch } from '../util/batch.ts';
import type { Pod } from '../util/pods.ts';
import { identityMatches, newVersionedStatefulSetPod, ordinalOf, podInOrdinalRange, podRevision, replicasOf, startOrdinal, storageMatches } from './identity.ts';
import type { PodControl } from './pod-control.ts';
import { isCreated, isFailed, isHealthy, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating } from './pod-state.ts';
import { applyRevision, resolveRevisions } from './revisions.ts';
import { maxUnavailableOf, rollingUpdateTargets } from './rolling.ts';
import { completeRollingUpdate, computeReplicaStatus, statusChanged, writeStatus } from './status.ts';
import type { StatefulSet, StatefulSetStatus } from './types.ts';

export interface StatefulSetControlDeps {
  client: RestClient;
  control: PodControl;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger | undefined;
}

/** Processes one pod; true stops the pass (OrderedReady waits), false goes on. */
type Step = (i: number) => Promise<boolean>;

/** Runs `step` over `count` items: in order stopping at the first true (monotonic), or all in slow-start batches. */
async function runForAll(count: number, step: Step, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await step(i)) return true;
    return false;
  }
  const { error } = await slowStartBatch(count, 1, async (i) => void (await step(i)));
  if (error !== undefined) throw error;
  return false;
}

export class StatefulSetControl {
  readonly #d: StatefulSetControlDeps;

  constructor(deps: StatefulSetControlDeps) {
    this.#d = deps;
  }

  /** Converges the set's pods one step and writes its status; returns the status written. */
  async update(set: StatefulSet, pods: readonly Pod[], existing: readonly ControllerRevision[], signal?: AbortSignal): Promise<StatefulSetStatus> {
    const { client } = this.#d;
    const { current, update, collisionCount, revisions } = await resolveRevisions(client, set, existing, signal);
    const currentName = current.metadata.name ?? '';
    const updateName = update.metadata.name ?? '';
    const outcome = await this.#sync(set, current, update, pods, signal).then(
      (r) => ({ ...r, error: undefined as unknown }),
      (error: unknown) => ({ all: pods as readonly Pod[], rolledOut: 0, error }),
    );
    const minReady = set.spec.minReadySeconds ?? 0;
    const counts = computeReplicaStatus(outcome.all, minReady, currentName, updateName, this.#d.clock.now());
    counts.currentReplicas = Math.max(0, counts.currentReplicas - outcome.rolledOut);
    const status = completeRollingUpdate(set, {
      ...counts,
      observedGeneration: set.metadata.generation ?? 0,
      currentRevision: currentName,
      updateRevision: updateName,
      collisionCount,
    });
    if (statusChanged(set, status)) await writeStatus(client, set, status, signal);
    await this.#truncateHistory(set, pods, revisions, [currentName, updateName, status.currentRevision ?? ''], signal);
    if (outcome.error !== undefined) throw outcome.error;
    return status;
  }

  /** The pod part of a pass; returns every pod it ends up knowing (to count) and how many it rolled. */
  async #sync(set: StatefulSet, currentRevision: ControllerRevision, updateRevision: ControllerRevision, pods: readonly Pod[], signal?: AbortSignal): Promise<{ all: Pod[]; rolledOut: number }> {
    const { control, clock } = this.#d;
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const currentName = currentRevision.metadata.name ?? '';
    const updateName = updateRevision.metadata.name ?? '';
    const start = startOrdinal(set);
    const replicas: Pod[] = new Array<Pod>(Math.max(0, replicasOf(set)));
    const condemned: Pod[] = [];
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
      else if (ordinalOf(pod) >= 0) condemned.push(pod);
    }
    for (let i = 0; i < replicas.length; i++) replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, start + i);
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const all = (): Pod[] => [...replicas, ...condemned];

    const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find((p) => !isHealthy(p));
    if (set.metadata.deletionTimestamp) return { all: all(), rolledOut: 0 };

    const monotonic = set.spec.podManagementPolicy !== 'Parallel';
    const minReady = set.spec.minReadySeconds ?? 0;

    const processReplica: Step = async (i) => {
      let pod = replicas[i]!;
      if (isCreated(pod) && (isFailed(pod) || isSucceeded(pod))) {
        const failed = isFailed(pod);
        void this.#d.recorder.event(set, failed ? 'Warning' : 'Normal', failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod',
          `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating ${failed ? 'failed' : 'terminated'} Pod ${pod.metadata.name}`);
        await control.deletePod(set, pod, signal);
        pod = replicas[i] = newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, start + i);
      }
      if (!isCreated(pod)) {
        // A claim still owned by this ordinal's previous pod waits for the garbage collector.
        if (control.podClaimIsStale(set, pod)) return true;
        await control.createPod(set, pod, signal);
        return monotonic;
      }
      if (pod.status?.phase === 'Pending') await control.createMissingClaims(set, pod, signal);
      if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, clock.now()))) return true;
      if (identityMatches(set, pod) && storageMatches(set, pod) && control.claimsMatchRetentionPolicy(updateSet, pod)) return false;
      await control.updatePod(updateSet, pod, signal);
      return false;
    };
    if (await runForAll(replicas.length, processReplica, monotonic)) return { all: all(), rolledOut: 0 };

    const fixClaims: Step = async (i) => {
      const pod = condemned[i]!;
      if (!control.claimsMatchRetentionPolicy(updateSet, pod)) await control.updateClaimsForRetentionPolicy(updateSet, pod, signal);
      return false;
    };
    await runForAll(condemned.length, fixClaims, monotonic);

    const processCondemned: Step = async (i) => {
      const pod = condemned[i]!;
      if (isTerminating(pod)) return monotonic;
      // OrderedReady removes an unhealthy pod only when it is the first unhealthy one.
      const waiting = !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, clock.now());
      if (monotonic && waiting && pod !== firstUnhealthy) return true;
      await control.deletePod(set, pod, signal);
      return true;
    };
    if (await runForAll(condemned.length, processCondemned, monotonic)) return { all: all(), rolledOut: 0 };

    if (set.spec.updateStrategy?.type === 'OnDelete') return { all: all(), rolledOut: 0 };
    const rolling = set.spec.updateStrategy?.rollingUpdate;
    const maxUnavailable = maxUnavailableOf(rolling?.maxUnavailable, replicas.length);
    const targets = rollingUpdateTargets(replicas, updateName, rolling?.partition ?? 0, maxUnavailable, minReady, clock.now());
    for (const pod of targets) {
      this.#d.logger?.debug({ statefulset: `${set.metadata.namespace}/${set.metadata.name}`, pod: pod.metadata.name, revision: podRevision(pod) }, 'terminating pod for update');
      await control.deletePod(set, pod, signal);
    }
    return { all: all(), rolledOut: targets.filter((p) => podRevision(p) === currentName).length };
  }

  /** Deletes the oldest revisions neither current, nor update, nor run by a pod, beyond revisionHistoryLimit. */
  async #truncateHistory(set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[], inUse: readonly string[], signal?: AbortSignal): Promise<void> {
    const live = new Set<string>([...inUse, ...pods.map(podRevision)]);
    const doomed = revisionsToTruncate(revisions, { live: (r) => live.has(r.metadata.name ?? ''), limit: set.spec.revisionHistoryLimit ?? 10 });
    for (const r of doomed) await deleteControllerRevision(this.#d.client, r, signal);
  }
}
