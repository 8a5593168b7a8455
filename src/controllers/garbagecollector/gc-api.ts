// The few API calls the collector makes, behind an interface so the decision logic can be tested
// against a fake: a live GET (the cache is never trusted to prove an owner absent), deletes with
// uid and resourceVersion preconditions, and metadata patches (ownerReferences, finalizers) as
// JSON merge patches carrying the resourceVersion they were computed from, which works for every
// kind (custom resources take no strategic merge patch) and fails with a Conflict, never a lost
// update, when the object changed meanwhile.

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import type { ResourceMapping } from './rest-mapper.ts';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface MetadataPatch {
  resourceVersion: string;
  ownerReferences?: OwnerReference[] | null;
  finalizers?: string[] | null;
}

/** A write's outcome: the object as written, or that it is gone, or that it changed underneath (retry). */
export type WriteResult = { object: KubeObject } | 'gone' | 'conflict';

export interface GcApi {
  /** The resource for an apiVersion and kind; undefined when discovery does not (yet) know it. */
  mapping(apiVersion: string, kind: string): ResourceMapping | undefined;
  /** The object as stored now; undefined when there is none. */
  get(m: ResourceMapping, namespace: string, name: string, signal?: AbortSignal): Promise<KubeObject | undefined>;
  delete(m: ResourceMapping, namespace: string, name: string, preconditions: { uid: string; resourceVersion?: string }, policy: PropagationPolicy, signal?: AbortSignal): Promise<'ok' | 'gone' | 'conflict'>;
  patchMetadata(m: ResourceMapping, namespace: string, name: string, patch: MetadataPatch, signal?: AbortSignal): Promise<WriteResult>;
}

const ref = (m: ResourceMapping, namespace: string, name: string) => ({ group: m.group, version: m.version, resource: m.resource, namespace: m.namespaced ? namespace : '', name });

/** GcApi over a RestClient; `mapper` returns the latest discovery's mapping. */
export function restGcApi(client: RestClient, mapper: () => { mapping(apiVersion: string, kind: string): ResourceMapping | undefined }): GcApi {
  return {
    mapping: (apiVersion, kind) => mapper().mapping(apiVersion, kind),
    async get(m, namespace, name, signal) {
      try {
        return await client.get(ref(m, namespace, name), signal ? { signal } : {});
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async delete(m, namespace, name, preconditions, policy, signal) {
      try {
        await client.delete(ref(m, namespace, name), { propagationPolicy: policy, preconditions, ...(signal ? { signal } : {}) });
        return 'ok';
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        if (isConflict(err)) return 'conflict';
        throw err;
      }
    },
    async patchMetadata(m, namespace, name, patch, signal) {
      try {
        return { object: await client.patch(ref(m, namespace, name), 'merge', { metadata: patch }, signal ? { signal } : {}) };
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        if (isConflict(err)) return 'conflict';
        throw err;
      }
    },
  };
}
