// The strategy every built-in kind starts from: upstream defaulting and validation from src/api,
// plus the generic behaviour of baseStrategy.

import { applyDefaults } from '../../../api/defaults/index.ts';
import { validateCreate, validateUpdate } from '../../../api/validation/index.ts';
import type { ResourceDefinition } from '../../../api/types.ts';
import { baseStrategy, type Strategy } from '../strategy.ts';

export function builtinStrategy(def: ResourceDefinition, overrides: Partial<Strategy> = {}): Strategy {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  return baseStrategy(def, {
    defaults: (obj) => applyDefaults(gvk, obj),
    validate: (obj) => validateCreate(gvk, obj),
    validateUpdate: (obj, old) => validateUpdate(gvk, obj, old),
    ...overrides,
  });
}

/** Reads a dotted path of an object as a string for field selectors ("" when absent). */
export function fieldString(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function fieldsFrom(paths: readonly string[]): (obj: unknown) => Record<string, string> {
  return (obj) => {
    const out: Record<string, string> = {};
    for (const p of paths) out[p] = fieldString(obj, p);
    return out;
  };
}
