// Structural defaulting of custom objects, as upstream applies it when decoding a request and
// when reading from storage: a missing field with a `default` gets a copy of it; a null in a
// non-nullable field is replaced by its default, or dropped when it has none.

import { MAX_SCHEMA_DEPTH, walkNodes, type SchemaNode } from './structural.ts';

/** Applies defaults in place. */
export function applySchemaDefaults(node: SchemaNode, value: unknown, depth = 0): void {
  if (depth > MAX_SCHEMA_DEPTH * 2 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (node.items) for (const item of value) applySchemaDefaults(node.items, item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (node.properties) {
    for (const [key, sub] of node.properties) {
      if (record[key] === null && !sub.nullable) delete record[key];
      if (!(key in record) && sub.hasDefault) record[key] = structuredClone(sub.default);
      if (key in record) applySchemaDefaults(sub, record[key], depth + 1);
    }
  } else if (node.additional) {
    const sub = node.additional;
    for (const key of Object.keys(record)) {
      if (record[key] === null && !sub.nullable) {
        if (sub.hasDefault) record[key] = structuredClone(sub.default);
        else delete record[key];
      }
      if (key in record) applySchemaDefaults(sub, record[key], depth + 1);
    }
  }
}

/** Whether applySchemaDefaults would change the value (reads then default a copy). */
export function defaultsMissing(node: SchemaNode, value: unknown, depth = 0): boolean {
  if (depth > MAX_SCHEMA_DEPTH * 2 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return node.items !== undefined && value.some((item) => defaultsMissing(node.items as SchemaNode, item, depth + 1));
  const record = value as Record<string, unknown>;
  if (node.properties) {
    for (const [key, sub] of node.properties) {
      if (!(key in record)) {
        if (sub.hasDefault) return true;
      } else if ((record[key] === null && !sub.nullable) || defaultsMissing(sub, record[key], depth + 1)) return true;
    }
  } else if (node.additional) {
    const sub = node.additional;
    for (const v of Object.values(record)) if ((v === null && !sub.nullable) || defaultsMissing(sub, v, depth + 1)) return true;
  }
  return false;
}

/** Whether any node of the schema carries a default (reads need defaulting then). */
export function hasDefaults(root: SchemaNode): boolean {
  for (const node of walkNodes(root)) if (node.hasDefault) return true;
  return false;
}
