// The set of served resources: for each group/version/resource, its definition, the generic
// store that holds it (shared between versions that share storage), its converter and printer.

import type { KubeObject, ResourceDefinition } from '../api/types.ts';
import { converterFor, type Converter } from '../api/conversion.ts';
import type { Store } from '../store/types.ts';
import { GenericStore, type NamespaceGuard } from './registry/generic-store.ts';
import type { Strategy } from './registry/strategy.ts';

export interface ServedResource {
  readonly def: ResourceDefinition;
  readonly store: GenericStore;
  readonly converter: Converter | undefined;
  /** Turns a stored object into this served version. */
  fromStorage(obj: KubeObject): KubeObject;
  toStorage(obj: KubeObject): KubeObject;
}

export class ApiRegistry {
  readonly #served = new Map<string, ServedResource>();
  readonly #stores = new Map<string, GenericStore>();
  readonly #store: Store;
  readonly #namespaceGuard: NamespaceGuard | undefined;
  #generation = 0;
  readonly #listeners = new Set<() => void>();

  constructor(store: Store, options: { namespaceGuard?: NamespaceGuard } = {}) {
    this.#store = store;
    this.#namespaceGuard = options.namespaceGuard;
  }

  /** Serves a resource; versions sharing a storage identity share one GenericStore. */
  add(def: ResourceDefinition, strategy: Strategy): ServedResource {
    const storageKey = `${def.storage.group}/${def.storage.resource}`;
    let store = this.#stores.get(storageKey);
    if (!store) {
      const options: { namespaceGuard?: NamespaceGuard } = {};
      if (this.#namespaceGuard) options.namespaceGuard = this.#namespaceGuard;
      const storageDef = def.storage.version === def.version && def.storage.group === def.group ? def : { ...def, group: def.storage.group, version: def.storage.version };
      store = new GenericStore(storageDef, strategy, this.#store, options);
      this.#stores.set(storageKey, store);
    }
    const converter = def.storage.version === def.version && def.storage.group === def.group ? undefined : converterFor(def.group, def.version, def.kind);
    const served: ServedResource = {
      def,
      store,
      converter,
      fromStorage: (obj) => (converter ? converter.fromStorage(obj) : obj),
      toStorage: (obj) => (converter ? converter.toStorage(obj) : obj),
    };
    this.#served.set(`${def.group}/${def.version}/${def.plural}`, served);
    this.#generation++;
    for (const l of this.#listeners) l();
    return served;
  }

  remove(group: string, version: string, plural: string): void {
    if (this.#served.delete(`${group}/${version}/${plural}`)) {
      this.#generation++;
      for (const l of this.#listeners) l();
    }
  }

  lookup(group: string, version: string, plural: string): ServedResource | undefined {
    return this.#served.get(`${group}/${version}/${plural}`);
  }

  /** Finds the served resource for a group/kind, preferring the given version. */
  forKind(group: string, kind: string, version?: string): ServedResource | undefined {
    let fallback: ServedResource | undefined;
    for (const s of this.#served.values()) {
      if (s.def.group !== group || s.def.kind !== kind) continue;
      if (version === undefined || s.def.version === version) return s;
      fallback ??= s;
    }
    return fallback;
  }

  all(): ServedResource[] {
    return [...this.#served.values()];
  }

  stores(): GenericStore[] {
    return [...this.#stores.values()];
  }

  /** Changes whenever the served set changes (discovery and OpenAPI caches key on it). */
  get generation(): number {
    return this.#generation;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    await Promise.all([...this.#stores.values()].map((s) => s.start()));
  }
}
