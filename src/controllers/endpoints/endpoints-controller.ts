// Upstream's Endpoints controller: every Service with a selector has an Endpoints object of the
// same name listing the selected pods' addresses (ready ones in addresses, others in
// notReadyAddresses) under the service's port names with each pod's resolved target port. It is
// written only when its content, its labels or its capacity mark would change. The Endpoints of a
// deleted service are deleted; those of selector-less services (custom Endpoints, the apiserver's
// own `kubernetes` one) are never touched. On start every Endpoints object is checked once, so
// leftovers of services deleted while the controller was down are removed.

import { splitKey, type Informer } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  ANNOTATION_LEADER,
  LABEL_HEADLESS,
  TriggerTimeTracker,
  formatTriggerTime,
  hasSelector,
  isExternalName,
  isNamespaceTerminating,
  isServiceIPSet,
  podServiceMemberships,
  selectsPod,
  servicesToUpdateOnPodChange,
  watchWith,
  type EndpointPod,
  type Endpoints,
  type Service,
} from '../endpointslice/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';
import { ENDPOINTS, PODS, SERVICES } from '../util/refs.ts';
import { ANNOTATION_OVER_CAPACITY, OVER_CAPACITY_TRUNCATED, truncateSubsets } from './capacity.ts';
import { desiredSubsets } from './desired-subsets.ts';
import { subsetsEqual } from './repack.ts';

/** Marks the Endpoints this controller generates (upstream since 1.33). */
export const LABEL_ENDPOINTS_MANAGED_BY = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_CONTROLLER_NAME = 'endpoint-controller';

export interface EndpointsControllerOptions {
  /** Upstream's --concurrent-endpoint-syncs (5). */
  workers?: number;
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => a[k] === b[k]);
};

export class EndpointsSync implements Reconciler {
  readonly #ctx: ControllerContext;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<EndpointPod>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext, services: Informer<Service>, pods: Informer<EndpointPod>, endpoints: Informer<Endpoints>) {
    this.#ctx = ctx;
    this.#services = services;
    this.#pods = pods;
    this.#endpoints = endpoints;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const client = this.#ctx.client;
    const svc = this.#services.lister.get(namespace, name);
    if (!svc) {
      try {
        await client.delete({ ...ENDPOINTS, namespace, name }, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.#triggerTimes.deleteService(namespace, name);
      return;
    }
    if (isExternalName(svc) || !hasSelector(svc)) return;

    const pods = this.#pods.lister.list(namespace).filter((p) => selectsPod(svc, p));
    // Computed on every sync so the tracker's state stays current even when nothing is written.
    const triggerTime = this.#triggerTimes.compute(svc, pods);
    const desired = desiredSubsets(svc, pods);
    const { subsets, truncated } = truncateSubsets(desired.subsets);

    const current = this.#endpoints.lister.get(namespace, name);
    const svcLabels = svc.metadata.labels ?? {};
    if (current) {
      const compareLabels = { ...(current.metadata.labels ?? {}) };
      delete compareLabels[LABEL_HEADLESS];
      delete compareLabels[LABEL_ENDPOINTS_MANAGED_BY];
      const marked = current.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] !== undefined;
      if (subsetsEqual(current.subsets, subsets) && sameLabels(compareLabels, svcLabels) && marked === truncated) return;
    }

    const next: Endpoints = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.apiVersion = 'v1';
    next.kind = 'Endpoints';
    next.subsets = subsets;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime > 0) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = formatTriggerTime(triggerTime);
    else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = OVER_CAPACITY_TRUNCATED;
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    if (Object.keys(annotations).length > 0) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    const labels: Record<string, string> = { ...svcLabels, [LABEL_ENDPOINTS_MANAGED_BY]: ENDPOINTS_CONTROLLER_NAME };
    if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
    else delete labels[LABEL_HEADLESS];
    next.metadata.labels = labels;

    try {
      if (current) await client.update<Endpoints>({ ...ENDPOINTS, namespace, name }, next, { signal });
      else await client.create<Endpoints>({ ...ENDPOINTS, namespace }, next, { signal });
    } catch (err) {
      // Creates keep failing in a terminating namespace: drop the key, as upstream does.
      if (!current && isNamespaceTerminating(err)) return;
      if (!signal.aborted) {
        const [reason, message] = current
          ? ['FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${(err as Error).message}`]
          : ['FailedToCreateEndpoint', `Failed to create endpoint for service ${key}: ${(err as Error).message}`];
        void this.#ctx.recorder.event(next, 'Warning', reason, message);
      }
      throw err;
    }
  }
}

export function endpointsController(ctx: ControllerContext, options: EndpointsControllerOptions = {}): Controller {
  const services = ctx.informers.informerFor<Service>(SERVICES);
  const pods = ctx.informers.informerFor<EndpointPod>(PODS);
  const endpoints = ctx.informers.informerFor<Endpoints>(ENDPOINTS);
  const reconciler = new EndpointsSync(ctx, services, pods, endpoints);
  const controller = new Controller({ name: 'endpoints', reconciler, workers: options.workers ?? 5, ...common(ctx) });
  controller.watch(services);
  const servicesOf = (pod: EndpointPod): Service[] => services.lister.list(pod.metadata.namespace ?? '');
  watchWith(controller, pods, {
    onAdd: (pod) => podServiceMemberships(servicesOf(pod), pod),
    onUpdate: (old, cur) => servicesToUpdateOnPodChange(servicesOf(cur), old, cur),
    onDelete: (pod) => podServiceMemberships(servicesOf(pod), pod),
  });
  // A deleted Endpoints object is recreated; edits are left alone until the service or its pods change.
  watchWith(controller, endpoints, { onDelete: (ep) => [`${ep.metadata.namespace ?? ''}/${ep.metadata.name ?? ''}`] });
  // Leftover check: once the cache is filled, look at every Endpoints object once (its service
  // may be gone). Leader-election records kept in Endpoints have no service and are skipped.
  void endpoints.hasSynced.then(() => {
    for (const ep of endpoints.lister.list()) {
      if (ep.metadata.annotations?.[ANNOTATION_LEADER] !== undefined) continue;
      controller.queue.add(`${ep.metadata.namespace ?? ''}/${ep.metadata.name ?? ''}`);
    }
  });
  return controller;
}
