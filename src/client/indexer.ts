// The informer's local cache: objects keyed "namespace/name" (or "name" for cluster-scoped), with
// secondary indexes computed by index functions (by namespace built in), and a lister over it.

import type { KubeObject } from '../api/types.ts';

export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';

export function namespaceIndex(obj: KubeObject): string[] {
  return [obj.metadata.namespace ?? ''];
}

/** client-go's MetaNamespaceKeyFunc. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Indexer<T extends KubeObject = KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #funcs = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndex, ...indexers });
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      this.#funcs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  hasIndex(name: string): boolean {
    return this.#funcs.has(name);
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  /** Objects whose index function yields `value` for index `name`. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return [...(index.get(value) ?? [])].map((k) => this.#items.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Stores obj; returns the previous object under its key. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#funcs) for (const v of fn(obj)) addTo(this.#indices.get(name)!, v, key);
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old) {
      this.#unindex(key, old);
      this.#items.delete(key);
    }
    return old;
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#funcs) {
      const index = this.#indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}

/** Read access to an informer's cache, shaped like a generated lister. */
export class Lister<T extends KubeObject = KubeObject> {
  readonly #indexer: Indexer<T>;

  constructor(indexer: Indexer<T>) {
    this.#indexer = indexer;
  }

  list(namespace?: string): T[] {
    return namespace === undefined ? this.#indexer.list() : this.#indexer.byIndex(NAMESPACE_INDEX, namespace);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#indexer.get(namespace ? `${namespace}/${name}` : name);
  }

  byIndex(index: string, value: string): T[] {
    return this.#indexer.byIndex(index, value);
  }
}
