// Shared informers, as client-go's SharedInformerFactory: every controller that asks for the same
// resource (and selectors) gets the same Informer, so one list+watch and one cache serve them all
// (the pod cache is read by ReplicaSet, Job, StatefulSet, DaemonSet, endpoints, disruption...).
// A factory lives for one leadership term; informers cannot restart, so a new term makes a new one.

import type { KubeObject } from '../api/types.ts';
import { Informer, listWatchFor, type InformerOptions } from './informer.ts';
import type { IndexFunc } from './indexer.ts';
import type { ResourceRef, RestClient } from './rest-client.ts';

export type ResourceType = Pick<ResourceRef, 'group' | 'version' | 'resource'>;

export interface SharedInformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Indexes added to the shared cache (an index name already present is kept as it is). */
  indexers?: Record<string, IndexFunc<KubeObject>>;
}

export class SharedInformerFactory {
  readonly #client: RestClient | undefined;
  readonly #defaults: Omit<InformerOptions<KubeObject>, 'indexers'>;
  readonly #informers = new Map<string, Informer<KubeObject>>();

  /** `client` may be omitted by tests whose controllers never ask for an informer. */
  constructor(client: RestClient | undefined, defaults: Omit<InformerOptions<KubeObject>, 'indexers'> = {}) {
    this.#client = client;
    this.#defaults = defaults;
  }

  /** The shared informer of `type` narrowed by the selectors; made on first request. */
  informerFor<T extends KubeObject = KubeObject>(type: ResourceType, options: SharedInformerOptions = {}): Informer<T> {
    const key = [type.group, type.version, type.resource, options.labelSelector ?? '', options.fieldSelector ?? ''].join('|');
    let informer = this.#informers.get(key);
    if (!informer) {
      if (!this.#client) throw new Error(`no client to list and watch ${type.resource}`);
      const selectors = { ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}), ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}) };
      informer = new Informer(listWatchFor(this.#client, { group: type.group, version: type.version, resource: type.resource }, selectors), this.#defaults);
      this.#informers.set(key, informer);
    }
    const missing = Object.entries(options.indexers ?? {}).filter(([name]) => !informer.indexer.hasIndex(name));
    if (missing.length > 0) informer.indexer.addIndexers(Object.fromEntries(missing));
    return informer as unknown as Informer<T>;
  }

  /** How many distinct informers were made (one list+watch each). */
  get size(): number {
    return this.#informers.size;
  }
}
