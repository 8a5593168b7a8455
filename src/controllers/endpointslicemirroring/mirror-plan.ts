// The mirroring reconciler's decisions, free of I/O (upstream's reconcile and
// reconcileByPortMapping for mirroring): one slice per (address type, ports) group. A group
// without endpoints loses its slices; a new group gets a new slice; otherwise the first existing
// slice is kept and rewritten only if its endpoints, labels, annotations or owner differ, and any
// other slices of the group go. Groups nobody has any more lose their slices, and creates reuse
// slices that would be deleted.

import { jsonEqual } from '../../machinery/index.ts';
import { endpointsEqualBeyondKey, type Endpoints, type EndpointSet, type EndpointSlice } from '../endpointslice/index.ts';
import { groupKey, mirroredAnnotations, mirroredLabels, newMirroredSlice, type MirrorDesired } from './desired.ts';

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export function planMirror(endpoints: Endpoints, existing: readonly EndpointSlice[], desired: MirrorDesired, maxEndpointsPerSubset: number): MirrorPlan {
  const plan: MirrorPlan = { create: [], update: [], delete: [] };
  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const key = groupKey(slice.addressType, slice.ports);
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), slice]);
  }

  for (const [key, group] of desired.groups) {
    const slices = existingByKey.get(key) ?? [];
    if (group.endpoints.size === 0) {
      plan.delete.push(...slices);
      continue;
    }
    const [first, ...rest] = slices;
    plan.delete.push(...rest);
    if (first && upToDate(first, endpoints, group.endpoints)) continue;
    const slice = newMirroredSlice(endpoints, group.ports, group.addressType, first?.metadata.name);
    const eps = (slice.endpoints ??= []);
    while (group.endpoints.size > 0 && eps.length < maxEndpointsPerSubset) eps.push(group.endpoints.pop()!);
    (first ? plan.update : plan.create).push(slice);
  }
  for (const [key, slices] of existingByKey) if (!desired.groups.has(key)) plan.delete.push(...slices);

  recycle(plan);
  return plan;
}

/** The slice already holds exactly the desired endpoints and the Endpoints' labels, annotations and uid. */
function upToDate(slice: EndpointSlice, endpoints: Endpoints, desired: EndpointSet): boolean {
  const have = slice.endpoints ?? [];
  let matches = 0;
  for (const ep of have) {
    const want = desired.get(ep);
    if (!want || !endpointsEqualBeyondKey(want, ep)) return false;
    matches++;
  }
  if (matches !== desired.size) return false;
  // A slice still owned by a deleted-and-recreated Endpoints of the same name is rebuilt.
  const staleOwner = (slice.metadata.ownerReferences ?? []).some(
    (r) => r.kind === 'Endpoints' && r.name === endpoints.metadata.name && r.uid !== endpoints.metadata.uid,
  );
  return (
    !staleOwner &&
    jsonEqual(slice.metadata.labels ?? {}, mirroredLabels(endpoints)) &&
    jsonEqual(slice.metadata.annotations ?? {}, mirroredAnnotations(endpoints))
  );
}

/** Upstream's recycleSlices: a create and a delete of the same address type become one update. */
function recycle(plan: MirrorPlan): void {
  for (let i = plan.create.length - 1; i >= 0; i--) {
    const fresh = plan.create[i]!;
    const j = plan.delete.findIndex((s) => s.addressType === fresh.addressType);
    if (j < 0) continue;
    const victim = plan.delete[j]!;
    const { generateName: _unused, ...meta } = fresh.metadata;
    plan.update.push({ ...fresh, metadata: { ...meta, name: victim.metadata.name ?? '' } });
    plan.create.splice(i, 1);
    plan.delete.splice(j, 1);
  }
}
