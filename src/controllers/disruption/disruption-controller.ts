// The disruption controller (upstream's pkg/controller/disruption): keeps every
// PodDisruptionBudget's status current — expected, desired and currently healthy pods, how many
// disruptions are allowed now, the DisruptionAllowed condition — and prunes the eviction records
// the API server leaves in status.disruptedPods once the pods are going or the records are over
// two minutes old. The pods/eviction subresource reads this status to allow or refuse an
// eviction. A second kind of key ("pod:ns/name") resets a DisruptionTarget condition that an
// eviction set on a pod which then was not deleted for two minutes.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, realClock, splitKey, type Clock, type EventRecorder, type Lister, type RestClient } from '../../client/index.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import { Controller } from '../runtime/controller.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { metaTime } from '../util/conditions.ts';
import { podCondition, podPhase, type Pod, type PodCondition } from '../util/pods.ts';
import { DEPLOYMENTS, POD_DISRUPTION_BUDGETS, PODS, REPLICA_SETS, REPLICATION_CONTROLLERS, STATEFUL_SETS } from '../util/refs.ts';
import {
  countHealthy,
  expectedAndDesired,
  failSafeStatus,
  needsScale,
  nextStatus,
  pruneDisruptedPods,
  type BudgetStatus,
  type PodDisruptionBudget,
} from './budget.ts';
import { expectedScale, type ScaleListers } from './expected-scale.ts';

/** How long a DisruptionTarget condition may sit on a pod that is not being deleted. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;
const DISRUPTION_TARGET = 'DisruptionTarget';
const POD_KEY = 'pod:';

export interface DisruptionReconcilerDeps {
  client: Pick<RestClient, 'updateStatus'>;
  pdbs: Lister<PodDisruptionBudget>;
  pods: Lister<Pod>;
  scale: ScaleListers;
  recorder?: EventRecorder;
  clock?: Clock;
  logger?: Logger;
}

/** The budgets in the pod's namespace whose selector selects it (policy/v1: an empty selector selects every pod). */
export function budgetsForPod(pdbs: Lister<PodDisruptionBudget>, pod: Pod): PodDisruptionBudget[] {
  return pdbs.list(pod.metadata.namespace ?? '').filter((pdb) => {
    try {
      return selectorFromLabelSelector(pdb.spec?.selector).matches(pod.metadata.labels);
    } catch {
      return false;
    }
  });
}

/** The DisruptionTarget condition an eviction left on a pod that is neither terminating nor finished, if any. */
function pendingDisruption(pod: Pod): PodCondition | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const phase = podPhase(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const cond = podCondition(pod, DISRUPTION_TARGET);
  // The kubelet's own condition precedes a termination that may take arbitrarily long.
  if (cond?.status !== 'True' || cond.reason === 'TerminationByKubelet') return undefined;
  return cond;
}

export class DisruptionReconciler implements Reconciler {
  readonly #d: DisruptionReconcilerDeps;
  readonly #clock: Clock;

  constructor(deps: DisruptionReconcilerDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? realClock;
  }

  /** The keys a pod event wakes: its budgets, and the pod itself while it carries a pending DisruptionTarget. */
  keysForPod(pod: Pod): string[] {
    const keys = budgetsForPod(this.#d.pdbs, pod).map((pdb) => objectKey(pdb));
    if (pendingDisruption(pod)) keys.push(POD_KEY + objectKey(pod));
    return keys;
  }

  /** Budgets of a namespace whose arithmetic depends on controller scale (woken when a controller changes). */
  scaledBudgetKeys(namespace: string): string[] {
    return this.#d.pdbs.list(namespace).filter(needsScale).map((pdb) => objectKey(pdb));
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    if (key.startsWith(POD_KEY)) return this.#syncStalePod(key.slice(POD_KEY.length), signal);
    const { namespace, name } = splitKey(key);
    const pdb = this.#d.pdbs.get(namespace, name);
    if (!pdb) return;
    try {
      return await this.#sync(pdb, signal);
    } catch (err) {
      // A conflict means the status moved on under us: retry without declaring the budget broken.
      if (isConflict(err) || isNotFound(err) || signal.aborted) throw err;
      this.#d.logger?.warn({ err, pdb: key }, 'failed to sync PodDisruptionBudget');
      const status = failSafeStatus(pdb, err instanceof Error ? err.message : String(err), this.#clock.now());
      if (status) await this.#writeStatus(pdb, status, signal);
      throw err;
    }
  }

  async #sync(pdb: PodDisruptionBudget, signal: AbortSignal): Promise<Result | void> {
    const { recorder } = this.#d;
    const pods = this.#podsFor(pdb);
    if (pods.length === 0) void recorder?.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let unmanaged: string[] = [];
    let counts: { expectedCount: number; desiredHealthy: number };
    try {
      counts = expectedAndDesired(pdb, pods.length, () => {
        const scale = expectedScale(pods, this.#d.scale);
        unmanaged = scale.unmanaged;
        return scale.expectedCount;
      });
    } catch (err) {
      void recorder?.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    if (unmanaged.length > 0) {
      void recorder?.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. ` +
          'As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
          'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
      );
    }
    const now = this.#clock.now();
    const pruned = pruneDisruptedPods(pods, pdb, now);
    for (const pod of pruned.overdue) {
      void recorder?.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace ?? ''}/${pdb.metadata.name ?? ''} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthy(pods, pruned.disruptedPods, now);
    const status = nextStatus(pdb, { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedCount: counts.expectedCount, disruptedPods: pruned.disruptedPods }, now);
    if (status) await this.#writeStatus(pdb, status, signal);
    // Look again when the earliest pending eviction record runs out.
    if (pruned.recheckAt !== undefined) return { requeueAfter: Math.max(1, pruned.recheckAt - now + 1) };
  }

  #podsFor(pdb: PodDisruptionBudget): Pod[] {
    const selector = selectorFromLabelSelector(pdb.spec?.selector);
    return this.#d.pods.list(pdb.metadata.namespace ?? '').filter((pod) => selector.matches(pod.metadata.labels));
  }

  async #writeStatus(pdb: PodDisruptionBudget, status: BudgetStatus, signal: AbortSignal): Promise<void> {
    await this.#d.client.updateStatus<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS, { ...structuredClone(pdb), status }, { signal });
  }

  /** Upstream's syncStalePodDisruption: a DisruptionTarget older than 2 min on a live pod is turned False. */
  async #syncStalePod(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const pod = this.#d.pods.get(namespace, name);
    const cond = pod && pendingDisruption(pod);
    if (!pod || !cond) return;
    const now = this.#clock.now();
    const since = Date.parse(cond.lastTransitionTime ?? '');
    const waitMs = Number.isFinite(since) ? since + STALE_POD_DISRUPTION_TIMEOUT_MS - now : 0;
    if (waitMs > 0) return { requeueAfter: waitMs };
    const copy: Pod = structuredClone(pod);
    const conditions = (copy.status?.conditions ?? []).map((c) =>
      c.type === DISRUPTION_TARGET ? { type: DISRUPTION_TARGET, status: 'False', lastProbeTime: null, lastTransitionTime: metaTime(now) } : c,
    );
    copy.status = { ...copy.status, conditions: conditions as PodCondition[] };
    try {
      await this.#d.client.updateStatus<Pod>(PODS, copy, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The disruption controller over the term's shared informers. */
export function disruptionController(ctx: ControllerContext, options: { workers?: number } = {}): Controller {
  const pdbs = ctx.informers.informerFor<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
  const pods = ctx.informers.informerFor<Pod>(PODS);
  const owners = {
    replicaSets: ctx.informers.informerFor<KubeObject>(REPLICA_SETS),
    deployments: ctx.informers.informerFor<KubeObject>(DEPLOYMENTS),
    statefulSets: ctx.informers.informerFor<KubeObject>(STATEFUL_SETS),
    replicationControllers: ctx.informers.informerFor<KubeObject>(REPLICATION_CONTROLLERS),
  };
  const reconciler = new DisruptionReconciler({
    client: ctx.client,
    pdbs: pdbs.lister,
    pods: pods.lister,
    scale: {
      replicaSets: owners.replicaSets.lister,
      deployments: owners.deployments.lister,
      statefulSets: owners.statefulSets.lister,
      replicationControllers: owners.replicationControllers.lister,
    },
    recorder: ctx.recorder,
    ...common(ctx),
  });
  const controller = new Controller({ name: 'disruption', reconciler, workers: options.workers ?? 2, ...common(ctx) })
    .watch(pdbs)
    .watch(pods, (pod) => reconciler.keysForPod(pod));
  // A pod whose labels changed may have left a budget: wake the budgets of its old labels too.
  pods.addEventHandler({
    onUpdate: (old, pod) => {
      if (JSON.stringify(old.metadata.labels ?? {}) === JSON.stringify(pod.metadata.labels ?? {})) return;
      for (const key of reconciler.keysForPod(old)) controller.queue.add(key);
    },
  });
  for (const informer of Object.values(owners)) controller.watch(informer, (obj) => reconciler.scaledBudgetKeys(obj.metadata.namespace ?? ''));
  return controller;
}
