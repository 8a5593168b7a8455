// The scheduler's informers (upstream kube-scheduler builds its informer factory with
// TransformStripManagedFields): every listed and watched object drops metadata.managedFields
// before it enters the cache. No plugin reads them, and they are often half of an object's
// size — with a hundred thousand pods in the cache, hundreds of megabytes.

import type { KubeObject } from '../api/types.ts';
import { Informer, listWatchFor, type InformerOptions, type ListWatch, type ResourceType, type RestClient, type SharedInformerOptions } from '../client/index.ts';

/** What the scheduler asks of an informer factory (SharedInformerFactory has the same method). */
export interface InformerSource {
  informerFor<T extends KubeObject = KubeObject>(type: ResourceType, options?: SharedInformerOptions): Informer<T>;
}

export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function stripped<T extends KubeObject>(lw: ListWatch<T>): ListWatch<T> {
  return {
    list: async (opts) => {
      const list = await lw.list(opts);
      return { ...list, items: list.items.map(withoutManagedFields) };
    },
    async *watch(opts) {
      for await (const event of lw.watch(opts)) yield event.type === 'ERROR' ? event : { type: event.type, object: withoutManagedFields(event.object) };
    },
  };
}

/** Shared informers (one per resource and selectors, as SharedInformerFactory) whose caches hold objects without managedFields. */
export class StrippedInformerFactory implements InformerSource {
  readonly #client: RestClient;
  readonly #defaults: Omit<InformerOptions<KubeObject>, 'indexers'>;
  readonly #informers = new Map<string, Informer<KubeObject>>();

  constructor(client: RestClient, defaults: Omit<InformerOptions<KubeObject>, 'indexers'> = {}) {
    this.#client = client;
    this.#defaults = defaults;
  }

  informerFor<T extends KubeObject = KubeObject>(type: ResourceType, options: SharedInformerOptions = {}): Informer<T> {
    const key = [type.group, type.version, type.resource, options.labelSelector ?? '', options.fieldSelector ?? ''].join('|');
    let informer = this.#informers.get(key);
    if (!informer) {
      const selectors = { ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}), ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}) };
      informer = new Informer(stripped(listWatchFor(this.#client, { group: type.group, version: type.version, resource: type.resource }, selectors)), this.#defaults);
      this.#informers.set(key, informer);
    }
    const missing = Object.entries(options.indexers ?? {}).filter(([name]) => !informer.indexer.hasIndex(name));
    if (missing.length > 0) informer.indexer.addIndexers(Object.fromEntries(missing));
    return informer as unknown as Informer<T>;
  }
}
