// Upstream's RepackSubsets: Endpoints subsets in their one canonical layout. Every (address, port)
// pair is expanded, an address that is not ready on some port counts as not ready there, and the
// addresses are regrouped so each subset holds the ports that share exactly the same addresses
// (and readiness). Everything is sorted, so two sets of subsets saying the same thing compare equal
// and a controller that writes only on change never churns.

import { jsonEqual } from '../../machinery/index.ts';
import type { EndpointAddress, EndpointsPort, EndpointSubset } from '../endpointslice/index.ts';

/** Addresses are deduplicated by IP and target uid (two pods may briefly share an IP). */
const addressKey = (a: EndpointAddress): string => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;

const portKey = (p: EndpointsPort | undefined): string =>
  p === undefined ? '' : JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);

/** Upstream's LessEndpointAddress: by IP, then target uid (no target first). */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef ? (a.targetRef.uid ?? '') : undefined;
  const ub = b.targetRef ? (b.targetRef.uid ?? '') : undefined;
  if (ua === ub) return 0;
  if (ub === undefined) return 1;
  if (ua === undefined) return -1;
  return ua < ub ? -1 : 1;
}

const comparePorts = (a: EndpointsPort, b: EndpointsPort): number => {
  const ka = portKey(a);
  const kb = portKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

interface PortGroup {
  port: EndpointsPort | undefined;
  /** address key → ready */
  addresses: Map<string, boolean>;
}

export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const all = new Map<string, EndpointAddress>();
  const byPort = new Map<string, PortGroup>();
  const add = (addr: EndpointAddress, port: EndpointsPort | undefined, ready: boolean): void => {
    const key = addressKey(addr);
    if (!all.has(key)) all.set(key, structuredClone(addr));
    const pk = portKey(port);
    let group = byPort.get(pk);
    if (!group) byPort.set(pk, (group = { port, addresses: new Map() }));
    // Not ready on any one declaration of this port means not ready on it.
    if (group.addresses.get(key) !== false) group.addresses.set(key, ready);
  };
  for (const subset of subsets) {
    // Addresses without ports are kept under a no-port sentinel, not dropped.
    const ports: (EndpointsPort | undefined)[] = subset.ports?.length ? subset.ports : [undefined];
    for (const port of ports) {
      for (const a of subset.addresses ?? []) add(a, port, true);
      for (const a of subset.notReadyAddresses ?? []) add(a, port, false);
    }
  }

  // Regroup: ports whose address sets (with readiness) are identical share a subset.
  const byAddressSet = new Map<string, { addresses: Map<string, boolean>; ports: EndpointsPort[] }>();
  for (const group of byPort.values()) {
    const members = [...group.addresses.entries()].sort(([a], [b]) => compareAddresses(all.get(a)!, all.get(b)!));
    const key = JSON.stringify(members);
    let entry = byAddressSet.get(key);
    if (!entry) byAddressSet.set(key, (entry = { addresses: group.addresses, ports: [] }));
    if (group.port) entry.ports.push(group.port);
  }

  const out: EndpointSubset[] = [];
  for (const { addresses, ports } of byAddressSet.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [key, isReady] of addresses) (isReady ? ready : notReady).push(all.get(key)!);
    ready.sort(compareAddresses);
    notReady.sort(compareAddresses);
    out.push({
      ...(ready.length ? { addresses: ready } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady } : {}),
      ...(ports.length ? { ports: ports.map((p) => ({ ...p })).sort(comparePorts) } : {}),
    });
  }
  return out.sort((a, b) => {
    const ka = JSON.stringify(a);
    const kb = JSON.stringify(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** The subsets without what does not matter for a comparison: empty lists, targets' resourceVersion. */
function comparable(subsets: readonly EndpointSubset[] | null | undefined): unknown {
  const addr = (a: EndpointAddress): EndpointAddress => {
    if (!a.targetRef?.resourceVersion) return a;
    const { resourceVersion: _rv, ...targetRef } = a.targetRef;
    return { ...a, targetRef };
  };
  return (subsets ?? []).map((s) => ({
    ...(s.addresses?.length ? { addresses: s.addresses.map(addr) } : {}),
    ...(s.notReadyAddresses?.length ? { notReadyAddresses: s.notReadyAddresses.map(addr) } : {}),
    ...(s.ports?.length ? { ports: s.ports } : {}),
  }));
}

/** Upstream's endpointSubsetsEqualIgnoreResourceVersion. */
export const subsetsEqual = (a: readonly EndpointSubset[] | null | undefined, b: readonly EndpointSubset[] | null | undefined): boolean =>
  jsonEqual(comparable(a), comparable(b));
