// Compiles a JSON schema (with $refs into a component resolver) into a tree that the per-request
// checks walk: objects hold a Map of known fields, so a check costs one lookup per JSON key.
// $refs are resolved lazily and memoized, which keeps startup cheap and makes cycles harmless.

import { QUANTITY, schemaFor } from './builder.ts';
import { goTypeName } from './names.ts';
import { refName, type JsonSchema } from './types.ts';

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean';

export type StructNode =
  | { readonly kind: 'any' }
  | { readonly kind: 'ref'; readonly name: string; readonly scope: Resolver }
  | {
      readonly kind: 'object';
      /** Go type name for messages (v1.PodSpec), or "map[string]..." for maps. */
      readonly goType: string;
      readonly fields: ReadonlyMap<string, StructNode>;
      /** Schema of map values (additionalProperties). */
      readonly values: StructNode | undefined;
      /** Unknown keys are kept (x-kubernetes-preserve-unknown-fields or additionalProperties: true). */
      readonly open: boolean;
    }
  | { readonly kind: 'array'; readonly goType: string; readonly items: StructNode }
  | { readonly kind: 'scalar'; readonly type: ScalarType; readonly format: string | undefined; readonly goType: string }
  | { readonly kind: 'int-or-string'; readonly goType: string }
  | { readonly kind: 'quantity' };

const ANY: StructNode = { kind: 'any' };

/** Resolves component names to compiled nodes, memoized. */
export class Resolver {
  readonly #lookup: (name: string) => JsonSchema | undefined;
  readonly #compiled = new Map<string, StructNode>();

  constructor(lookup: (name: string) => JsonSchema | undefined) {
    this.#lookup = lookup;
  }

  resolve(name: string): StructNode {
    let node = this.#compiled.get(name);
    if (!node) {
      const schema = this.#lookup(name);
      node = name === QUANTITY ? { kind: 'quantity' } : schema ? compileSchema(schema, this, goTypeName(name)) : ANY;
      this.#compiled.set(name, node);
    }
    return node;
  }
}

/** The resolver over built-in definitions. */
export const builtinResolver = new Resolver(schemaFor);

/** A resolver over extra components (CRD kinds) that falls back to the built-in definitions. */
export function resolverWith(components: Readonly<Record<string, JsonSchema>>): Resolver {
  return new Resolver((name) => components[name] ?? schemaFor(name));
}

export function deref(node: StructNode): StructNode {
  let current = node;
  // Bounded: a chain of refs that only point at refs would be a broken schema.
  for (let i = 0; current.kind === 'ref' && i < 16; i++) current = current.scope.resolve(current.name);
  return current.kind === 'ref' ? ANY : current;
}

/** Compiles one schema; `goType` names the type in messages (defaults from the JSON type). */
export function compileSchema(schema: JsonSchema, scope: Resolver, goType?: string): StructNode {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return name ? { kind: 'ref', name, scope } : ANY;
  }
  // `allOf: [{$ref}]` carries a description or extensions next to a reference.
  if (schema.allOf && schema.allOf.length === 1 && !schema.properties && !schema.type) {
    return compileSchema(schema.allOf[0] as JsonSchema, scope, goType);
  }
  if (schema['x-kubernetes-int-or-string']) return { kind: 'int-or-string', goType: goType ?? 'intstr.IntOrString' };
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  switch (schema.type) {
    case 'object': {
      const fields = new Map<string, StructNode>();
      for (const [name, child] of Object.entries(schema.properties ?? {})) fields.set(name, compileSchema(child, scope));
      const extra = schema.additionalProperties;
      const values = typeof extra === 'object' ? compileSchema(extra, scope) : undefined;
      if (preserve && fields.size === 0 && !values) return ANY;
      const type = goType ?? (values ? `map[string]${goTypeOf(values)}` : 'map[string]interface {}');
      return { kind: 'object', goType: type, fields, values, open: preserve || extra === true };
    }
    case 'array': {
      const items = schema.items ? compileSchema(schema.items, scope) : ANY;
      return { kind: 'array', goType: goType ?? `[]${goTypeOf(items)}`, items };
    }
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { kind: 'scalar', type: schema.type, format: schema.format, goType: goType ?? scalarGoType(schema.type, schema.format) };
    default:
      return ANY;
  }
}

/** A Go-ish type name for messages, without forcing ref resolution. */
export function goTypeOf(node: StructNode): string {
  switch (node.kind) {
    case 'any': return 'interface {}';
    case 'ref': return goTypeName(node.name);
    case 'quantity': return 'resource.Quantity';
    default: return node.goType;
  }
}

function scalarGoType(type: ScalarType, format: string | undefined): string {
  switch (type) {
    case 'string': return format === 'byte' ? '[]uint8' : 'string';
    case 'boolean': return 'bool';
    case 'number': return 'float64';
    case 'integer': return format === 'int32' ? 'int32' : 'int64';
  }
}
