// Service ClusterIP and NodePort allocation. Each allocation is a key in the store, created with
// create-if-absent, so two concurrent creates (even on two API server replicas) can never get the
// same address, and allocations survive restarts. A released key is deleted.

import { isStoreError, type Store } from '../../store/types.ts';
import { failure } from '../../machinery/status-error.ts';

const IP_PREFIX = '/registry/ranges/serviceips/';
const PORT_PREFIX = '/registry/ranges/servicenodeports/';

export interface AllocatorOptions {
  serviceCidr: string;
  nodePortRange: [number, number];
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid service CIDR ${cidr}`);
  const bits = Number(m[2]);
  if (bits < 8 || bits > 30) throw new Error(`service CIDR ${cidr} must be between /8 and /30`);
  const size = 2 ** (32 - bits);
  const base = ipToInt(m[1] as string) - (ipToInt(m[1] as string) % size);
  return { base, size };
}

export class ServiceAllocator {
  readonly #store: Store;
  readonly #cidr: { base: number; size: number };
  readonly #ports: [number, number];
  #nextIp = 2;
  #nextPort = 0;

  constructor(store: Store, options: AllocatorOptions) {
    this.#store = store;
    this.#cidr = parseCidr(options.serviceCidr);
    this.#ports = options.nodePortRange;
  }

  /** The first address of the range, reserved for the `kubernetes` Service. */
  get apiServerIp(): string {
    return intToIp(this.#cidr.base + 1);
  }

  inRange(ip: string): boolean {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
    const n = ipToInt(ip);
    return n > this.#cidr.base && n < this.#cidr.base + this.#cidr.size - 1;
  }

  /** Reserves a specific IP; false when it is already taken. */
  async reserveIp(ip: string, owner: string): Promise<boolean> {
    return this.#reserve(IP_PREFIX + ip, owner);
  }

  async allocateIp(owner: string): Promise<string> {
    const usable = this.#cidr.size - 2;
    // Scan from a fixed start: concurrent allocations move #nextIp while this one awaits, and a
    // moving start would skip free addresses and report a full range that is not.
    const start = this.#nextIp - 1;
    for (let i = 0; i < usable; i++) {
      const offset = ((start + i) % usable) + 1;
      const ip = intToIp(this.#cidr.base + offset);
      if (await this.#reserve(IP_PREFIX + ip, owner)) {
        this.#nextIp = offset + 1;
        return ip;
      }
    }
    throw failure(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full');
  }

  async releaseIp(ip: string): Promise<void> {
    await this.#release(IP_PREFIX + ip);
  }

  inPortRange(port: number): boolean {
    return port >= this.#ports[0] && port <= this.#ports[1];
  }

  async reservePort(port: number, owner: string): Promise<boolean> {
    return this.#reserve(PORT_PREFIX + port, owner);
  }

  async allocatePort(owner: string): Promise<number> {
    const [lo, hi] = this.#ports;
    const count = hi - lo + 1;
    const start = this.#nextPort;
    for (let i = 0; i < count; i++) {
      const port = lo + ((start + i) % count);
      if (await this.#reserve(PORT_PREFIX + port, owner)) {
        this.#nextPort = port - lo + 1;
        return port;
      }
    }
    throw failure(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }

  async releasePort(port: number): Promise<void> {
    await this.#release(PORT_PREFIX + port);
  }

  async #reserve(key: string, owner: string): Promise<boolean> {
    try {
      await this.#store.create(key, new TextEncoder().encode(owner));
      return true;
    } catch (err) {
      if (isStoreError(err, 'exists')) return false;
      throw err;
    }
  }

  async #release(key: string): Promise<void> {
    try {
      await this.#store.delete(key);
    } catch (err) {
      if (!isStoreError(err, 'not-found')) throw err;
    }
  }
}
