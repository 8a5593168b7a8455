// One DaemonSet sync (upstream syncDaemonSet): read the DaemonSet from the cache, adopt and release
// its pods and revisions, find or make the current revision, then — unless earlier creates or
// deletes are still unobserved — create daemon pods on nodes lacking one and delete those that must
// go (slow-start batches, expectations recorded first), roll pods onto the current template, trim
// history, and write status. Failed pods are deleted with per-node backoff.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, Informer, RestClient } from '../../client/index.ts';
import { splitKey } from '../../client/index.ts';
import { isConflict, isNotFound, selectorFromLabelSelector, type LabelSelector } from '../../machinery/index.ts';
import type { ControllerRevision } from '../history/index.ts';
import type { Expectations } from '../runtime/expectations.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { slowStartBatch } from '../util/batch.ts';
import { claimObjects, controllerOf } from '../util/owner-refs.ts';
import type { Pod } from '../util/pods.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, PODS } from '../util/refs.ts';
import { daemonPodTemplate, newDaemonPod, templateGeneration } from './daemon-pods.ts';
import type { FailedPodBackoff } from './failed-pod-backoff.ts';
import { cleanupHistory, constructHistory, revisionHash } from './history.ts';
import { planManage } from './manage.ts';
import { targetNodeName } from './node-affinity.ts';
import { DaemonPlacement } from './placement.ts';
import { allowsSurge, planRollingUpdate, rollingLimits } from './rolling-update.ts';
import { computeStatus, storeStatus } from './status.ts';
import type { DaemonSet, Node } from './types.ts';

/** Upstream's BurstReplicas: at most this many creates (and deletes) per sync. */
export const BURST_REPLICAS = 250;

export interface DaemonSetReconcilerDeps {
  client: RestClient;
  recorder: EventRecorder;
  daemonSets: Informer<DaemonSet>;
  pods: Informer<Pod>;
  nodes: Informer<Node>;
  revisions: Informer<ControllerRevision>;
  expectations: Expectations;
  backoff: FailedPodBackoff;
  clock: Clock;
  logger?: Logger | undefined;
}

const withKind = (ds: DaemonSet): DaemonSet => ({ ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' });
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const namespaceTerminating = (err: unknown): boolean =>
  (err as { status?: { details?: { causes?: { reason?: string }[] } } }).status?.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') ?? false;

/** Pods by the node they run on or are pinned to; finished pods being deleted only when asked. */
function byNode(pods: readonly Pod[], includeDeletedTerminal: boolean): Map<string, Pod[]> {
  const map = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    map.set(node, [...(map.get(node) ?? []), pod]);
  }
  return map;
}

export class DaemonSetReconciler implements Reconciler {
  readonly #d: DaemonSetReconcilerDeps;

  constructor(deps: DaemonSetReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const d = this.#d;
    const { namespace, name } = splitKey(key);
    const cached = d.daemonSets.lister.get(namespace, name);
    if (!cached) {
      d.expectations.delete(key);
      return;
    }
    const ds = withKind(cached);
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(ds.spec.selector);
    } catch (err) {
      d.logger?.warn({ err, daemonset: key }, 'invalid selector; not retrying');
      return;
    }
    if (selector.isEverything()) {
      void d.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;

    const nodes = d.nodes.lister.list();
    const placement = new DaemonPlacement(ds);
    const pods = await this.#claim(ds, selector, d.pods.lister.list(namespace), PODS, signal);
    const revisions = await this.#claim(ds, selector, d.revisions.lister.list(namespace), CONTROLLER_REVISIONS, signal);
    const { current, old } = await constructHistory(d.client, ds, revisions, () => pods, signal);
    const hash = revisionHash(current);

    if (!d.expectations.satisfied(key)) {
      await this.#status(ds, nodes, placement, pods, hash, false, signal);
      return;
    }
    let failure: unknown;
    let retryMs: number | undefined;
    try {
      retryMs = await this.#manage(key, ds, nodes, placement, pods, hash, signal);
      if (d.expectations.satisfied(key) && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        await this.#rollingUpdate(key, ds, nodes, placement, pods, hash, signal);
      }
      await cleanupHistory(d.client, ds, old, pods, signal);
    } catch (err) {
      failure = err;
    }
    const counts = await this.#status(ds, nodes, placement, pods, hash, true, signal);
    if (failure !== undefined) throw failure;
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) retryMs = Math.min(retryMs ?? Infinity, minReady * 1000);
    return retryMs === undefined ? undefined : { requeueAfter: retryMs };
  }

  /** Adopts orphans the selector matches and releases owned objects it no longer matches. */
  async #claim<T extends Pod | ControllerRevision>(ds: DaemonSet, selector: LabelSelector, all: readonly T[], type: typeof PODS | typeof CONTROLLER_REVISIONS, signal: AbortSignal): Promise<T[]> {
    const { client } = this.#d;
    const { namespace = '', name = '', uid } = ds.metadata;
    const candidates = all.filter((o) => {
      const ref = controllerOf(o);
      return ref ? ref.uid === uid : selector.matches(o.metadata.labels);
    });
    const recheckOwner = async (): Promise<DaemonSet | undefined> =>
      client.get<DaemonSet>({ ...DAEMON_SETS, namespace, name }, { signal }).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    return claimObjects(candidates, { client, type, owner: ds, selector, recheckOwner, signal });
  }

  /** Creates and deletes pods so each node runs what it should; returns when to look again for backed-off failed pods. */
  async #manage(key: string, ds: DaemonSet, nodes: readonly Node[], placement: DaemonPlacement, pods: readonly Pod[], hash: string, signal: AbortSignal): Promise<number | undefined> {
    const { backoff, clock } = this.#d;
    let retryMs: number | undefined;
    const plan = planManage(nodes, (n) => placement.evaluate(n), byNode(pods, false), {
      hash,
      allowsSurge: allowsSurge(ds),
      minReadySeconds: ds.spec.minReadySeconds ?? 0,
      nowMs: clock.now(),
      mayDeleteFailed: (node) => {
        const backoffKey = `${ds.metadata.uid ?? ''}/${node}`;
        const wait = backoff.remainingMs(backoffKey);
        if (wait > 0) {
          retryMs = Math.min(retryMs ?? Infinity, wait);
          return false;
        }
        backoff.next(backoffKey);
        return true;
      },
    });
    for (const { pod, node } of plan.failedPods) {
      void this.#d.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`);
    }
    await this.#syncNodes(key, ds, plan.podsToDelete, plan.nodesNeedingPods, hash, signal);
    return retryMs;
  }

  async #rollingUpdate(key: string, ds: DaemonSet, nodes: readonly Node[], placement: DaemonPlacement, pods: readonly Pod[], hash: string, signal: AbortSignal): Promise<void> {
    const nodeToPods = byNode(pods, false);
    const runs = new Set<string>();
    for (const node of nodes) {
      if (!placement.evaluate(node).shouldRun) continue;
      const name = node.metadata.name ?? '';
      runs.add(name);
      if (!nodeToPods.has(name)) nodeToPods.set(name, []);
    }
    const { maxSurge, maxUnavailable } = rollingLimits(ds, runs.size);
    const plan = planRollingUpdate({
      nodeToPods, desired: runs.size, maxSurge, maxUnavailable, hash,
      generation: templateGeneration(ds), minReadySeconds: ds.spec.minReadySeconds ?? 0, nowMs: this.#d.clock.now(),
      shouldRun: (node) => runs.has(node),
    });
    await this.#syncNodes(key, ds, plan.podsToDelete, plan.nodesToCreate, hash, signal);
  }

  /** Creates pods on `nodes` and deletes `doomed`, expectations first; creates go in slow-start batches. */
  async #syncNodes(key: string, ds: DaemonSet, doomed: readonly Pod[], nodes: readonly string[], hash: string, signal: AbortSignal): Promise<void> {
    const { client, expectations, recorder } = this.#d;
    const toCreate = nodes.slice(0, BURST_REPLICAS);
    const toDelete = doomed.slice(0, BURST_REPLICAS);
    expectations.setExpectations(key, toCreate.length, toDelete.length);
    const namespace = ds.metadata.namespace ?? '';
    const errors: unknown[] = [];

    const template = daemonPodTemplate(ds, hash);
    let attempted = 0;
    const { error } = await slowStartBatch(toCreate.length, 1, async (i) => {
      attempted++;
      try {
        const created = await client.create<Pod>({ ...PODS, namespace }, newDaemonPod(ds, template, toCreate[i]!), { signal });
        void recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        // The namespace is going away: every further create would fail too; nothing to retry.
        if (namespaceTerminating(err)) return;
        expectations.creationObserved(key);
        void recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`);
        throw err;
      }
    });
    if (error !== undefined) {
      errors.push(error);
      // The creates never attempted after the failing batch are not expected either.
      expectations.lower(key, toCreate.length - attempted, 0);
    }

    await Promise.all(toDelete.map(async (pod) => {
      try {
        await client.delete({ ...PODS, namespace, name: pod.metadata.name ?? '' }, { ...(pod.metadata.uid ? { preconditions: { uid: pod.metadata.uid } } : {}), signal });
        void recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        expectations.deletionObserved(key);
        // Gone already, or replaced by a pod of the same name (the uid precondition failed).
        if (isNotFound(err) || isConflict(err)) return;
        void recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
        errors.push(err);
      }
    }));
    if (errors.length) throw errors[0];
  }

  async #status(ds: DaemonSet, nodes: readonly Node[], placement: DaemonPlacement, pods: readonly Pod[], hash: string, observed: boolean, signal: AbortSignal) {
    const counts = computeStatus({
      nodes, placementOf: (n) => placement.evaluate(n), nodeToPods: byNode(pods, true), hash,
      generation: templateGeneration(ds), minReadySeconds: ds.spec.minReadySeconds ?? 0, nowMs: this.#d.clock.now(),
    });
    await storeStatus(this.#d.client, ds, counts, observed, signal);
    return counts;
  }
}
