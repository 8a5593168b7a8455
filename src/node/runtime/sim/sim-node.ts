// One simulated node: its identity, what the API told us about it (uid, Lease resourceVersion),
// whether it is alive, and its kubelet (made once the node is registered and its pod range known).

import type { HeartbeatNode } from './heartbeats.ts';
import type { NodeIdentity } from './node-object.ts';
import type { SimKubelet } from './sim-kubelet.ts';

export class SimNode implements HeartbeatNode {
  readonly identity: NodeIdentity;
  /** Changes when the simulator (re)registers the node, as a reboot changes it. */
  readonly bootId: string;
  uid = '';
  leaseResourceVersion = '';
  /** The pod range in use: the identity's, or the one an existing Node already had. */
  podCIDR: string;
  /** Heartbeats stopped by failNodes(): the node looks dead from outside. */
  failed = false;
  registered = false;
  kubelet: SimKubelet | undefined;

  constructor(identity: NodeIdentity, bootId: string) {
    this.identity = identity;
    this.bootId = bootId;
    this.podCIDR = identity.podCIDR;
  }

  get name(): string {
    return this.identity.name;
  }

  get index(): number {
    return this.identity.index;
  }
}
