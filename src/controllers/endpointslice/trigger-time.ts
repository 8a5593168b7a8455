// Upstream's TriggerTimeTracker: the value of the endpoints.kubernetes.io/last-change-trigger-time
// annotation, which tells the network programming latency SLI when the change that an Endpoints or
// EndpointSlice write reflects happened. Per service it remembers the trigger times seen at the
// previous sync (each pod's Ready transition, the service's creation) and reports the earliest one
// that moved since; a service seen for the first time reports its creation time.

import type { EndpointPod, Service } from './types.ts';
import { podCondition } from '../util/pods.ts';

interface ServiceState {
  pods: Map<string, number>;
  service: number;
}

const parse = (t: string | undefined): number => (t ? Date.parse(t) || 0 : 0);

/** The earlier of two instants where 0 means "none". */
const earliest = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

export class TriggerTimeTracker {
  readonly #states = new Map<string, ServiceState>();

  /** Updates the state of `service` and returns the trigger time to publish in ms (0: none, drop the annotation). */
  compute(service: Service, pods: readonly EndpointPod[]): number {
    const key = `${service.metadata.namespace ?? ''}/${service.metadata.name ?? ''}`;
    const state = this.#states.get(key);
    let min = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parse(podCondition(pod, 'Ready')?.lastTransitionTime);
      if (t === 0) continue;
      const name = pod.metadata.name ?? '';
      podTimes.set(name, t);
      if (t > (state?.pods.get(name) ?? 0)) min = earliest(min, t);
    }
    const serviceTime = parse(service.metadata.creationTimestamp);
    if (serviceTime > (state?.service ?? 0)) min = earliest(min, serviceTime);
    this.#states.set(key, { pods: podTimes, service: serviceTime });
    return state ? min : serviceTime;
  }

  deleteService(namespace: string, name: string): void {
    this.#states.delete(`${namespace}/${name}`);
  }
}

/** The annotation's text: Go's RFC3339Nano in UTC, trailing zeros of the fraction dropped. */
export const formatTriggerTime = (ms: number): string => new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
