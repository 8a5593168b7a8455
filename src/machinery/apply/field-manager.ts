// The field manager of one write, on whole objects (upstream FieldManager and its chain of
// managers): decodes metadata.managedFields, runs the Update or Apply ownership rules, keeps the
// client-side-apply annotation in step for kubectl, and encodes the result. Updates never fail
// (a broken managedFields is dropped, as upstream's UpdateNoErrors does); applies fail with 400
// for a configuration that does not fit the schema and 409 for conflicts.

import { badRequest } from '../status-error.ts';
import { isJsonObject, jsonEqual, type JsonObject } from '../patch/json-value.ts';
import { ApplyConflicts, conflictStatus } from './conflict.ts';
import type { FieldSet } from './field-set.ts';
import { allowedConflictsFromLastApplied, KUBECTL_MANAGER, lastAppliedOf, lastAppliedValue, withLastApplied } from './last-applied.ts';
import { decodeManagedFields, encodeManagedFields, isResetManagedFields, ManagedFieldsError, type ManagedFieldsEntryJson, type Managers } from './managed-fields.ts';
import type { TypeNode } from './type-info.ts';
import { toFieldSet } from './typed.ts';
import { applyConfig, recordUpdate, type ApplyResult, type ManagerRef } from './updater.ts';

export interface FieldManagerContext {
  readonly type: TypeNode;
  /** Fields nobody owns through this endpoint (upstream's reset fields). */
  readonly ignored?: FieldSet | undefined;
  /** RFC 3339, seconds precision. */
  readonly now: string;
  readonly manager: string;
  /** The API version of the request (group/version). */
  readonly apiVersion: string;
  /** '' for the main resource. */
  readonly subresource: string;
}

/** The object without metadata.managedFields (a shallow copy; the input is not changed). */
export function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = obj['metadata'];
  if (!isJsonObject(meta) || !Object.prototype.hasOwnProperty.call(meta, 'managedFields')) return obj;
  const { managedFields: _, ...rest } = meta;
  return { ...obj, metadata: rest };
}

function managedFieldsOf(obj: JsonObject | undefined): unknown {
  const meta = obj?.['metadata'];
  return isJsonObject(meta) ? meta['managedFields'] : undefined;
}

function tryDecode(entries: unknown): Managers | undefined {
  try {
    return decodeManagedFields(entries);
  } catch (err) {
    if (err instanceof ManagedFieldsError) return undefined;
    throw err;
  }
}

function writer(ctx: FieldManagerContext): ManagerRef {
  return { manager: ctx.manager, apiVersion: ctx.apiVersion, subresource: ctx.subresource };
}

/**
 * A write that only moved managedFields timestamps keeps the old entries, so an unchanged
 * object is not rewritten (upstream IgnoreManagedFieldsTimestampsTransformer).
 */
function keepOldTimestamps(live: JsonObject | undefined, liveStripped: JsonObject, nextStripped: JsonObject, encoded: ManagedFieldsEntryJson[]): unknown {
  const old = managedFieldsOf(live);
  if (!Array.isArray(old) || old.length !== encoded.length) return encoded;
  for (let i = 0; i < old.length; i++) {
    const a: unknown = old[i];
    if (!isJsonObject(a) || !jsonEqual({ ...a, time: null }, { ...encoded[i], time: null })) return encoded;
  }
  return jsonEqual(liveStripped, nextStripped) ? old : encoded;
}

/**
 * managedFields for an Update (create, PUT, non-apply PATCH) of `live` (undefined on create)
 * into `next`. Returns the entries to store, or undefined for none.
 */
export function updateManagedFields(live: JsonObject | undefined, next: JsonObject, ctx: FieldManagerContext): unknown {
  const requested = managedFieldsOf(next);
  if (isResetManagedFields(requested)) return undefined;
  // Managed fields sent with a write of the main resource replace the stored ones (so clients
  // can edit them); anything else keeps what is stored.
  const stored = managedFieldsOf(live);
  const override = ctx.subresource === '' && Array.isArray(requested) && requested.length > 0 && !jsonEqual(requested, stored);
  let managers = override ? tryDecode(requested) : undefined;
  const fromLive = !managers || managers.size === 0;
  if (fromLive) managers = tryDecode(stored);
  if (!managers) return undefined;
  // An object stored without managed fields is not tracked from its first update on (upstream
  // skipNonAppliedManager); creates always are.
  if (managers.size === 0 && live !== undefined) return undefined;
  const liveStripped = live ? withoutManagedFields(live) : undefined;
  const after = recordUpdate(liveStripped, withoutManagedFields(next), managers, writer(ctx), ctx);
  // Nobody's fields moved: the stored entries stand as they are.
  if (fromLive && sameEntries(managers, after)) return stored;
  const encoded = encodeManagedFields(after);
  return encoded.length === 0 ? undefined : encoded;
}

function sameEntries(a: Managers, b: Managers): boolean {
  if (a.size !== b.size) return false;
  for (const [key, entry] of a) if (b.get(key) !== entry) return false;
  return true;
}

/** Names the object in messages like upstream: `(ns/name; apps/v1, Kind=Deployment)`. */
export interface ObjectDescription {
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
}

/**
 * Server-side apply of `config` onto `live` (undefined: the object is created). Returns the new
 * object with its managedFields. Throws a 400 StatusError for a configuration that does not fit
 * the schema and a 409 for conflicts.
 */
export function applyToObject(live: JsonObject | undefined, config: JsonObject, force: boolean, ctx: FieldManagerContext, what: ObjectDescription): JsonObject {
  if (managedFieldsOf(config) !== undefined) throw badRequest('metadata.managedFields must be nil');
  const errors: string[] = [];
  const configSet = toFieldSet(config, ctx.type, errors);
  if (errors.length > 0) {
    const detail = errors.length === 1 ? errors[0] : `errors:\n  ${errors.join('\n  ')}`;
    throw badRequest(`failed to create typed patch object (${what.namespace}/${what.name}; ${ctx.apiVersion}, Kind=${what.kind}): ${detail}`);
  }
  const liveStripped = live ? withoutManagedFields(live) : {};
  let managers = tryDecode(managedFieldsOf(live)) ?? new Map();
  if (live && managers.size === 0) {
    // Fields set before anyone applied belong to a placeholder updater, so the first apply
    // conflicts where it would change them (upstream "before-first-apply").
    managers = recordUpdate(undefined, liveStripped, managers, { manager: 'before-first-apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource }, ctx);
  }
  let result: ApplyResult;
  try {
    result = applyConfig(liveStripped, config, configSet, managers, writer(ctx), force, ctx);
  } catch (err) {
    if (!(err instanceof ApplyConflicts)) throw err;
    const allowed = ctx.manager === KUBECTL_MANAGER && live ? allowedConflictsFromLastApplied(live, liveStripped, ctx.type, ctx.apiVersion) : undefined;
    const left = allowed ? err.without(allowed) : err;
    if (left) throw conflictStatus(left);
    result = applyConfig(liveStripped, config, configSet, managers, writer(ctx), true, ctx);
  }
  let object = result.object;
  if (ctx.manager === KUBECTL_MANAGER && lastAppliedOf(object) !== undefined) object = withLastApplied(object, lastAppliedValue(config));
  const encoded = encodeManagedFields(result.managers);
  const managedFields = live ? keepOldTimestamps(live, liveStripped, object, encoded) : encoded;
  const meta = isJsonObject(object['metadata']) ? { ...object['metadata'] } : {};
  if (Array.isArray(managedFields) && managedFields.length > 0) meta['managedFields'] = managedFields as JsonObject[];
  else delete meta['managedFields'];
  return { ...object, metadata: meta };
}
