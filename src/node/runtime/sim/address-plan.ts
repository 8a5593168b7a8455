// Which pod range and InternalIP each new simulated node takes. Slots are walked from the
// simulator's address offset (derived from its prefix), skipping every pod range and InternalIP
// a Node in the API already holds: so a second simulator against the same server, or real
// nodes, never share addresses with this one's. A node that exists already keeps its own.

import { formatCidr, nodeInternalIp, nodePodCidr, parseCidr, type Cidr } from './ip-pool.ts';
import type { SimConfig } from './options.ts';
import type { Node } from './types.ts';

export interface NodeAddresses {
  podCIDR: string;
  internalIP: string;
}

/** The Node's InternalIP, if it reports one. */
export function internalIpOf(node: Node): string | undefined {
  const addresses = (node.status?.['addresses'] as { type?: string; address?: string }[] | undefined) ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

/** The addresses of a slot: the slot-th pod range of the cluster CIDR and InternalIP of the node CIDR. */
export function slotAddresses(config: Pick<SimConfig, 'clusterCidr' | 'nodeCidrMaskSize' | 'nodeCidr'>, slot: number, cidrs?: { cluster: Cidr; network: Cidr }): NodeAddresses {
  const cluster = cidrs?.cluster ?? parseCidr(config.clusterCidr);
  const network = cidrs?.network ?? parseCidr(config.nodeCidr);
  return { podCIDR: nodePodCidr(cluster, config.nodeCidrMaskSize, slot), internalIP: nodeInternalIp(slot, network) };
}

export class AddressPlan {
  readonly #config: SimConfig;
  readonly #cidrs: { cluster: Cidr; network: Cidr };
  readonly #takenRanges = new Set<string>();
  readonly #takenIps = new Set<string>();
  /** Slots tried so far, counted from the offset. */
  #tried = 0;

  constructor(config: SimConfig) {
    this.#config = config;
    this.#cidrs = { cluster: parseCidr(config.clusterCidr), network: parseCidr(config.nodeCidr) };
  }

  /** Marks the addresses a Node already holds as taken. */
  reserve(node: Node): void {
    if (node.spec?.podCIDR) this.#takenRanges.add(node.spec.podCIDR);
    const ip = internalIpOf(node);
    if (ip) this.#takenIps.add(ip);
  }

  /** The next slot whose pod range and InternalIP are both free; it is taken from then on. */
  next(): NodeAddresses {
    const { addressSlots, addressOffset } = this.#config;
    while (this.#tried < addressSlots) {
      const slot = (addressOffset + this.#tried++) % addressSlots;
      const candidate = slotAddresses(this.#config, slot, this.#cidrs);
      if (this.#takenRanges.has(candidate.podCIDR) || this.#takenIps.has(candidate.internalIP)) continue;
      this.#takenRanges.add(candidate.podCIDR);
      this.#takenIps.add(candidate.internalIP);
      return candidate;
    }
    throw new Error(`no free node address left: every /${this.#config.nodeCidrMaskSize} of ${formatCidr(this.#cidrs.cluster)} or address of ${formatCidr(this.#cidrs.network)} is taken`);
  }
}
