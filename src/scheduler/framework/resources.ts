// Resource amounts as the scheduler counts them (upstream's framework.Resource): cpu in millicores,
// memory and ephemeral storage in bytes, the pod slot count, and scalar resources (extended
// resources such as example.com/gpu, hugepages-*). A pod's request follows resourcehelper.PodRequests:
// the sum of its app containers and sidecars, at least the largest init-container phase (an init
// container runs next to the sidecars started before it), plus pod overhead; pod-level requests
// replace the container sum for cpu and memory.

import { quantityToMilli, quantityValue } from '../../machinery/quantity.ts';
import type { Container, PodSpec, ResourceList } from '../api-types.ts';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** Used for scoring a container that sets no cpu request (upstream DefaultMilliCPURequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Used for scoring a container that sets no memory request (upstream DefaultMemoryRequest, 200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** Extended, hugepages and attachable-volume resources; undefined until one is set. */
  scalar: Map<string, number> | undefined;

  static fromList(list: ResourceList | undefined): Resource {
    const r = new Resource();
    if (list) for (const name in list) r.add(name, parseAmount(name, list[name]!));
    return r;
  }

  add(name: string, amount: number): void {
    switch (name) {
      case CPU:
        this.milliCPU += amount;
        return;
      case MEMORY:
        this.memory += amount;
        return;
      case EPHEMERAL_STORAGE:
        this.ephemeralStorage += amount;
        return;
      case PODS:
        this.allowedPodNumber += amount;
        return;
      default:
        if (isScalarResourceName(name)) {
          this.scalar ??= new Map();
          this.scalar.set(name, (this.scalar.get(name) ?? 0) + amount);
        }
    }
  }

  get(name: string): number {
    switch (name) {
      case CPU:
        return this.milliCPU;
      case MEMORY:
        return this.memory;
      case EPHEMERAL_STORAGE:
        return this.ephemeralStorage;
      case PODS:
        return this.allowedPodNumber;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  /** Adds (sign 1) or removes (sign -1) another amount. */
  addResource(other: Resource, sign: 1 | -1 = 1): void {
    this.milliCPU += sign * other.milliCPU;
    this.memory += sign * other.memory;
    this.ephemeralStorage += sign * other.ephemeralStorage;
    this.allowedPodNumber += sign * other.allowedPodNumber;
    if (other.scalar) {
      this.scalar ??= new Map();
      for (const [k, v] of other.scalar) this.scalar.set(k, (this.scalar.get(k) ?? 0) + sign * v);
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.copyFrom(this);
    return r;
  }

  /** Sets this to the amounts of `other` (scalars copied, not shared). */
  copyFrom(other: Resource): void {
    this.milliCPU = other.milliCPU;
    this.memory = other.memory;
    this.ephemeralStorage = other.ephemeralStorage;
    this.allowedPodNumber = other.allowedPodNumber;
    this.scalar = other.scalar ? new Map(other.scalar) : undefined;
  }

  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v !== 0) return false;
    return true;
  }
}

/** Upstream IsScalarResourceName: extended (domain-prefixed), prefixed native, hugepages-*, attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  return name.includes('/') && !name.startsWith('requests.');
}

/** Extended resources: outside the kubernetes.io domain (upstream IsExtendedResourceName). */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.startsWith('requests.')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

const parsed = new Map<string, number>();

/** The amount of one resource: milli for cpu, whole units for everything else. Memoised: pods repeat the same strings. */
export function parseAmount(name: string, raw: string | number): number {
  const key = name === CPU ? `m:${raw}` : `v:${raw}`;
  let v = parsed.get(key);
  if (v === undefined) {
    try {
      v = Number(name === CPU ? quantityToMilli(raw) : quantityValue(raw));
    } catch {
      v = 0;
    }
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(key, v);
  }
  return v;
}

type Amounts = Map<string, number>;

function addInto(target: Amounts, list: Amounts): void {
  for (const [k, v] of list) target.set(k, (target.get(k) ?? 0) + v);
}

function maxInto(target: Amounts, list: Amounts): void {
  for (const [k, v] of list) target.set(k, Math.max(target.get(k) ?? 0, v));
}

function containerAmounts(c: Container, defaults: boolean): Amounts {
  const out: Amounts = new Map();
  const req = c.resources?.requests;
  if (req) for (const name in req) out.set(name, parseAmount(name, req[name]!));
  if (defaults) {
    if (!out.has(CPU)) out.set(CPU, DEFAULT_MILLI_CPU_REQUEST);
    if (!out.has(MEMORY)) out.set(MEMORY, DEFAULT_MEMORY_REQUEST);
  }
  return out;
}

/**
 * A pod's effective requests. With `nonZeroDefaults`, containers missing a cpu or memory request
 * count the scoring defaults (100m, 200Mi) as upstream's NonMissingContainerRequests does.
 */
export function podRequestAmounts(spec: PodSpec | undefined, nonZeroDefaults = false): Amounts {
  const reqs: Amounts = new Map();
  if (!spec) return reqs;
  const podLevel = spec.resources?.requests;
  const podLevelSet = !!podLevel && (podLevel[CPU] !== undefined || podLevel[MEMORY] !== undefined);
  for (const c of spec.containers ?? []) addInto(reqs, containerAmounts(c, nonZeroDefaults && !podLevelSet));
  const sidecars: Amounts = new Map();
  const initMax: Amounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = containerAmounts(c, nonZeroDefaults && !podLevelSet);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, own);
      addInto(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const phase: Amounts = new Map(own);
      addInto(phase, sidecars);
      maxInto(initMax, phase);
    }
  }
  maxInto(reqs, initMax);
  if (podLevelSet) {
    for (const name of [CPU, MEMORY]) {
      const v = podLevel[name];
      if (v !== undefined) reqs.set(name, parseAmount(name, v));
      else if (nonZeroDefaults) reqs.set(name, name === CPU ? DEFAULT_MILLI_CPU_REQUEST : DEFAULT_MEMORY_REQUEST);
    }
  }
  if (spec.overhead) for (const name in spec.overhead) reqs.set(name, (reqs.get(name) ?? 0) + parseAmount(name, spec.overhead[name]!));
  return reqs;
}

export interface PodResources {
  requests: Resource;
  /** cpu (milli) and memory with scoring defaults for missing requests. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
}

export function computePodResources(spec: PodSpec | undefined): PodResources {
  const requests = new Resource();
  for (const [k, v] of podRequestAmounts(spec)) requests.add(k, v);
  const nonZero = podRequestAmounts(spec, true);
  return { requests, nonZeroMilliCPU: nonZero.get(CPU) ?? 0, nonZeroMemory: nonZero.get(MEMORY) ?? 0 };
}
