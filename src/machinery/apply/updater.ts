// The ownership rules of server-side apply (upstream merge.Updater). An Update records what the
// write added or changed under its manager and takes those fields from everyone else. An Apply
// merges the configuration into the live object, removes what the applier owned before and no
// longer applies (unless someone else owns it), and fails with conflicts when it would change a
// field another manager owns, unless forced, in which case ownership moves to the applier.

import type { JsonObject } from '../patch/json-value.ts';
import { compareObjects, excludeFields, type Comparison } from './compare.ts';
import { ApplyConflicts, type Conflict } from './conflict.ts';
import { FieldSet } from './field-set.ts';
import { capUpdateManagers, compareEntries, managerKey, STRIP_SET, type ManagedEntry, type ManagerIdentity, type Managers } from './managed-fields.ts';
import { mergeValues, removeItems } from './merge.ts';
import type { TypeNode } from './type-info.ts';
import { ensureNamedFieldsAreMembers, toFieldSet } from './typed.ts';

/** Who is writing: the manager name, the API version of the request and the subresource ('' for the main resource). */
export interface ManagerRef {
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource: string;
}

export interface OwnershipContext {
  readonly type: TypeNode;
  /** Fields no manager may own through this endpoint (status on the main resource, ...). */
  readonly ignored?: FieldSet | undefined;
  /** RFC 3339 time recorded on the writer's entry. */
  readonly now: string;
}

/** The manager name as recorded: upstream records a missing one as "unknown". */
export function managerName(name: string): string {
  return name === '' ? 'unknown' : name;
}

/**
 * Detects conflicts of a write with every manager but `writer`, then takes the changed fields from
 * them (when forced) and the removed fields from all of them.
 */
function transfer(old: JsonObject, next: JsonObject, managers: Managers, writer: string, force: boolean, ctx: OwnershipContext): { managers: Managers; comparison: Comparison } {
  const comparison = compareObjects(old, next, ctx.type);
  const filtered = excludeFields(comparison, ctx.ignored);
  const changed = filtered.modified.union(filtered.added);
  const conflictSets = new Map<string, FieldSet>();
  const conflicts: Conflict[] = [];
  for (const [key, entry] of [...managers.entries()].sort(([, a], [, b]) => compareEntries(a, b))) {
    if (key === writer) continue;
    const overlap = entry.set.intersection(changed);
    if (overlap.isEmpty()) continue;
    conflictSets.set(key, overlap);
    for (const path of overlap.paths()) conflicts.push({ manager: entry, path });
  }
  if (!force && conflicts.length > 0) throw new ApplyConflicts(conflicts);
  const out: Managers = new Map();
  for (const [key, entry] of managers) {
    let set = entry.set;
    if (key !== writer) set = set.difference(conflictSets.get(key) ?? FieldSet.EMPTY).difference(filtered.removed);
    if (!set.isEmpty()) out.set(key, set === entry.set ? entry : { ...entry, set });
  }
  return { managers: out, comparison };
}

/**
 * An Update (create, PUT, non-apply PATCH): the writer owns what it added or modified, in one
 * entry per manager, apiVersion and subresource; its time moves only when it changed something.
 */
export function recordUpdate(live: JsonObject | undefined, next: JsonObject, managers: Managers, writer: ManagerRef, ctx: OwnershipContext): Managers {
  const current = '\u0000current-operation';
  const { managers: after, comparison } = transfer(live ?? {}, next, managers, current, true, ctx);
  let set = comparison.modified.union(comparison.added).difference(comparison.removed);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  set = set.difference(STRIP_SET);
  if (set.isEmpty()) return after;
  const id: ManagerIdentity = { manager: managerName(writer.manager), operation: 'Update', apiVersion: writer.apiVersion, subresource: writer.subresource };
  const key = managerKey(id);
  const previous = after.get(key);
  // Keep the previous set when the write added nothing to it (its encoding is cached).
  const merged = previous ? (set.difference(previous.set).isEmpty() ? previous.set : set.union(previous.set)) : set;
  after.set(key, { ...id, time: ctx.now, set: merged });
  return capUpdateManagers(after);
}

export interface ApplyResult {
  readonly object: JsonObject;
  readonly managers: Managers;
}

/**
 * An Apply of `config` (already checked against the type; `configSet` is its field set) onto
 * `live` ({} when the object does not exist yet). Throws ApplyConflicts unless `force`.
 */
export function applyConfig(live: JsonObject, config: JsonObject, configSet: FieldSet, managers: Managers, writer: ManagerRef, force: boolean, ctx: OwnershipContext): ApplyResult {
  const id: ManagerIdentity = { manager: managerName(writer.manager), operation: 'Apply', apiVersion: writer.apiVersion, subresource: writer.subresource };
  const key = managerKey(id);
  const withApplier: Managers = new Map(managers);
  const lastSet = managers.get(key)?.set;
  let set = ctx.ignored ? configSet.recursiveDifference(ctx.ignored) : configSet;
  // Re-applying the same configuration keeps the same set (and its cached encoding).
  if (lastSet && set.equals(lastSet.difference(STRIP_SET))) set = lastSet;
  withApplier.set(key, { ...id, time: managers.get(key)?.time, set });
  let merged = (mergeValues(live, config, ctx.type) ?? {}) as JsonObject;
  // Nothing to remove when the configuration still sets everything it set last time.
  if (lastSet && !lastSet.difference(STRIP_SET).difference(set).isEmpty()) {
    // Pruning may empty a list or map the configuration gives as [] or {}: those stay, as applied.
    merged = (mergeValues(prune(merged, withApplier, lastSet, ctx.type), config, ctx.type) ?? {}) as JsonObject;
  }
  const { managers: after } = transfer(live, merged, withApplier, key, force, ctx);
  const mine = after.get(key);
  if (mine) {
    const stripped = mine.set === lastSet ? mine.set : mine.set.difference(STRIP_SET);
    if (stripped.isEmpty()) after.delete(key);
    else after.set(key, { ...mine, time: ctx.now, set: stripped } satisfies ManagedEntry);
  }
  return { object: merged, managers: capUpdateManagers(after) };
}

/**
 * Removes the fields the applier owned last time and no longer applies, unless a manager (the
 * applier's new configuration included) owns them (upstream prune, addBackOwnedItems and
 * addBackDanglingItems).
 */
function prune(merged: JsonObject, managers: Managers, lastSet: FieldSet | undefined, type: TypeNode): JsonObject {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, type);
  const last = ensure(lastSet);
  const firstPass = (removeItems(merged, last, type) ?? {}) as JsonObject;
  let owned = FieldSet.EMPTY;
  for (const entry of managers.values()) owned = owned.union(entry.set);
  const mergedSet = ensure(toFieldSet(merged, type));
  const firstSet = ensure(toFieldSet(firstPass, type));
  const addedBack = (removeItems(merged, mergedSet.difference(firstSet.union(ensure(owned))), type) ?? {}) as JsonObject;
  const addedBackSet = ensure(toFieldSet(addedBack, type));
  return (removeItems(merged, mergedSet.difference(addedBackSet).intersection(last), type) ?? {}) as JsonObject;
}
