// Nodes grouped by zone, listed round-robin across zones (upstream nodeTree), so that scoring only
// a sample of nodes (percentageOfNodesToScore) still sees every zone.

import type { Node } from '../api-types.ts';

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

/** Upstream utilnode.GetZoneKey: "region:\0:zone", or "" for a node without either label. */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const region = REGION_LABELS.map((l) => labels[l]).find((v) => v !== undefined) ?? '';
  const zone = ZONE_LABELS.map((l) => labels[l]).find((v) => v !== undefined) ?? '';
  if (!region && !zone) return '';
  return `${region}:\x00:${zone}`;
}

export class NodeTree {
  readonly #zones = new Map<string, string[]>();
  readonly #zoneOf = new Map<string, string>();

  get numNodes(): number {
    return this.#zoneOf.size;
  }

  add(node: Node): void {
    const name = node.metadata.name ?? '';
    const zone = zoneKey(node);
    const current = this.#zoneOf.get(name);
    if (current === zone) return;
    if (current !== undefined) this.#removeName(name, current);
    let list = this.#zones.get(zone);
    if (!list) this.#zones.set(zone, (list = []));
    list.push(name);
    this.#zoneOf.set(name, zone);
  }

  remove(name: string): void {
    const zone = this.#zoneOf.get(name);
    if (zone !== undefined) this.#removeName(name, zone);
  }

  #removeName(name: string, zone: string): void {
    const list = this.#zones.get(zone);
    if (list) {
      const i = list.indexOf(name);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#zones.delete(zone);
    }
    this.#zoneOf.delete(name);
  }

  /** Node names, taking one from each zone in turn. */
  list(): string[] {
    const zones = [...this.#zones.values()];
    const out: string[] = [];
    for (let i = 0; out.length < this.#zoneOf.size; i++) {
      for (const z of zones) if (i < z.length) out.push(z[i]!);
    }
    return out;
  }
}
