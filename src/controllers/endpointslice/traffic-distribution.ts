// Topology hints from spec.trafficDistribution (upstream's trafficdist.ReconcileHints): with
// PreferClose every endpoint that knows its zone is hinted for that zone; otherwise no endpoint
// carries hints. Slices the reconciler writes anyway get the hints set; unchanged slices whose
// hints are wrong are returned as extra updates.

import type { Endpoint, EndpointSlice } from './types.ts';

interface Heuristic {
  needsUpdate(slice: EndpointSlice): boolean;
  update(ep: Endpoint): void;
}

const preferClose: Heuristic = {
  needsUpdate: (slice) =>
    (slice.endpoints ?? []).some((ep) => ep.zone !== undefined && (ep.hints?.forZones?.length !== 1 || ep.hints.forZones[0]?.name !== ep.zone)),
  update(ep) {
    if (ep.zone !== undefined) ep.hints = { forZones: [{ name: ep.zone }] };
    else delete ep.hints;
  },
};

const noHints: Heuristic = {
  needsUpdate: (slice) => (slice.endpoints ?? []).some((ep) => ep.hints !== undefined),
  update(ep) {
    delete ep.hints;
  },
};

/**
 * Sets the hints on the endpoints of `create` and `update` (in place) and returns copies of the
 * `unchanged` slices that must be rewritten for their hints, hints already set.
 */
export function applyTrafficDistribution(
  trafficDistribution: string | undefined,
  create: readonly EndpointSlice[],
  update: readonly EndpointSlice[],
  unchanged: readonly EndpointSlice[],
): EndpointSlice[] {
  const h = trafficDistribution === 'PreferClose' ? preferClose : noHints;
  const extra = unchanged.filter((s) => h.needsUpdate(s)).map((s) => structuredClone(s));
  for (const slice of [...create, ...update, ...extra]) for (const ep of slice.endpoints ?? []) h.update(ep);
  return extra;
}
