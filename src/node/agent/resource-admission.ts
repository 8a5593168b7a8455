// Pod admission as upstream's kubelet does it before starting a pod (for the node agent and the
// simulator): the pod's effective requests (containers summed, init containers at their peak, sidecars running alongside, plus overhead)
// must fit the node's allocatable minus what the admitted, still-active pods request, and the
// pod count must stay within allocatable pods. A rejected pod ends Failed with reason
// OutOf<resource> and "Pod was rejected: Node didn't have enough resource: …", the first
// insufficient resource in upstream's order (pods, cpu, memory, ephemeral-storage).

import { quantityToMilli, quantityValue } from '../../machinery/index.ts';

export interface Resources {
  milliCpu: number;
  /** bytes */
  memory: number;
  /** bytes */
  ephemeralStorage: number;
}

export interface Allocatable extends Resources {
  pods: number;
}

export interface Rejection {
  reason: string;
  message: string;
}

export const ZERO: Readonly<Resources> = Object.freeze({ milliCpu: 0, memory: 0, ephemeralStorage: 0 });

interface ContainerResources {
  restartPolicy?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

export interface PodResourceSpec {
  containers?: ContainerResources[];
  initContainers?: ContainerResources[];
  overhead?: Record<string, unknown>;
}

function quantity(raw: unknown, milli: boolean): number {
  if (typeof raw !== 'string' && typeof raw !== 'number') return 0;
  try {
    return Number(milli ? quantityToMilli(raw) : quantityValue(raw));
  } catch {
    return 0;
  }
}

/** Requests of a resource list (as the API defaults them: a limit without a request is the request). */
function fromList(list: Record<string, unknown> | undefined, limits?: Record<string, unknown>): Resources {
  const pick = (name: string): unknown => list?.[name] ?? limits?.[name];
  return { milliCpu: quantity(pick('cpu'), true), memory: quantity(pick('memory'), false), ephemeralStorage: quantity(pick('ephemeral-storage'), false) };
}

const containerRequests = (c: ContainerResources): Resources => fromList(c.resources?.requests, c.resources?.limits);

export const add = (a: Resources, b: Resources): Resources => ({ milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory, ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage });
export const subtract = (a: Resources, b: Resources): Resources => ({ milliCpu: a.milliCpu - b.milliCpu, memory: a.memory - b.memory, ephemeralStorage: a.ephemeralStorage - b.ephemeralStorage });
const max = (a: Resources, b: Resources): Resources => ({ milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory), ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage) });

/** Upstream's PodRequests: what the pod holds on the node while it runs. */
export function podRequests(spec: PodResourceSpec): Resources {
  let reqs = (spec.containers ?? []).reduce<Resources>((sum, c) => add(sum, containerRequests(c)), ZERO);
  let sidecars: Resources = ZERO;
  let initPeak: Resources = ZERO;
  for (const ic of spec.initContainers ?? []) {
    let r = containerRequests(ic);
    if (ic.restartPolicy === 'Always') {
      // A sidecar keeps running next to the app containers and every later init container.
      reqs = add(reqs, r);
      sidecars = add(sidecars, r);
      r = sidecars;
    } else {
      r = add(r, sidecars);
    }
    initPeak = max(initPeak, r);
  }
  reqs = max(reqs, initPeak);
  return spec.overhead ? add(reqs, fromList(spec.overhead)) : reqs;
}

/** Parses capacity-style quantities into the numbers admission compares. */
export function allocatableFrom(list: { cpu: string; memory: string; pods: string | number; 'ephemeral-storage': string }): Allocatable {
  return {
    milliCpu: quantity(list.cpu, true),
    memory: quantity(list.memory, false),
    ephemeralStorage: quantity(list['ephemeral-storage'], false),
    pods: Number(list.pods),
  };
}

/**
 * Why the node cannot take a pod requesting `request` when `podCount` admitted pods already
 * request `used`, or undefined when it fits.
 */
export function admit(request: Resources, allocatable: Allocatable, used: Resources, podCount: number): Rejection | undefined {
  const short: [string, number, number, number][] = [];
  if (podCount + 1 > allocatable.pods) short.push(['pods', 1, podCount, allocatable.pods]);
  if (request.milliCpu > 0 && request.milliCpu > allocatable.milliCpu - used.milliCpu) short.push(['cpu', request.milliCpu, used.milliCpu, allocatable.milliCpu]);
  if (request.memory > 0 && request.memory > allocatable.memory - used.memory) short.push(['memory', request.memory, used.memory, allocatable.memory]);
  if (request.ephemeralStorage > 0 && request.ephemeralStorage > allocatable.ephemeralStorage - used.ephemeralStorage) {
    short.push(['ephemeral-storage', request.ephemeralStorage, used.ephemeralStorage, allocatable.ephemeralStorage]);
  }
  const first = short[0];
  if (!first) return undefined;
  const [name, requested, usedNow, capacity] = first;
  return {
    reason: `OutOf${name}`,
    message: `Pod was rejected: Node didn't have enough resource: ${name}, requested: ${requested}, used: ${usedNow}, capacity: ${capacity}`,
  };
}
