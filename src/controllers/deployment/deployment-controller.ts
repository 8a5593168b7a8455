// The Deployment controller: informers for Deployments, ReplicaSets and pods; ReplicaSet events
// enqueue the owning Deployment (or, for orphans, every Deployment that could adopt them), pod
// deletions wake a Recreate Deployment waiting for its old pods to go. A sync claims the
// ReplicaSets the selector matches and hands them to syncDeployment.

import type { Logger } from 'pino';
import type { OwnerReference } from '../../api/types.ts';
import { objectKey, realClock, splitKey, type Clock, type EventRecorder, type Informer, type RestClient } from '../../client/index.ts';
import { isNotFound, jsonEqual, selectorFromLabelSelector, type LabelSelector } from '../../machinery/index.ts';
import { OwnWrites, type ReplicaSet } from '../replicaset/index.ts';
import { common, Controller, type ControllerContext, type Reconciler, type Result } from '../runtime/index.ts';
import { claimObjects, CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex, DEPLOYMENTS, PODS, REPLICA_SETS, type Pod } from '../util/index.ts';
import type { PodMap } from './recreate.ts';
import { SyncContext, typedDeployment } from './sync-context.ts';
import { syncDeployment } from './sync.ts';
import { isRecreate, type Deployment } from './types.ts';

export interface DeploymentControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-deployment-syncs, 5). */
  workers?: number;
}

export interface DeploymentReconcilerDeps {
  client: RestClient;
  recorder: Pick<EventRecorder, 'event'>;
  deployments: Informer<Deployment>;
  replicaSets: Informer<ReplicaSet>;
  pods: Informer<Pod>;
  clock: Clock;
  logger?: Logger;
}

export class DeploymentReconciler implements Reconciler {
  readonly #d: DeploymentReconcilerDeps;
  readonly #ownWrites = new OwnWrites();

  constructor(deps: DeploymentReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#d.deployments.lister.get(namespace, name);
    if (!cached) {
      this.#ownWrites.forget(key);
      return;
    }
    // This controller's last write has not reached the cache; its event brings the key back.
    if (this.#ownWrites.stale(key, cached.metadata.resourceVersion)) return;
    const d = typedDeployment(structuredClone(cached));
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch (err) {
      this.#d.logger?.warn({ err, deployment: key }, 'invalid selector');
      return;
    }
    const sc = new SyncContext({ client: this.#d.client, recorder: this.#d.recorder, replicaSets: this.#d.replicaSets.lister, pods: this.#d.pods.lister, clock: this.#d.clock, ...(this.#d.logger ? { logger: this.#d.logger } : {}) }, d, signal);
    if (selector.isEverything()) {
      sc.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await sc.writeStatus({ ...(d.status ?? {}), observedGeneration: d.metadata.generation ?? 0 });
      return;
    }
    const rsList = await claimObjects(this.#d.replicaSets.lister.list(namespace), {
      client: this.#d.client,
      type: REPLICA_SETS,
      owner: sc.d,
      selector,
      recheckOwner: () => this.#d.client.get({ ...DEPLOYMENTS, namespace, name }, { signal }).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err))),
      signal,
    });
    try {
      await syncDeployment(sc, rsList, () => this.#podMap(selector, rsList));
    } finally {
      for (const rv of sc.replaced) this.#ownWrites.record(key, rv);
    }
    return sc.requeueAfter === undefined ? undefined : { requeueAfter: sc.requeueAfter };
  }

  /** The pods the selector matches, by the uid of the claimed ReplicaSet that controls them. */
  #podMap(selector: LabelSelector, rsList: readonly ReplicaSet[]): PodMap {
    const map = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata.uid ?? '';
      map.set(uid, this.#d.pods.lister.byIndex(CONTROLLER_UID_INDEX, uid).filter((p) => selector.matches(p.metadata.labels)));
    }
    return map;
  }
}

export function deploymentController(ctx: ControllerContext, options: DeploymentControllerOptions = {}): Controller {
  const indexers = { [CONTROLLER_UID_INDEX]: controllerUidIndex };
  const deployments = ctx.informers.informerFor<Deployment>(DEPLOYMENTS);
  const replicaSets = ctx.informers.informerFor<ReplicaSet>(REPLICA_SETS, { indexers });
  const pods = ctx.informers.informerFor<Pod>(PODS, { indexers });
  const reconciler = new DeploymentReconciler({
    client: ctx.client, recorder: ctx.recorder, deployments, replicaSets, pods, clock: ctx.clock ?? realClock, ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  const controller = new Controller({ name: 'deployment', reconciler, workers: options.workers ?? 5, ...common(ctx) });
  controller.watch(deployments);
  // ReplicaSet and pod events are mapped to Deployments by the handlers below; watch() only makes
  // the controller run those informers.
  controller.watch(replicaSets, () => undefined);
  controller.watch(pods, () => undefined);
  const enqueue = (key: string): void => controller.queue.add(key);
  replicaSets.addEventHandler(replicaSetHandlers(deployments, enqueue));
  pods.addEventHandler({ onDelete: recreatePodDeleted(deployments, replicaSets, pods, enqueue) });
  return controller;
}

function resolveDeployment(deployments: Informer<Deployment>, namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
  if (!ref || ref.kind !== 'Deployment') return undefined;
  const d = deployments.lister.get(namespace, ref.name);
  return d && d.metadata.uid === ref.uid ? d : undefined;
}

/** Upstream's addReplicaSet / updateReplicaSet / deleteReplicaSet. */
export function replicaSetHandlers(deployments: Informer<Deployment>, enqueue: (key: string) => void) {
  const owner = (rs: ReplicaSet, ref = controllerOf(rs)): void => {
    const d = resolveDeployment(deployments, rs.metadata.namespace, ref);
    if (d) enqueue(objectKey(d));
  };
  /** Deployments that could adopt an orphan; an empty selector adopts nothing. */
  const adopters = (rs: ReplicaSet): void => {
    for (const d of deployments.lister.list(rs.metadata.namespace ?? '')) {
      try {
        const sel = selectorFromLabelSelector(d.spec?.selector);
        if (!sel.isEverything() && sel.matches(rs.metadata.labels)) enqueue(objectKey(d));
      } catch {
        // invalid selector: it adopts nothing
      }
    }
  };
  return {
    onAdd(rs: ReplicaSet): void {
      if (rs.metadata.deletionTimestamp || controllerOf(rs)) owner(rs);
      else adopters(rs);
    },
    onUpdate(old: ReplicaSet, cur: ReplicaSet): void {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const curRef = controllerOf(cur);
      const oldRef = controllerOf(old);
      const refChanged = !jsonEqual(curRef ?? null, oldRef ?? null);
      if (refChanged && oldRef) owner(old, oldRef);
      if (curRef) return owner(cur, curRef);
      if (refChanged || !jsonEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {})) adopters(cur);
    },
    onDelete(rs: ReplicaSet): void {
      owner(rs);
    },
  };
}

/** A Recreate Deployment waits for its old pods to be gone: sync it when the last one goes. */
function recreatePodDeleted(deployments: Informer<Deployment>, replicaSets: Informer<ReplicaSet>, pods: Informer<Pod>, enqueue: (key: string) => void) {
  return (pod: Pod): void => {
    const rsRef = controllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = replicaSets.lister.get(pod.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = resolveDeployment(deployments, rs.metadata.namespace, controllerOf(rs));
    if (!d || !isRecreate(d)) return;
    const left = replicaSets.lister.byIndex(CONTROLLER_UID_INDEX, d.metadata.uid ?? '').reduce((n, s) => n + pods.lister.byIndex(CONTROLLER_UID_INDEX, s.metadata.uid ?? '').length, 0);
    if (left === 0) enqueue(objectKey(d));
  };
}
