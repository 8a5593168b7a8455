// Patch metadata for built-in kinds, compiled from the fact table src/api/data/list-semantics.json
// (definition -> property -> patchStrategy/patchMergeKey, plus "$refs" saying which definition each
// property points to). Strategic merge patch asks one question: "for property P of definition D,
// how do I merge, and what type is inside?" — answered here from a precomputed map.

import { readFileSync } from 'node:fs';

/**
 * The fact table as stored on disk: definition -> property -> RawFieldSemantics, plus the
 * "$refs" entry: definition -> property -> "<def>" | "[]<def>" | "map[string]<def>".
 */
export type RawListSemantics = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface RawFieldSemantics {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
}

/** What a value is: a struct of a definition, a map whose values are of a definition, or unknown. */
export type TypeRef = { kind: 'struct'; def: string } | { kind: 'map'; def: string } | undefined;

export interface PatchMeta {
  /** '' = default (maps merge, lists replace), 'merge' = lists merge, 'replace' = maps replace. */
  readonly strategy: '' | 'merge' | 'replace';
  readonly retainKeys: boolean;
  /** Merge key for lists of objects with strategy 'merge'; '' for primitive lists. */
  readonly mergeKey: string;
  /** Type of the value, or of each element for a list. */
  readonly type: TypeRef;
}

export const DEFAULT_PATCH_META: PatchMeta = Object.freeze({ strategy: '', retainKeys: false, mergeKey: '', type: undefined });

export interface ListSemantics {
  /** Metadata for property `key` of a value of type `parent`; defaults when nothing is known. */
  lookup(parent: TypeRef, key: string): PatchMeta;
  /** The type of a top-level object of the given definition, or undefined if it is unknown. */
  root(definition: string): TypeRef;
}

const REFS_KEY = '$refs';

/** Builds the fast lookup from the raw table (one pass; the result is immutable). */
export function compileListSemantics(raw: RawListSemantics): ListSemantics {
  const table = new Map<string, Map<string, PatchMeta>>();
  const refs = (raw[REFS_KEY] ?? {}) as Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;
  const defs = new Set<string>([...Object.keys(raw), ...Object.keys(refs)]);
  defs.delete(REFS_KEY);

  for (const def of defs) {
    const props = new Map<string, PatchMeta>();
    const semantics = (raw[def] ?? {}) as Readonly<Record<string, RawFieldSemantics | undefined>>;
    const targets = refs[def] ?? {};
    const names = new Set([...Object.keys(semantics), ...Object.keys(targets)]);
    names.delete('$self');
    for (const name of names) {
      const meta = compileField(semantics[name], targets[name]);
      if (meta !== DEFAULT_PATCH_META) props.set(name, meta);
    }
    table.set(def, props);
  }

  // Values of a map[string]<def> property: default strategy, typed as <def>.
  const mapValueMetas = new Map<string, PatchMeta>();
  const mapValueMeta = (def: string): PatchMeta => {
    const cached = mapValueMetas.get(def);
    if (cached) return cached;
    const meta: PatchMeta = Object.freeze({ strategy: '', retainKeys: false, mergeKey: '', type: { kind: 'struct' as const, def } });
    mapValueMetas.set(def, meta);
    return meta;
  };

  return {
    lookup(parent: TypeRef, key: string): PatchMeta {
      if (parent === undefined) return DEFAULT_PATCH_META;
      if (parent.kind === 'map') return mapValueMeta(parent.def);
      return table.get(parent.def)?.get(key) ?? DEFAULT_PATCH_META;
    },
    root(definition: string): TypeRef {
      return table.has(definition) ? { kind: 'struct', def: definition } : undefined;
    },
  };
}

function compileField(field: RawFieldSemantics | undefined, target: string | undefined): PatchMeta {
  let strategy: PatchMeta['strategy'] = '';
  let retainKeys = false;
  for (const part of (field?.patchStrategy ?? '').split(',')) {
    const s = part.trim();
    if (s === 'retainKeys') retainKeys = true;
    else if (s === 'merge' || s === 'replace') strategy = s;
  }
  const mergeKey = strategy === 'merge' ? (field?.patchMergeKey ?? '') : '';
  let type: TypeRef;
  if (target !== undefined) {
    if (target.startsWith('[]')) type = { kind: 'struct', def: target.slice(2) };
    else if (target.startsWith('map[string]')) type = { kind: 'map', def: target.slice('map[string]'.length) };
    else type = { kind: 'struct', def: target };
  }
  if (strategy === '' && !retainKeys && type === undefined) return DEFAULT_PATCH_META;
  return Object.freeze({ strategy, retainKeys, mergeKey, type });
}

let builtin: ListSemantics | undefined;

/** The compiled table for the built-in API, read from disk on first use and then shared. */
export function builtinListSemantics(): ListSemantics {
  if (!builtin) {
    const url = new URL('../../api/data/list-semantics.json', import.meta.url);
    builtin = compileListSemantics(JSON.parse(readFileSync(url, 'utf8')) as RawListSemantics);
  }
  return builtin;
}
