// Empties a terminating namespace, as upstream's NamespacedResourcesDeleter: for every discovered
// namespaced resource, delete its objects in the namespace (deletecollection when served, else one
// by one, propagationPolicy Background), then count what is left and which finalizers hold it.
// The outcome is written as the upstream namespace conditions; the caller requeues while content
// remains and removes the `kubernetes` finalizer once none does.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { resourcePath, type RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { discoverDeletableResources, type DeletableResource } from './discovery.ts';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** Upstream's condition types with their "fine" reason and message. */
const CONDITIONS = [
  ['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'],
  ['NamespaceDeletionGroupVersionParsingFailure', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  ['NamespaceDeletionContentFailure', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
] as const;

export interface ContentReport {
  /** Objects still present, by "resource[.group]". */
  remaining: Map<string, number>;
  /** Objects still present, by finalizer. */
  finalizers: Map<string, number>;
  conditions: NamespaceCondition[];
  /** Some discovery or deletion failed: retry with backoff. */
  failed: boolean;
}

const groupResource = (r: DeletableResource): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

export async function deleteAllContent(client: RestClient, namespace: string, signal: AbortSignal, logger?: Logger): Promise<ContentReport> {
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  const deleteErrors: string[] = [];
  const discovery = await discoverDeletableResources(client, signal);
  for (const res of discovery.resources) {
    const ref = { group: res.group, version: res.version, resource: res.resource, namespace };
    try {
      if (res.deleteCollection) {
        await client.request('DELETE', resourcePath(ref), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }, { signal });
      } else {
        const list = await client.list(ref, { signal });
        for (const obj of list.items) {
          await client.delete({ ...ref, name: obj.metadata.name ?? '' }, { propagationPolicy: 'Background', signal }).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        }
      }
      const left = await client.list<KubeObject>(ref, { signal });
      if (left.items.length > 0) {
        remaining.set(groupResource(res), left.items.length);
        for (const obj of left.items) for (const f of obj.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      }
    } catch (err) {
      if (signal.aborted) throw err;
      if (isNotFound(err)) continue; // the resource went away (a CRD was deleted) since discovery
      logger?.warn({ err, namespace, resource: groupResource(res) }, 'deleting namespace content failed');
      deleteErrors.push(`${groupResource(res)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const failures: Record<string, string | undefined> = {
    NamespaceDeletionDiscoveryFailure: discovery.failed.length
      ? `Discovery failed for some groups, ${discovery.failed.length} failing: ${discovery.failed.map((f) => `${f.groupVersion}: ${f.message}`).join(', ')}`
      : undefined,
    NamespaceDeletionContentFailure: deleteErrors.length ? `Failed to delete all resource types, ${deleteErrors.length} remaining: ${deleteErrors.join(', ')}` : undefined,
    NamespaceContentRemaining: remaining.size
      ? `Some resources are remaining: ${[...remaining].sort(([a], [b]) => a.localeCompare(b)).map(([gr, n]) => `${gr} has ${n} resource instances`).join(', ')}`
      : undefined,
    NamespaceFinalizersRemaining: finalizers.size
      ? `Some content in the namespace has finalizers remaining: ${[...finalizers].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`
      : undefined,
  };
  const failReasons: Record<string, string> = {
    NamespaceDeletionDiscoveryFailure: 'DiscoveryFailed',
    NamespaceDeletionContentFailure: 'ContentDeletionFailed',
    NamespaceContentRemaining: 'SomeResourcesRemain',
    NamespaceFinalizersRemaining: 'SomeFinalizersRemain',
  };
  const conditions = CONDITIONS.map(([type, okReason, okMessage]): NamespaceCondition => {
    const bad = failures[type];
    return bad ? { type, status: 'True', reason: failReasons[type] ?? 'Failed', message: bad } : { type, status: 'False', reason: okReason, message: okMessage };
  });
  return { remaining, finalizers, conditions, failed: discovery.failed.length > 0 || deleteErrors.length > 0 };
}

/** Merges `next` into `current`, keeping lastTransitionTime when a condition's status did not change; undefined when nothing changed. */
export function mergeConditions(current: NamespaceCondition[], next: NamespaceCondition[], now: string): NamespaceCondition[] | undefined {
  let changed = false;
  const merged = [...current];
  for (const c of next) {
    const i = merged.findIndex((m) => m.type === c.type);
    const old = i >= 0 ? merged[i] : undefined;
    if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) continue;
    changed = true;
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    const value = { type: c.type, status: c.status, lastTransitionTime, reason: c.reason, message: c.message };
    if (i >= 0) merged[i] = value;
    else merged.push(value);
  }
  return changed ? merged : undefined;
}
