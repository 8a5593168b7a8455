// IPv4 ranges for simulated nodes: each node's podCIDR carved out of the cluster CIDR by the
// node's index (as the node IPAM controller does with --cluster-cidr and --node-cidr-mask-size),
// a fake InternalIP per node that nothing ever contacts, and a per-node address pool that hands
// out pod IPs like CNI's host-local IPAM (next free address after the last one, skipping the
// network, gateway and broadcast addresses). A pool is a bitmap: a /24 costs 32 bytes.

/** Node InternalIPs come from here by default: 10.64.0.0/11, clear of the usual service and pod ranges. */
export const DEFAULT_NODE_CIDR = '10.64.0.0/11';

export interface Cidr {
  base: number;
  prefix: number;
}

export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${ip}"`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`invalid IPv4 address "${ip}"`);
    n = n * 256 + v;
  }
  return n;
}

export function numberToIpv4(n: number): string {
  return `${Math.floor(n / 2 ** 24) % 256}.${Math.floor(n / 2 ** 16) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, bits, extra] = cidr.split('/');
  const prefix = Number(bits);
  if (ip === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits ?? '') || prefix > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const base = ipv4ToNumber(ip);
  if (base % 2 ** (32 - prefix) !== 0) throw new Error(`invalid IPv4 CIDR "${cidr}": host bits set`);
  return { base, prefix };
}

export const formatCidr = (c: Cidr): string => `${numberToIpv4(c.base)}/${c.prefix}`;

/** How many node ranges of /maskSize the cluster CIDR holds. */
export function nodeRangeCount(cluster: Cidr, maskSize: number): number {
  return maskSize < cluster.prefix ? 0 : 2 ** (maskSize - cluster.prefix);
}

/** The index-th /maskSize range of the cluster CIDR. */
export function nodePodCidr(cluster: Cidr, maskSize: number, index: number): string {
  if (index < 0 || index >= nodeRangeCount(cluster, maskSize)) throw new Error(`node index ${index} does not fit ${formatCidr(cluster)} in /${maskSize} ranges`);
  return formatCidr({ base: cluster.base + index * 2 ** (32 - maskSize), prefix: maskSize });
}

/** How many node InternalIPs the node CIDR holds (its network address is never one). */
export function nodeAddressCount(network: Cidr): number {
  return 2 ** (32 - network.prefix) - 2;
}

/** A fake, unique InternalIP for the slot-th node of the node CIDR. */
export function nodeInternalIp(slot: number, network: Cidr = parseCidr(DEFAULT_NODE_CIDR)): string {
  if (slot < 0 || slot >= nodeAddressCount(network)) throw new Error(`node slot ${slot} does not fit ${formatCidr(network)}`);
  return numberToIpv4(network.base + slot + 1);
}

/** Simulators start this many slots apart at most; one block holds a mid-size simulator's nodes. */
export const SLOT_BLOCK = 1024;

/**
 * The first address slot of a simulator, derived from its node name prefix: two simulators with
 * different prefixes against one server start in different blocks (unless the hash collides;
 * then the simulator still skips the ranges Nodes already hold), so their pod and node IPs do not
 * overlap. The default prefix starts at 0, as before.
 */
export function prefixSlotOffset(prefix: string, slots: number): number {
  const blocks = Math.floor(slots / SLOT_BLOCK);
  if (prefix === 'sim-' || blocks <= 1) return 0;
  let h = 0x811c9dc5; // FNV-1a: stable across processes and versions, unlike Math.random.
  for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), 0x01000193) >>> 0;
  return (h % blocks) * SLOT_BLOCK;
}

export class IpPool {
  readonly cidr: string;
  readonly #base: number;
  readonly #size: number;
  readonly #used: Uint8Array;
  #next: number;
  #free: number;

  constructor(cidr: string) {
    const c = parseCidr(cidr);
    if (c.prefix > 30) throw new Error(`pod range ${cidr} is too small`);
    this.cidr = cidr;
    this.#base = c.base;
    this.#size = 2 ** (32 - c.prefix);
    this.#used = new Uint8Array(Math.ceil(this.#size / 8));
    // Network address, gateway (.1) and broadcast are never handed out.
    for (const i of [0, 1, this.#size - 1]) this.#mark(i, true);
    this.#free = this.#size - 3;
    this.#next = 2;
  }

  get available(): number {
    return this.#free;
  }

  /** The next free address after the last one handed out, or undefined when the range is full. */
  allocate(): string | undefined {
    if (this.#free === 0) return undefined;
    for (let n = 0; n < this.#size; n++) {
      const i = (this.#next + n) % this.#size;
      if (this.#isUsed(i)) continue;
      this.#mark(i, true);
      this.#free--;
      this.#next = (i + 1) % this.#size;
      return numberToIpv4(this.#base + i);
    }
    return undefined;
  }

  /** Marks an address taken (a pod adopted with the IP it already has); false when outside or taken. */
  reserve(ip: string): boolean {
    const i = this.#offset(ip);
    if (i === undefined || this.#isUsed(i)) return false;
    this.#mark(i, true);
    this.#free--;
    return true;
  }

  release(ip: string): void {
    const i = this.#offset(ip);
    if (i === undefined || i < 2 || i === this.#size - 1 || !this.#isUsed(i)) return;
    this.#mark(i, false);
    this.#free++;
  }

  #offset(ip: string): number | undefined {
    let n: number;
    try {
      n = ipv4ToNumber(ip);
    } catch {
      return undefined;
    }
    const i = n - this.#base;
    return i >= 0 && i < this.#size ? i : undefined;
  }

  #isUsed(i: number): boolean {
    return (this.#used[i >> 3]! & (1 << (i & 7))) !== 0;
  }

  #mark(i: number, used: boolean): void {
    if (used) this.#used[i >> 3]! |= 1 << (i & 7);
    else this.#used[i >> 3]! &= ~(1 << (i & 7));
  }
}
