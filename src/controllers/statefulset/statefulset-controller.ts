// Upstream's statefulset controller: keys are StatefulSets ("ns/name"); pod, revision and set
// events enqueue the owning set (orphan pods: every set whose selector matches), and so do claims
// owned by a set or its pods (a new pod may be waiting for a scaled-down pod's claim to go). A reconcile reads
// the set from the cache, adopts orphan revisions and member pods its selector matches (releasing
// what no longer matches), runs one pass of the StatefulSet algorithm, and with minReadySeconds
// looks again once pods may have become available.

import type { Logger } from 'pino';
import { realClock, splitKey, type Informer, type RestClient } from '../../client/index.ts';
import { isNotFound, selectorFromLabelSelector } from '../../machinery/index.ts';
import type { ControllerRevision } from '../history/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { claimObjects, controllerOf } from '../util/owner-refs.ts';
import type { Pod } from '../util/pods.ts';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../util/refs.ts';
import { isMemberOf, parentAndOrdinal, replicasOf } from './identity.ts';
import { StatefulPodControl } from './pod-control.ts';
import { StatefulSetControl } from './stateful-set-control.ts';
import type { PersistentVolumeClaim, StatefulSet } from './types.ts';

/** Upstream's --concurrent-statefulset-syncs default. */
export const STATEFUL_SET_WORKERS = 5;

export interface StatefulSetReconcilerDeps {
  client: RestClient;
  sets: Informer<StatefulSet>;
  pods: Informer<Pod>;
  revisions: Informer<ControllerRevision>;
  control: StatefulSetControl;
  logger?: Logger | undefined;
}

const withKind = (set: StatefulSet): StatefulSet => ({ ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' });

export class StatefulSetReconciler implements Reconciler {
  readonly #d: StatefulSetReconcilerDeps;

  constructor(deps: StatefulSetReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#d.sets.lister.get(namespace, name);
    if (!cached) return;
    const set = withKind(cached);
    let selector;
    try {
      selector = selectorFromLabelSelector(set.spec.selector);
    } catch (err) {
      this.#d.logger?.warn({ err, statefulset: key }, 'invalid selector; not retrying');
      return;
    }
    const uid = set.metadata.uid;
    const recheckOwner = async (): Promise<StatefulSet | undefined> =>
      this.#d.client.get<StatefulSet>({ ...STATEFUL_SETS, namespace, name }, { signal }).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    const claim = { client: this.#d.client, owner: set, selector, recheckOwner, signal };

    const revisionCandidates = this.#d.revisions.lister.list(namespace).filter((r) => {
      const ref = controllerOf(r);
      return ref ? ref.uid === uid : selector.matches(r.metadata.labels);
    });
    const revisions = await claimObjects(revisionCandidates, { ...claim, type: CONTROLLER_REVISIONS });

    const podCandidates = this.#d.pods.lister.list(namespace).filter((p) => {
      const ref = controllerOf(p);
      return ref ? ref.uid === uid : isMemberOf(set, p);
    });
    const pods = (await claimObjects(podCandidates, { ...claim, type: PODS })).filter((p) => isMemberOf(set, p));

    const status = await this.#d.control.update(set, pods, revisions, signal);
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && (status.availableReplicas ?? 0) !== replicasOf(set)) return { requeueAfter: minReady * 1000 };
  }

  /** The sets to look at when a pod changes: its controller, or for an orphan every set selecting it. */
  keysForPod(pod: Pod): string[] {
    const ns = pod.metadata.namespace ?? '';
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== 'StatefulSet') return [];
      const set = this.#d.sets.lister.get(ns, ref.name);
      return set && set.metadata.uid === ref.uid ? [`${ns}/${ref.name}`] : [];
    }
    if (pod.metadata.deletionTimestamp) return [];
    return this.#d.sets.lister
      .list(ns)
      .filter((s) => {
        try {
          return selectorFromLabelSelector(s.spec.selector).matches(pod.metadata.labels);
        } catch {
          return false;
        }
      })
      .map((s) => `${ns}/${s.metadata.name ?? ''}`);
  }

  /** A claim owned by a set or by one of its pods (a scaled-down pod's claim the next pod waits on). */
  keysForClaim(claim: PersistentVolumeClaim): string[] {
    const ns = claim.metadata.namespace ?? '';
    const keys: string[] = [];
    for (const ref of claim.metadata.ownerReferences ?? []) {
      const name = ref.kind === 'StatefulSet' ? ref.name : ref.kind === 'Pod' ? parentAndOrdinal(ref.name).parent : '';
      if (name && this.#d.sets.lister.get(ns, name)) keys.push(`${ns}/${name}`);
    }
    return keys;
  }

  keysForRevision(revision: ControllerRevision): string[] {
    const ref = controllerOf(revision);
    return ref?.kind === 'StatefulSet' ? [`${revision.metadata.namespace ?? ''}/${ref.name}`] : [];
  }
}

export function statefulSetController(ctx: ControllerContext): Controller {
  const sets = ctx.informers.informerFor<StatefulSet>(STATEFUL_SETS);
  const pods = ctx.informers.informerFor<Pod>(PODS);
  const revisions = ctx.informers.informerFor<ControllerRevision>(CONTROLLER_REVISIONS);
  const claims = ctx.informers.informerFor<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
  const logger = ctx.logger;
  const podControl = new StatefulPodControl(ctx.client, ctx.recorder, (ns, name) => claims.lister.get(ns, name));
  const control = new StatefulSetControl({ client: ctx.client, control: podControl, recorder: ctx.recorder, clock: ctx.clock ?? realClock, logger });
  const reconciler = new StatefulSetReconciler({ client: ctx.client, sets, pods, revisions, control, logger });
  const controller = new Controller({ name: 'statefulset', reconciler, workers: STATEFUL_SET_WORKERS, ...common(ctx) })
    .watch(sets)
    .watch(pods, (pod) => reconciler.keysForPod(pod))
    .watch(revisions, (r) => reconciler.keysForRevision(r))
    .watch(claims, (claim) => reconciler.keysForClaim(claim));
  // A pod released or relabelled away from a set: the set it left must look again too.
  pods.addEventHandler({
    onUpdate: (old, cur) => {
      if (controllerOf(old)?.uid === controllerOf(cur)?.uid && JSON.stringify(old.metadata.labels) === JSON.stringify(cur.metadata.labels)) return;
      for (const key of reconciler.keysForPod(old)) controller.queue.add(key);
    },
  });
  return controller;
}
