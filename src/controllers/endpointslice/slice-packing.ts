// Upstream's reconcileByPortMapping: given the slices that exist for one port list and the
// endpoints that should exist, decide which slices to create, update and delete with as few
// writes as possible. Endpoints stay in the slice that holds them (updated in place when they
// changed); slices left empty are deleted; new endpoints first fill the slices that change
// anyway, fullest first; the rest go into the unchanged slice they fit closest, then into new
// slices of at most maxEndpointsPerSlice.

import { jsonEqual } from '../../machinery/index.ts';
import { sliceLabels, newSlice } from './desired.ts';
import { endpointsEqualBeyondKey, type EndpointSet } from './endpoint-set.ts';
import type { AddressType, Endpoint, EndpointPort, EndpointSlice, Service } from './types.ts';

export interface PortMappingInput {
  service: Service;
  /** This controller's slices of the service with these ports and address type. */
  existing: readonly EndpointSlice[];
  /** The endpoints these slices should hold; consumed. */
  desired: EndpointSet;
  ports: readonly EndpointPort[];
  addressType: AddressType;
  maxEndpointsPerSlice: number;
  controllerName: string;
}

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Endpoints that were not in any slice, and endpoints dropped from slices (for logs). */
  added: number;
  removed: number;
}

const endpointsOf = (s: EndpointSlice): Endpoint[] => s.endpoints ?? [];

/** A copy of the slice to change (the informer's object is shared and frozen in spirit). */
const copy = (s: EndpointSlice): EndpointSlice => structuredClone(s);

export function reconcilePortMapping(input: PortMappingInput): SliceChanges {
  const { desired, maxEndpointsPerSlice: max } = input;
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  let removed = 0;
  const labels = sliceLabels(input.service, input.controllerName);

  // 1. Keep the desired endpoints where they are, dropping the others.
  for (const existing of input.existing) {
    const name = existing.metadata.name ?? '';
    byName.set(name, existing);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of endpointsOf(existing)) {
      const want = desired.get(ep);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) changed = true;
      desired.delete(ep);
    }
    const labelsChanged = !jsonEqual(existing.metadata.labels ?? {}, labels);
    if (changed || kept.length !== endpointsOf(existing).length) {
      removed += endpointsOf(existing).length - kept.length;
      if (kept.length === 0) {
        toDelete.add(name);
      } else {
        const next = copy(existing);
        next.endpoints = kept;
        next.metadata.labels = { ...labels };
        byName.set(name, next);
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      const next = copy(existing);
      next.metadata.labels = { ...labels };
      byName.set(name, next);
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  const added = desired.size;

  // 2. Top up the slices that are written anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => endpointsOf(b).length - endpointsOf(a).length);
    for (const slice of slices) fill(slice, desired, max);
  }

  // 3. Whatever is left goes into the unchanged slice it fits best, or into new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let target: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const best = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (best) {
        target = copy(best);
        byName.set(best.metadata.name ?? '', target);
      }
    }
    target ??= newSlice(input.service, input.ports, input.addressType, input.controllerName);
    fill(target, desired, max);
    const name = target.metadata.name;
    if (name) {
      target.metadata.labels = { ...labels };
      toUpdate.add(name);
      unchanged.delete(name);
    } else {
      create.push(target);
    }
  }

  return {
    create,
    update: [...toUpdate].map((n) => byName.get(n)!),
    delete: [...toDelete].map((n) => byName.get(n)!),
    added,
    removed,
  };
}

function fill(slice: EndpointSlice, desired: EndpointSet, max: number): void {
  const eps = (slice.endpoints ??= []);
  while (desired.size > 0 && eps.length < max) eps.push(desired.pop()!);
}

/**
 * The slice that ends up closest to full when `count` endpoints are added to it, if any has room
 * (upstream's getSliceToFill).
 */
export function sliceToFill(slices: readonly EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let closest = max;
  for (const slice of slices) {
    const diff = max - (count + endpointsOf(slice).length);
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = slice;
      if (diff === 0) break;
    }
  }
  return best;
}

/**
 * Upstream's finalize step: rather than create one slice and delete another of the same address
 * type, rewrite the one to delete (when this service owns it) with the new content.
 */
export function recycleSlices(changes: Pick<SliceChanges, 'create' | 'update' | 'delete'>, ownedByService: (s: EndpointSlice) => boolean): void {
  for (let i = 0; i < changes.delete.length && changes.create.length > 0; ) {
    const victim = changes.delete[i]!;
    const fresh = changes.create[changes.create.length - 1]!;
    if (victim.addressType === fresh.addressType && ownedByService(victim)) {
      const { generateName: _unused, ...meta } = fresh.metadata;
      changes.update.push({ ...fresh, metadata: { ...meta, name: victim.metadata.name ?? '' } });
      changes.create.pop();
      changes.delete.splice(i, 1);
    } else {
      i++;
    }
  }
}
