// Reads the objects tokens are tied to (ServiceAccounts, and the Pods, Secrets and Nodes a token
// is bound to) through the registry. A cache hit is trusted; a miss is confirmed with a
// consistent read, so a token is never refused only because the watch cache lags a create;
// callers that found a cached object unsuitable (another uid) ask for a consistent read.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import type { ApiRegistry } from '../api-registry.ts';

/** The object, or undefined when it does not exist; `consistent` skips the watch cache. */
export type ObjectGetter = (group: string, kind: string, namespace: string | undefined, name: string, consistent?: boolean) => Promise<KubeObject | undefined>;

export function registryObjectGetter(registry: ApiRegistry): ObjectGetter {
  return async (group, kind, namespace, name, consistent = false) => {
    const served = registry.forKind(group, kind);
    if (!served) return undefined;
    const cached = consistent ? undefined : served.store.cache.get(served.store.key(namespace, name))?.object;
    if (cached) return cached;
    try {
      return await served.store.get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
}
