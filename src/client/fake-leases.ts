// An in-memory Lease store with resourceVersion compare-and-swap, like the API server: a test
// double for the leader elector and the controller manager.

import { alreadyExists, conflict } from '../machinery/status-error.ts';
import type { Lease, LeaseClient } from './leader-election.ts';

const LEASES = { group: 'coordination.k8s.io', resource: 'leases' };

export class FakeLeases implements LeaseClient {
  lease: Lease | undefined;
  rv = 0;
  /** While true, reads and updates fail as if the server were unreachable. */
  failing = false;

  async get(): Promise<Lease | undefined> {
    if (this.failing) throw new Error('unreachable');
    return this.lease && structuredClone(this.lease);
  }

  async create(lease: Lease): Promise<Lease> {
    if (this.lease) throw alreadyExists(LEASES, 'l');
    return this.#store(lease);
  }

  async update(lease: Lease): Promise<Lease> {
    if (this.failing) throw new Error('unreachable');
    if (lease.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw conflict(LEASES, 'l', 'stale');
    return this.#store(lease);
  }

  #store(lease: Lease): Lease {
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
}
