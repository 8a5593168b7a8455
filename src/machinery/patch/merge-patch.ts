// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively, null
// deletes, everything else (arrays included) replaces. Used for custom resources, where kubectl
// always sends merge patches.

import { checkDepth, cloneJson, deleteOwn, getOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from './json-value.ts';

/** Returns `patch` applied to a copy of `doc`; neither input is modified. */
export function applyMergePatch(doc: unknown, patch: unknown): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const target = isJsonObject(doc) ? (cloneJson(doc) as JsonObject) : {};
  mergeInto(target, patch, 1);
  return target;
}

/** Merges `patch` into `target` in place; `target` must be owned by the caller. */
function mergeInto(target: JsonObject, patch: JsonObject, depth: number): void {
  checkDepth(depth);
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (value === null) {
      deleteOwn(target, key);
    } else if (isJsonObject(value)) {
      const current = getOwn(target, key);
      const child: JsonObject = isJsonObject(current) ? current : {};
      mergeInto(child, value, depth + 1);
      setOwn(target, key, child);
    } else {
      setOwn(target, key, cloneJson(value));
    }
  }
}
