// The set of served resources: for each group/version/resource, its definition, the generic
// store that holds it (shared between versions that share storage), its converter and printer.

import type { KubeObject, ResourceDefinition } from '../api/types.ts';
import { converterFor, type Converter } from '../api/conversion.ts';
import { printerFor, type TablePrinter } from '../api/printers/index.ts';
import { unknownFields } from '../api/schema/index.ts';
import type { JsonSchema } from '../api/schema/index.ts';
import type { Store } from '../store/types.ts';
import { GenericStore, type NamespaceGuard } from './registry/generic-store.ts';
import type { Strategy } from './registry/strategy.ts';
import type { UserInfo } from './filters/authn.ts';

export interface ServedResource {
  readonly def: ResourceDefinition;
  readonly store: GenericStore;
  readonly converter: Converter | undefined;
  /** Prints `kubectl get` tables (built-in printers, or a CRD's additionalPrinterColumns). */
  readonly printer: TablePrinter;
  /** OpenAPI v3 schema of the kind when it is not a built-in definition (CRDs). */
  readonly openapiSchema: JsonSchema | undefined;
  /** Set for computed create-only resources; their store is never written. */
  readonly virtual: VirtualCreate | undefined;
  /** Where a CRD kind keeps its replicas for the scale subresource (built-ins: spec.replicas). */
  readonly scale: ScalePaths | undefined;
  /** Paths of fields the kind's schema does not know, for fieldValidation Strict and Warn. */
  unknownFields(obj: KubeObject): string[];
  /** Turns a stored object into this served version. */
  fromStorage(obj: KubeObject): KubeObject;
  toStorage(obj: KubeObject): KubeObject;
}

/**
 * A create-only resource that is computed, never stored (TokenReview, SubjectAccessReview…):
 * `create` receives the decoded request object and the caller, and returns the answer.
 */
export interface VirtualCreate {
  create(obj: KubeObject, user: UserInfo, namespace: string | undefined): Promise<KubeObject>;
}

/**
 * A create-only subresource computed from its parent (serviceaccounts/token): `create` receives
 * the decoded body (of the subresource's kind), the caller and the parent's namespace and name.
 */
export interface VirtualSubresource {
  create(obj: KubeObject, user: UserInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
}

/** JSON paths (`.spec.replicas`) of a custom kind's scale subresource. */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** What a kind may bring beyond its definition and strategy (CRDs bring all of these). */
export interface ServedExtras {
  virtual?: VirtualCreate;
  scale?: ScalePaths;
  printer?: TablePrinter;
  openapiSchema?: JsonSchema;
  unknownFields?: (obj: KubeObject) => string[];
  converter?: Converter;
}

export class ApiRegistry {
  readonly #served = new Map<string, ServedResource>();
  readonly #subresources = new Map<string, VirtualSubresource>();
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
  add(def: ResourceDefinition, strategy: Strategy, extras: ServedExtras = {}): ServedResource {
    const storageKey = `${def.storage.group}/${def.storage.resource}`;
    let store = this.#stores.get(storageKey);
    if (!store) {
      const options: { namespaceGuard?: NamespaceGuard } = {};
      if (this.#namespaceGuard) options.namespaceGuard = this.#namespaceGuard;
      const storageDef = def.storage.version === def.version && def.storage.group === def.group ? def : { ...def, group: def.storage.group, version: def.storage.version };
      store = new GenericStore(storageDef, strategy, this.#store, options);
      this.#stores.set(storageKey, store);
    }
    const converter = extras.converter ?? (def.storage.version === def.version && def.storage.group === def.group ? undefined : converterFor(def.group, def.version, def.kind));
    const definition = def.definition;
    const served: ServedResource = {
      def,
      store,
      converter,
      printer: extras.printer ?? printerFor(def.group, def.kind),
      openapiSchema: extras.openapiSchema,
      virtual: extras.virtual,
      scale: extras.scale,
      unknownFields: extras.unknownFields ?? ((obj) => (definition ? unknownFields(definition, obj) : [])),
      fromStorage: (obj) => (converter ? converter.fromStorage(obj) : obj),
      toStorage: (obj) => (converter ? converter.toStorage(obj) : obj),
    };
    this.#served.set(`${def.group}/${def.version}/${def.plural}`, served);
    this.#generation++;
    for (const l of this.#listeners) l();
    return served;
  }

  /** Stops serving a resource; its store and cache go when no served version uses them. */
  remove(group: string, version: string, plural: string): void {
    const served = this.#served.get(`${group}/${version}/${plural}`);
    if (!served) return;
    this.#served.delete(`${group}/${version}/${plural}`);
    if (![...this.#served.values()].some((s) => s.store === served.store)) {
      const storage = served.def.storage;
      this.#stores.delete(`${storage.group}/${storage.resource}`);
      served.store.cache.close();
    }
    this.#generation++;
    for (const l of this.#listeners) l();
  }

  /** Serves a computed create-only subresource of a resource in every version of its group. */
  addSubresource(group: string, plural: string, subresource: string, handler: VirtualSubresource): void {
    this.#subresources.set(`${group}/${plural}/${subresource}`, handler);
  }

  subresource(group: string, plural: string, subresource: string): VirtualSubresource | undefined {
    return this.#subresources.get(`${group}/${plural}/${subresource}`);
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
