// The garbage collector's dependency graph (upstream's uidToNode): one node per object uid, with
// the owner references it carries and the set of nodes that reference it. A node made for an
// owner that no informer has shown yet is "virtual" until it is observed; the workers confirm or
// refute its existence with a live GET.

import type { OwnerReference } from '../../api/types.ts';
import type { ObjectIdentity } from './identity.ts';

export class GraphNode {
  identity: ObjectIdentity;
  /** The object's ownerReferences as last observed. */
  owners: OwnerReference[];
  /** Nodes whose ownerReferences name this node's uid. */
  readonly dependents = new Set<GraphNode>();
  /** Not (yet) seen through an informer: only dependents vouch for it. */
  virtual: boolean;
  /** deletionTimestamp is set. */
  beingDeleted = false;
  /** Being deleted in the foreground: waits for its blocking dependents to go. */
  deletingDependents = false;

  constructor(identity: ObjectIdentity, owners: OwnerReference[], virtual: boolean) {
    this.identity = identity;
    this.owners = owners;
    this.virtual = virtual;
  }

  get uid(): string {
    return this.identity.uid;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion=true. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((dep) => dep.owners.some((o) => o.uid === this.uid && o.blockOwnerDeletion === true));
  }
}

export class Graph {
  readonly #nodes = new Map<string, GraphNode>();

  get size(): number {
    return this.#nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  set(node: GraphNode): void {
    this.#nodes.set(node.uid, node);
  }

  delete(uid: string): void {
    this.#nodes.delete(uid);
  }

  nodes(): IterableIterator<GraphNode> {
    return this.#nodes.values();
  }
}
