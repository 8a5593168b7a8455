// Trims objects before they enter the simulator's informer caches, as client-go's SetTransform
// does for kube-scheduler: managedFields go (often half an object's size), and Nodes keep only
// what the simulator reads (identity, podCIDR, InternalIP, conditions). With thousands of nodes this is most
// of the simulator's memory.

import type { KubeObject } from '../../../api/types.ts';
import type { ListWatch } from '../../../client/index.ts';
import { internalIpOf } from './address-plan.ts';
import type { Node } from './types.ts';

/** A ListWatch whose listed and watched objects pass through `fn` first. */
export function transformed<T extends KubeObject>(lw: ListWatch<T>, fn: (obj: T) => T): ListWatch<T> {
  return {
    list: async (opts) => {
      const list = await lw.list(opts);
      return { ...list, items: list.items.map(fn) };
    },
    async *watch(opts) {
      for await (const event of lw.watch(opts)) {
        yield event.type === 'ERROR' ? event : { type: event.type, object: fn(event.object) };
      }
    },
  };
}

export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** The parts of a Node the simulator reads. */
export function slimNode(node: Node): Node {
  const { name, uid, resourceVersion, deletionTimestamp } = node.metadata;
  return {
    apiVersion: node.apiVersion,
    kind: node.kind,
    metadata: { ...(name ? { name } : {}), ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}), ...(deletionTimestamp ? { deletionTimestamp } : {}) },
    spec: node.spec?.podCIDR ? { podCIDR: node.spec.podCIDR } : {},
    status: {
      ...(node.status?.conditions ? { conditions: node.status.conditions } : {}),
      // The InternalIP alone, so a simulator can keep clear of the addresses Nodes hold.
      ...(internalIpOf(node) ? { addresses: [{ type: 'InternalIP', address: internalIpOf(node) }] } : {}),
    },
  };
}
