// What server-side apply needs to know about a kind's fields, built from an OpenAPI schema the way
// kube-openapi's schemaconv builds structured-merge-diff schemas: objects are maps with declared
// fields and/or an element type (additionalProperties), `x-kubernetes-map-type: atomic` makes a map
// one value; arrays are atomic unless `x-kubernetes-list-type` says set or map (keys from
// `x-kubernetes-list-map-keys`), with the patch strategy `merge` as the fallback for built-ins;
// everything else is a scalar. Untyped values (free-form objects, preserve-unknown-fields) are
// "deduced": maps are granular, lists atomic. The same builder serves built-in definitions (with
// $refs resolved by a lookup) and CRD schemas, so both get identical semantics.

import type { JsonValue } from '../patch/json-value.ts';

/** The subset of an OpenAPI v3 schema the builder reads. */
export interface SchemaLike {
  type?: string | undefined;
  properties?: Readonly<Record<string, SchemaLike>> | undefined;
  additionalProperties?: SchemaLike | boolean | undefined;
  items?: SchemaLike | undefined;
  $ref?: string | undefined;
  allOf?: readonly SchemaLike[] | undefined;
  default?: unknown;
  'x-kubernetes-list-type'?: string | undefined;
  'x-kubernetes-list-map-keys'?: readonly string[] | undefined;
  'x-kubernetes-map-type'?: string | undefined;
  'x-kubernetes-patch-strategy'?: string | undefined;
  'x-kubernetes-patch-merge-key'?: string | undefined;
  'x-kubernetes-int-or-string'?: boolean | undefined;
  'x-kubernetes-preserve-unknown-fields'?: boolean | undefined;
}

export interface SchemaSource {
  /** Resolves a definition name (the last segment of a $ref). */
  lookup(name: string): SchemaLike | undefined;
  /**
   * Named object definitions are Go structs that are always serialized (built-in kinds): when one
   * appears or disappears, upstream does not record the struct itself as changed.
   */
  readonly goStructs: boolean;
  /** A default for a list-map key the schema does not default (protocol: TCP for ports). */
  keyDefault?(itemDefinition: string | undefined, key: string): JsonValue | undefined;
}

export type TypeNode = MapType | ListType | ScalarType | UntypedType;

export interface MapType {
  readonly kind: 'map';
  /** `x-kubernetes-map-type: atomic`: the whole map is one value. */
  readonly atomic: boolean;
  /** Whether the map declares fields (a struct); keys outside them use `elements`. */
  readonly struct: boolean;
  /** A Go value struct (see SchemaSource.goStructs). */
  readonly implicit: boolean;
  /** The type of a declared field, or undefined when `name` is not declared. */
  field(name: string): TypeNode | undefined;
  /** The type of undeclared keys; undefined when the schema allows none. */
  elements(): TypeNode | undefined;
}

export interface ListType {
  readonly kind: 'list';
  readonly listType: 'atomic' | 'set' | 'map';
  readonly keys: readonly string[];
  /** Defaults for keys an item may omit. */
  readonly keyDefaults: ReadonlyMap<string, JsonValue>;
  element(): TypeNode;
}

export interface ScalarType {
  readonly kind: 'scalar';
}

/** A value typed by what it holds: maps granular, lists atomic (or everything atomic). */
export interface UntypedType {
  readonly kind: 'untyped';
  readonly atomic: boolean;
}

export const SCALAR: ScalarType = Object.freeze({ kind: 'scalar' });
export const DEDUCED: UntypedType = Object.freeze({ kind: 'untyped', atomic: false });
export const UNTYPED_ATOMIC: UntypedType = Object.freeze({ kind: 'untyped', atomic: true });

/** Fields and key lookups of a whole kind. */
export interface FieldTypeInfo {
  readonly root: TypeNode;
}

const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

/** Builds type information for a schema; $refs resolve lazily through `source`. */
export function typeInfoFromSchema(root: SchemaLike, source: SchemaSource): FieldTypeInfo {
  const compiler = new Compiler(source);
  return { root: compiler.compile(root, false, undefined) };
}

/** Type information for an object nothing is known about (every field deduced). */
export const UNTYPED_INFO: FieldTypeInfo = Object.freeze({ root: DEDUCED });

function refName(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i >= 0 ? ref.slice(i + 1) : ref;
}

class Compiler {
  readonly #source: SchemaSource;
  readonly #named = new Map<string, TypeNode>();

  constructor(source: SchemaSource) {
    this.#source = source;
  }

  named(name: string): TypeNode {
    let node = this.#named.get(name);
    if (!node) {
      if (name === RAW_EXTENSION) node = UNTYPED_ATOMIC;
      else {
        const schema = this.#source.lookup(name);
        node = schema ? this.compile(schema, false, name) : DEDUCED;
      }
      this.#named.set(name, node);
    }
    return node;
  }

  compile(schema: SchemaLike, preserveUnknown: boolean, name: string | undefined): TypeNode {
    const ref = schema.$ref ?? (schema.allOf?.length === 1 && !schema.properties && !schema.type ? schema.allOf[0]?.$ref : undefined);
    if (ref !== undefined) {
      const target = this.named(refName(ref));
      const mapType = schema['x-kubernetes-map-type'];
      if (target.kind === 'map' && (mapType === 'atomic' || mapType === 'granular') && (mapType === 'atomic') !== target.atomic) {
        return withAtomic(target, mapType === 'atomic');
      }
      return target;
    }
    if (schema.allOf?.length === 1 && !schema.properties && !schema.type) return this.compile(schema.allOf[0]!, preserveUnknown, name);
    if (schema['x-kubernetes-int-or-string']) return SCALAR;
    const preserve = preserveUnknown || schema['x-kubernetes-preserve-unknown-fields'] === true;
    switch (schema.type) {
      case 'object':
        return this.#object(schema, preserve, name);
      case 'array':
        return this.#list(schema, preserve);
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
        return SCALAR;
      default:
        // No type: anything goes (upstream: untyped scalar, list or map).
        return DEDUCED;
    }
  }

  #object(schema: SchemaLike, preserve: boolean, name: string | undefined): TypeNode {
    const props = schema.properties ?? {};
    const names = Object.keys(props);
    const extra = schema.additionalProperties;
    const atomic = schema['x-kubernetes-map-type'] === 'atomic';
    if (names.length === 0 && (extra === undefined || extra === true) && !atomic) return DEDUCED;
    const fields = new Map<string, TypeNode>();
    let elements: TypeNode | undefined | null = null;
    const self = this;
    return {
      kind: 'map',
      atomic,
      struct: names.length > 0,
      implicit: this.#source.goStructs && name !== undefined && names.length > 0,
      field(key: string): TypeNode | undefined {
        let t = fields.get(key);
        if (t === undefined) {
          if (!Object.prototype.hasOwnProperty.call(props, key)) return undefined;
          t = self.compile(props[key]!, preserve, undefined);
          fields.set(key, t);
        }
        return t;
      },
      elements(): TypeNode | undefined {
        if (elements === null) {
          if (typeof extra === 'object') elements = self.compile(extra, preserve, undefined);
          else if (extra === true || preserve || names.length === 0) elements = DEDUCED;
          else elements = undefined;
        }
        return elements;
      },
    };
  }

  #list(schema: SchemaLike, preserve: boolean): ListType {
    let listType: ListType['listType'] = 'atomic';
    let keys: readonly string[] = [];
    const declared = schema['x-kubernetes-list-type'];
    if (declared !== undefined) {
      if (declared === 'set') listType = 'set';
      else if (declared === 'map') {
        listType = 'map';
        keys = schema['x-kubernetes-list-map-keys'] ?? [];
      }
    } else {
      const strategy = schema['x-kubernetes-patch-strategy'];
      if (strategy === 'merge' || strategy === 'merge,retainKeys') {
        const mergeKey = schema['x-kubernetes-patch-merge-key'];
        listType = mergeKey ? 'map' : 'set';
        keys = mergeKey ? [mergeKey] : [];
      }
    }
    // A map list without keys cannot name its items: upstream reports the schema; treat it as atomic.
    if (listType === 'map' && keys.length === 0) listType = 'atomic';
    const items = schema.items;
    const itemRef = items?.$ref ?? (items?.allOf?.length === 1 ? items.allOf[0]?.$ref : undefined);
    const itemDefinition = itemRef !== undefined ? refName(itemRef) : undefined;
    const keyDefaults = new Map<string, JsonValue>();
    if (listType === 'map') {
      const itemSchema = itemDefinition !== undefined ? this.#source.lookup(itemDefinition) : items;
      for (const key of keys) {
        const declaredDefault = itemSchema?.properties?.[key]?.default;
        const value = declaredDefault !== undefined ? (declaredDefault as JsonValue) : this.#source.keyDefault?.(itemDefinition, key);
        if (value !== undefined) keyDefaults.set(key, value);
      }
    }
    let element: TypeNode | undefined;
    return {
      kind: 'list',
      listType,
      keys,
      keyDefaults,
      element: () => (element ??= items ? this.compile(items, preserve, undefined) : UNTYPED_ATOMIC),
    };
  }
}

function withAtomic(target: MapType, atomic: boolean): MapType {
  return {
    kind: 'map',
    atomic,
    struct: target.struct,
    implicit: target.implicit,
    field: (name) => target.field(name),
    elements: () => target.elements(),
  };
}

/** Overrides a declared field's type (e.g. a CRD's `metadata`, always ObjectMeta). */
export function withFieldOverrides(info: FieldTypeInfo, overrides: Readonly<Record<string, TypeNode>>): FieldTypeInfo {
  const root = info.root;
  if (root.kind === 'untyped' && !root.atomic) {
    // A free-form object (preserve-unknown-fields) still has the overridden fields.
    return {
      root: {
        kind: 'map',
        atomic: false,
        struct: true,
        implicit: false,
        field: (name) => (Object.prototype.hasOwnProperty.call(overrides, name) ? overrides[name] : undefined),
        elements: () => DEDUCED,
      },
    };
  }
  if (root.kind !== 'map') return info;
  return {
    root: {
      kind: 'map',
      atomic: root.atomic,
      struct: true,
      implicit: root.implicit,
      field: (name) => (Object.prototype.hasOwnProperty.call(overrides, name) ? overrides[name] : root.field(name)),
      elements: () => root.elements(),
    },
  };
}
