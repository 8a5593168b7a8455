// Upstream's EndpointSlice controller: for every Service with a selector, EndpointSlices labelled
// kubernetes.io/service-name and managed-by endpointslice-controller.k8s.io list the pods it
// selects (ready, serving, terminating), at most maxEndpointsPerSlice per slice, owned by the
// Service so the garbage collector removes them with it. Selector-less services are left to
// whoever writes their endpoints (the mirroring controller for custom Endpoints). Keys are
// services; pods wake the services that select them, slices wake their service when someone
// other than this controller changed them.

import type { KubeObject } from '../../api/types.ts';
import { splitKey, type Informer } from '../../client/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from '../util/refs.ts';
import { watchWith } from './informer-events.ts';
import { hasSelector, isExternalName, isNamespaceTerminating, podServiceMemberships, selectsPod, servicesToUpdateOnPodChange } from './pod-endpoints.ts';
import { SliceReconciler } from './reconciler.ts';
import { SliceTracker } from './slice-tracker.ts';
import { TriggerTimeTracker } from './trigger-time.ts';
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, type EndpointPod, type EndpointSlice, type Service } from './types.ts';

export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

/** Informer index of EndpointSlices by "namespace/service-name label" (shared with the mirroring controller). */
export const SLICES_BY_SERVICE_INDEX = 'endpointslices:service-name';

export const slicesByServiceIndex = (slice: KubeObject): string[] => {
  const name = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return name ? [`${slice.metadata.namespace ?? ''}/${name}`] : [];
};

export interface EndpointSliceControllerOptions {
  /** Upstream's --max-endpoints-per-slice (100). */
  maxEndpointsPerSlice?: number;
  /** Upstream's --concurrent-service-endpoint-syncs (5). */
  workers?: number;
}

export class EndpointSliceSync implements Reconciler {
  readonly #ctx: ControllerContext;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<EndpointPod>;
  readonly #nodes: Informer;
  readonly #slices: Informer<EndpointSlice>;
  readonly #tracker: SliceTracker;
  readonly #triggerTimes = new TriggerTimeTracker();
  readonly #reconciler: SliceReconciler;

  constructor(
    ctx: ControllerContext,
    informers: { services: Informer<Service>; pods: Informer<EndpointPod>; nodes: Informer; slices: Informer<EndpointSlice> },
    tracker: SliceTracker,
    maxEndpointsPerSlice: number,
  ) {
    this.#ctx = ctx;
    this.#services = informers.services;
    this.#pods = informers.pods;
    this.#nodes = informers.nodes;
    this.#slices = informers.slices;
    this.#tracker = tracker;
    this.#reconciler = new SliceReconciler({
      client: ctx.client,
      tracker,
      maxEndpointsPerSlice,
      controllerName: ENDPOINTSLICE_CONTROLLER_NAME,
      ...(ctx.logger ? { logger: ctx.logger } : {}),
    });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.lister.get(namespace, name);
    if (!svc) {
      // Its slices go with it through their owner references.
      this.#triggerTimes.deleteService(namespace, name);
      this.#tracker.deleteService(namespace, name);
      return;
    }
    // ExternalName services have no endpoints; selector-less ones get theirs from elsewhere.
    if (isExternalName(svc) || !hasSelector(svc)) return;
    const pods = this.#pods.lister.list(namespace).filter((p) => selectsPod(svc, p));
    const slices = this.#slices.lister
      .byIndex(SLICES_BY_SERVICE_INDEX, key)
      .filter((s) => s.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME && !s.metadata.deletionTimestamp);
    if (this.#tracker.staleSlices(namespace, name, slices)) throw new Error(`EndpointSlice informer cache is out of date for service ${key}`);
    const triggerTime = this.#triggerTimes.compute(svc, pods);
    try {
      await this.#reconciler.reconcile({ service: svc, pods, slices, triggerTime, node: (n) => this.#nodes.lister.get(undefined, n) }, signal);
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      if (!signal.aborted) {
        void this.#ctx.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`);
      }
      throw err;
    }
  }
}

export function endpointSliceController(ctx: ControllerContext, options: EndpointSliceControllerOptions = {}): Controller {
  const services = ctx.informers.informerFor<Service>(SERVICES);
  const pods = ctx.informers.informerFor<EndpointPod>(PODS);
  const nodes = ctx.informers.informerFor(NODES);
  const slices = ctx.informers.informerFor<EndpointSlice>(ENDPOINT_SLICES, { indexers: { [SLICES_BY_SERVICE_INDEX]: slicesByServiceIndex } });
  const tracker = new SliceTracker();
  const reconciler = new EndpointSliceSync(ctx, { services, pods, nodes, slices }, tracker, options.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE);
  const controller = new Controller({ name: 'endpointslice', reconciler, workers: options.workers ?? 5, ...common(ctx) });
  controller.watch(services);
  const servicesOf = (pod: EndpointPod): Service[] => services.lister.list(pod.metadata.namespace ?? '');
  watchWith(controller, pods, {
    onAdd: (pod) => podServiceMemberships(servicesOf(pod), pod),
    onUpdate: (old, cur) => servicesToUpdateOnPodChange(servicesOf(cur), old, cur),
    onDelete: (pod) => podServiceMemberships(servicesOf(pod), pod),
  });
  const ours = (s: EndpointSlice): boolean => s.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME;
  watchWith(controller, slices, {
    onAdd: (s) => (ours(s) && tracker.shouldSync(s) ? slicesByServiceIndex(s) : []),
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return [];
      if (old.metadata.labels?.[LABEL_SERVICE_NAME] !== cur.metadata.labels?.[LABEL_SERVICE_NAME]) return [...slicesByServiceIndex(old), ...slicesByServiceIndex(cur)];
      return ours(old) !== ours(cur) || (ours(cur) && tracker.shouldSync(cur)) ? slicesByServiceIndex(cur) : [];
    },
    // A deletion this controller did not issue (a user, the garbage collector) is repaired.
    onDelete: (s) => (ours(s) && !tracker.handleDeletion(s) ? slicesByServiceIndex(s) : []),
  });
  watchWith(controller, nodes);
  return controller;
}
