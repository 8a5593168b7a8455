// Strict field validation: the JSON paths of fields the schema does not know, formatted as
// upstream's strict decoder reports them (`spec.template.spec.containers[0].bar`). Duplicate
// keys cannot be seen after JSON.parse and are not reported.

import { builtinResolver, deref, type Resolver, type StructNode } from './structure.ts';

/** Deeper objects are not inspected; no real manifest comes close. */
export const MAX_DEPTH = 64;

/** Unknown field paths of a built-in object, [] when the definition is unknown. */
export function unknownFields(definition: string, obj: unknown): string[] {
  return unknownFieldsIn(builtinResolver, definition, obj);
}

/** Same, against any resolver (CRD schemas compiled by the caller). */
export function unknownFieldsIn(scope: Resolver, definition: string, obj: unknown): string[] {
  const out: string[] = [];
  walk(scope.resolve(definition), obj, '', out, 0);
  return out;
}

/** The 400 message of a strict-mode write. */
export function strictDecodingMessage(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`;
}

function walk(schema: StructNode, value: unknown, path: string, out: string[], depth: number): void {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  const node = deref(schema);
  if (node.kind === 'array') {
    if (!Array.isArray(value)) return;
    for (let i = 0; i < value.length; i++) walk(node.items, value[i], `${path}[${i}]`, out, depth + 1);
    return;
  }
  if (node.kind !== 'object' || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    const child = node.fields.get(key) ?? node.values;
    const childPath = path === '' ? key : `${path}.${key}`;
    if (child) walk(child, (value as Record<string, unknown>)[key], childPath, out, depth + 1);
    else if (!node.open) out.push(childPath);
  }
}

/**
 * Drops, in place, every field `unknownFields` would report: what decoding into the Go types
 * does upstream when fieldValidation is Warn or Ignore, so unknown fields are never stored.
 */
export function pruneUnknownFields(definition: string, obj: unknown): void {
  prune(builtinResolver.resolve(definition), obj, 0);
}

function prune(schema: StructNode, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  const node = deref(schema);
  if (node.kind === 'array') {
    if (!Array.isArray(value)) return;
    for (const item of value) prune(node.items, item, depth + 1);
    return;
  }
  if (node.kind !== 'object' || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = node.fields.get(key) ?? node.values;
    if (child) prune(child, record[key], depth + 1);
    else if (!node.open) delete record[key];
  }
}
