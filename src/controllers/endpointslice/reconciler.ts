// Carries out a slice plan for one service (upstream's reconciler finalize): creates (not while
// the service is being deleted, so the garbage collector is not raced), then updates, then
// deletes, each write recorded in the tracker; the trigger time annotation goes on every slice
// written. Pods left out of the plan make the sync fail after the writes, so it is retried.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { ENDPOINT_SLICES } from '../util/refs.ts';
import { planSlices, type SlicePlan } from './planner.ts';
import { isNamespaceTerminating } from './pod-endpoints.ts';
import type { SliceTracker } from './slice-tracker.ts';
import { formatTriggerTime } from './trigger-time.ts';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, type EndpointPod, type EndpointSlice, type Service } from './types.ts';

export interface SliceReconcilerOptions {
  client: RestClient;
  tracker: SliceTracker;
  maxEndpointsPerSlice: number;
  controllerName: string;
  logger?: Logger;
}

export interface ReconcileInput {
  service: Service;
  pods: readonly EndpointPod[];
  slices: readonly EndpointSlice[];
  node: (name: string) => KubeObject | undefined;
  /** ms; 0 drops the annotation. */
  triggerTime: number;
}

export class SliceReconciler {
  readonly #o: SliceReconcilerOptions;

  constructor(options: SliceReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(input: ReconcileInput, signal?: AbortSignal): Promise<SlicePlan> {
    const plan = planSlices({ ...input, maxEndpointsPerSlice: this.#o.maxEndpointsPerSlice, controllerName: this.#o.controllerName });
    await this.#finalize(input.service, plan, input.triggerTime, signal);
    if (plan.errors.length > 0) throw new Error(plan.errors.join('; '));
    return plan;
  }

  async #finalize(svc: Service, plan: SlicePlan, triggerTime: number, signal: AbortSignal | undefined): Promise<void> {
    const { client, tracker } = this.#o;
    const namespace = svc.metadata.namespace ?? '';
    const ref = { ...ENDPOINT_SLICES, namespace };
    const opts = signal ? { signal } : {};
    if (!svc.metadata.deletionTimestamp) {
      for (const slice of plan.create) {
        setTriggerTime(slice, triggerTime);
        try {
          tracker.update(await client.create<EndpointSlice>(ref, slice, opts));
        } catch (err) {
          // Creates keep failing in a terminating namespace: drop the key, as upstream does.
          if (isNamespaceTerminating(err)) return;
          throw err;
        }
      }
    }
    for (const slice of plan.update) {
      setTriggerTime(slice, triggerTime);
      tracker.update(await client.update<EndpointSlice>({ ...ref, name: slice.metadata.name ?? '' }, slice, opts));
    }
    for (const slice of plan.delete) {
      try {
        await client.delete({ ...ref, name: slice.metadata.name ?? '' }, opts);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      tracker.expectDeletion(slice);
    }
    if (plan.create.length + plan.update.length + plan.delete.length > 0) {
      this.#o.logger?.debug(
        { service: `${namespace}/${svc.metadata.name ?? ''}`, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length },
        'endpoint slices written',
      );
    }
  }
}

function setTriggerTime(slice: EndpointSlice, ms: number): void {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (ms > 0) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = formatTriggerTime(ms);
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  if (Object.keys(annotations).length > 0) slice.metadata.annotations = annotations;
  else delete slice.metadata.annotations;
}
