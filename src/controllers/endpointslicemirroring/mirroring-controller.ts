// Upstream's EndpointSlice mirroring controller: custom Endpoints of a Service without a selector
// (written by hand or by another controller) are mirrored into EndpointSlices managed by
// endpointslicemirroring-controller.k8s.io and owned by the Endpoints, so consumers that read only
// slices (the proxy, DNS) see them too. Endpoints labelled endpointslice.kubernetes.io/skip-mirror
// (the apiserver's own `kubernetes` one) or holding a leader-election record are not mirrored.
// The mirrored slices go when the Endpoints or the Service go, or the Service gains a selector.
// Keys are "namespace/name" of both the Endpoints and its Service.

import { splitKey, type Informer } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import {
  ANNOTATION_LEADER,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SKIP_MIRROR,
  MIRRORING_CONTROLLER_NAME,
  SLICES_BY_SERVICE_INDEX,
  SliceTracker,
  hasSelector,
  isNamespaceTerminating,
  slicesByServiceIndex,
  watchWith,
  type Endpoints,
  type EndpointSlice,
  type Service,
} from '../endpointslice/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';
import { ENDPOINT_SLICES, ENDPOINTS, SERVICES } from '../util/refs.ts';
import { mirrorDesired } from './desired.ts';
import { planMirror, type MirrorPlan } from './mirror-plan.ts';

export const DEFAULT_MAX_ENDPOINTS_PER_SUBSET = 1000;

export interface MirroringControllerOptions {
  /** Upstream's --mirroring-max-endpoints-per-subset (1000). */
  maxEndpointsPerSubset?: number;
  /** Upstream's --mirroring-concurrent-service-endpoint-syncs (5). */
  workers?: number;
}

/** Whether an Endpoints object is mirrored at all (a Service without selector is checked separately). */
export const shouldMirror = (ep: Endpoints | undefined): ep is Endpoints =>
  !!ep && ep.metadata.labels?.[LABEL_SKIP_MIRROR] !== 'true' && ep.metadata.annotations?.[ANNOTATION_LEADER] === undefined;

const isMirrored = (s: EndpointSlice): boolean => s.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME;

const keyOf = (obj: { metadata: { namespace?: string; name?: string } }): string => `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;

export class MirroringSync implements Reconciler {
  readonly #ctx: ControllerContext;
  readonly #services: Informer<Service>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #tracker: SliceTracker;
  readonly #max: number;

  constructor(
    ctx: ControllerContext,
    informers: { services: Informer<Service>; endpoints: Informer<Endpoints>; slices: Informer<EndpointSlice> },
    tracker: SliceTracker,
    maxEndpointsPerSubset: number,
  ) {
    this.#ctx = ctx;
    this.#services = informers.services;
    this.#endpoints = informers.endpoints;
    this.#slices = informers.slices;
    this.#tracker = tracker;
    this.#max = maxEndpointsPerSubset;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const mirrored = this.#slices.lister.byIndex(SLICES_BY_SERVICE_INDEX, key).filter(isMirrored);
    const endpoints = this.#endpoints.lister.get(namespace, name);
    const svc = this.#services.lister.get(namespace, name);
    if (!shouldMirror(endpoints) || !svc || hasSelector(svc)) {
      this.#tracker.deleteService(namespace, name);
      return this.#deleteAll(namespace, mirrored, signal);
    }
    const slices = mirrored.filter((s) => !s.metadata.deletionTimestamp);
    if (this.#tracker.staleSlices(namespace, name, slices)) throw new Error(`EndpointSlice informer cache is out of date for endpoints ${key}`);

    const desired = mirrorDesired(endpoints, this.#max);
    if (desired.invalid > 0) {
      void this.#ctx.recorder.event(endpoints, 'Warning', 'InvalidIPAddress', `Skipped ${desired.invalid} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (desired.skipped > desired.invalid) {
      void this.#ctx.recorder.event(
        endpoints,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${this.#max} addresses can be mirrored to EndpointSlices per Endpoints subset. ${desired.skipped} addresses were skipped`,
      );
    }
    await this.#finalize(endpoints, planMirror(endpoints, slices, desired, this.#max), signal);
  }

  async #finalize(endpoints: Endpoints, plan: MirrorPlan, signal: AbortSignal): Promise<void> {
    const { client } = this.#ctx;
    const ref = { ...ENDPOINT_SLICES, namespace: endpoints.metadata.namespace ?? '' };
    // No new slices for an Endpoints object on its way out.
    if (!endpoints.metadata.deletionTimestamp) {
      for (const slice of plan.create) {
        try {
          this.#tracker.update(await client.create<EndpointSlice>(ref, slice, { signal }));
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          throw err;
        }
      }
    }
    for (const slice of plan.update) {
      this.#tracker.update(await client.update<EndpointSlice>({ ...ref, name: slice.metadata.name ?? '' }, slice, { signal }));
    }
    await this.#deleteAll(ref.namespace, plan.delete, signal);
  }

  async #deleteAll(namespace: string, slices: readonly EndpointSlice[], signal: AbortSignal): Promise<void> {
    for (const slice of slices) {
      try {
        await this.#ctx.client.delete({ ...ENDPOINT_SLICES, namespace, name: slice.metadata.name ?? '' }, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.#tracker.expectDeletion(slice);
    }
  }
}

export function endpointSliceMirroringController(ctx: ControllerContext, options: MirroringControllerOptions = {}): Controller {
  const services = ctx.informers.informerFor<Service>(SERVICES);
  const endpoints = ctx.informers.informerFor<Endpoints>(ENDPOINTS);
  const slices = ctx.informers.informerFor<EndpointSlice>(ENDPOINT_SLICES, { indexers: { [SLICES_BY_SERVICE_INDEX]: slicesByServiceIndex } });
  const tracker = new SliceTracker();
  const reconciler = new MirroringSync(ctx, { services, endpoints, slices }, tracker, options.maxEndpointsPerSubset ?? DEFAULT_MAX_ENDPOINTS_PER_SUBSET);
  const controller = new Controller({ name: 'endpointslicemirroring', reconciler, workers: options.workers ?? 5, ...common(ctx) });
  watchWith(controller, services, {
    onAdd: (svc) => (hasSelector(svc) ? [] : [keyOf(svc)]),
    onUpdate: (old, cur) => (hasSelector(old) !== hasSelector(cur) ? [keyOf(cur)] : []),
    onDelete: (svc) => (hasSelector(svc) ? [] : [keyOf(svc)]),
  });
  watchWith(controller, endpoints, {
    onAdd: (ep) => (shouldMirror(ep) ? [keyOf(ep)] : []),
    onUpdate: (old, cur) => (old.metadata.resourceVersion !== cur.metadata.resourceVersion && (shouldMirror(old) || shouldMirror(cur)) ? [keyOf(cur)] : []),
    onDelete: (ep) => (shouldMirror(ep) ? [keyOf(ep)] : []),
  });
  watchWith(controller, slices, {
    onAdd: (s) => (isMirrored(s) && tracker.shouldSync(s) ? slicesByServiceIndex(s) : []),
    onUpdate: (old, cur) => {
      if (old.metadata.labels?.[LABEL_SERVICE_NAME] !== cur.metadata.labels?.[LABEL_SERVICE_NAME]) return [...slicesByServiceIndex(old), ...slicesByServiceIndex(cur)];
      return isMirrored(old) !== isMirrored(cur) || (isMirrored(cur) && tracker.shouldSync(cur)) ? slicesByServiceIndex(cur) : [];
    },
    // A deletion this controller did not issue (a user, the garbage collector) is repaired.
    onDelete: (s) => (isMirrored(s) && !tracker.handleDeletion(s) ? slicesByServiceIndex(s) : []),
  });
  return controller;
}
