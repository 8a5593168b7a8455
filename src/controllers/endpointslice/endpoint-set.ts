// Identity and equality of slice endpoints and port lists, as upstream's EndpointSet and
// PortMapKey: an endpoint is identified by its addresses, hostname and target (namespace/name);
// what else it carries (node, zone, conditions, target uid) is compared separately so a changed
// endpoint is updated in place in the slice that already holds it. Ports group endpoints: pods
// whose named target ports resolve differently land in different slices.

import type { Endpoint, EndpointPort, ObjectReference } from './types.ts';

/** The identity of an endpoint (upstream's hashEndpoint). */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

const refFields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'fieldPath'] as const;

/** Equal target references, the resourceVersion ignored (pods change it on every status write). */
export function sameTargetRef(a: ObjectReference | undefined, b: ObjectReference | undefined): boolean {
  if (!a || !b) return a === b;
  return refFields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}

/** Upstream's EndpointsEqualBeyondHash: node, zone, conditions and target of two endpoints with one identity. */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    ca.ready === cb.ready &&
    ca.serving === cb.serving &&
    ca.terminating === cb.terminating &&
    sameTargetRef(a.targetRef, b.targetRef)
  );
}

/** A port with the API defaults filled in (name "", protocol TCP), for comparisons. */
export function canonicalPort(p: EndpointPort): EndpointPort {
  return {
    name: p.name ?? '',
    protocol: p.protocol ?? 'TCP',
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
  };
}

const portText = (p: EndpointPort): string => {
  const c = canonicalPort(p);
  return JSON.stringify([c.name, c.port ?? null, c.protocol, c.appProtocol ?? null]);
};

/** Ports in the one order every slice is written with. */
export const sortPorts = (ports: readonly EndpointPort[]): EndpointPort[] => [...ports].sort((a, b) => (portText(a) < portText(b) ? -1 : portText(a) > portText(b) ? 1 : 0));

/** The key slices are grouped by: the set of ports, in any order. */
export const portMapKey = (ports: readonly EndpointPort[] | null | undefined): string => JSON.stringify((ports ?? []).map(portText).sort());

/**
 * Desired endpoints keyed by identity, taken out as they are placed. Iteration and `pop` follow
 * insertion order, so a sync is deterministic.
 */
export class EndpointSet {
  readonly #items = new Map<string, Endpoint>();

  get size(): number {
    return this.#items.size;
  }

  /** Adds `ep`, replacing an endpoint with its identity (which keeps its place in the order). */
  insert(ep: Endpoint): void {
    this.#items.set(endpointKey(ep), ep);
  }

  get(ep: Endpoint): Endpoint | undefined {
    return this.#items.get(endpointKey(ep));
  }

  delete(ep: Endpoint): void {
    this.#items.delete(endpointKey(ep));
  }

  pop(): Endpoint | undefined {
    const first = this.#items.entries().next();
    if (first.done) return undefined;
    this.#items.delete(first.value[0]);
    return first.value[1];
  }

  values(): Endpoint[] {
    return [...this.#items.values()];
  }
}
