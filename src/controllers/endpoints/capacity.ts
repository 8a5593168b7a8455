// Upstream's Endpoints capacity limit: an Endpoints object holds at most 1000 addresses (bigger
// services are for EndpointSlices). Beyond that the controller keeps ready addresses before
// not-ready ones, shares the room among subsets in proportion to their size (rounding up, so the
// last subsets may get less), and marks the object endpoints.kubernetes.io/over-capacity=truncated.

import type { EndpointSubset } from '../endpointslice/index.ts';

export const MAX_ENDPOINTS_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const OVER_CAPACITY_TRUNCATED = 'truncated';

/** The subsets cut to `max` addresses; `truncated` tells whether anything was cut. */
export function truncateSubsets(subsets: readonly EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= max) return { subsets: [...subsets], truncated: false };

  // Too many ready addresses: share the room among them and drop every not-ready one. Otherwise
  // every ready address stays and the not-ready ones share what is left.
  const truncateReady = totalReady > max;
  const room = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = room;
  const out: EndpointSubset[] = [];
  for (const s of subsets) {
    const pool = (truncateReady ? s.addresses : s.notReadyAddresses) ?? [];
    const share = Math.min(Math.ceil((pool.length / total) * room), left);
    const kept = pool.slice(0, share);
    left -= kept.length;
    const next: EndpointSubset = truncateReady
      ? { ...(kept.length ? { addresses: kept } : {}), ...(s.ports?.length ? { ports: s.ports } : {}) }
      : { ...(s.addresses?.length ? { addresses: s.addresses } : {}), ...(kept.length ? { notReadyAddresses: kept } : {}), ...(s.ports?.length ? { ports: s.ports } : {}) };
    // A subset left without any address would be invalid; upstream would fail validation on it.
    if (next.addresses || next.notReadyAddresses) out.push(next);
  }
  return { subsets: out, truncated: true };
}
