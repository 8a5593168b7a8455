// metadata.managedFields: decoding the entries into per-manager field sets and encoding them back
// in upstream's order (Apply before Update, then by time, manager, apiVersion, subresource). A
// manager is identified by name, operation and subresource, and for Update also by apiVersion
// (upstream BuildManagerIdentifier), so one name can hold an Apply and an Update entry.

import { FieldSet, FieldsV1Error } from './field-set.ts';
import { fieldElement, type FieldPath } from './path-element.ts';

export type Operation = 'Apply' | 'Update';

/** A metadata.managedFields item as it appears on the wire. */
export interface ManagedFieldsEntryJson {
  manager?: string;
  operation?: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ManagerIdentity {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly subresource: string;
}

export interface ManagedEntry extends ManagerIdentity {
  readonly time: string | undefined;
  readonly set: FieldSet;
}

/** Managers by identity key. */
export type Managers = Map<string, ManagedEntry>;

export function managerKey(id: ManagerIdentity): string {
  // Appliers keep their identity across versions; updaters are told apart by version.
  return JSON.stringify([id.manager, id.operation, id.operation === 'Apply' ? '' : id.apiVersion, id.subresource]);
}

export class ManagedFieldsError extends Error {}

/** Decodes metadata.managedFields; throws ManagedFieldsError when an entry is malformed. */
export function decodeManagedFields(entries: unknown): Managers {
  const managers: Managers = new Map();
  if (entries === undefined || entries === null) return managers;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ManagedFieldsError(`managed fields entry ${i} must be an object`);
    const e = raw as Record<string, unknown>;
    if (e['operation'] !== 'Apply' && e['operation'] !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (typeof e['apiVersion'] !== 'string' || e['apiVersion'] === '') throw new ManagedFieldsError('apiVersion must not be empty');
    if (e['fieldsType'] !== 'FieldsV1') {
      throw new ManagedFieldsError(e['fieldsType'] === undefined || e['fieldsType'] === '' ? `missing fieldsType in managed fields entry ${i}` : `invalid fieldsType ${JSON.stringify(e['fieldsType'])} in managed fields entry ${i}`);
    }
    for (const k of ['manager', 'subresource', 'time'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string') throw new ManagedFieldsError(`${k} must be a string in managed fields entry ${i}`);
    }
    let set: FieldSet;
    try {
      set = e['fieldsV1'] === undefined || e['fieldsV1'] === null ? new FieldSet() : decodeFieldsV1(e['fieldsV1']);
    } catch (err) {
      if (err instanceof FieldsV1Error) throw new ManagedFieldsError(`error decoding versioned set from entry ${i}: ${err.message}`);
      throw err;
    }
    const entry: ManagedEntry = {
      manager: (e['manager'] as string | undefined) ?? '',
      operation: e['operation'],
      apiVersion: e['apiVersion'],
      subresource: (e['subresource'] as string | undefined) ?? '',
      time: e['time'] as string | undefined,
      set,
    };
    managers.set(managerKey(entry), entry);
    rawEntries.set(entry, raw as ManagedFieldsEntryJson);
  });
  return managers;
}

/** The wire form each decoded entry came from: an entry no write changed is written back as it was. */
const rawEntries = new WeakMap<ManagedEntry, ManagedFieldsEntryJson>();

// Every write decodes and re-encodes the object's managedFields, which are mostly the same sets
// again: decoded sets are kept by their JSON, and each set remembers its canonical JSON, so an
// unchanged entry costs a stringify and a parse instead of a walk of the trie.
const MAX_CACHED_SETS = 1024;
const decoded = new Map<string, FieldSet>();
const canonical = new WeakMap<FieldSet, string>();

function decodeFieldsV1(value: unknown): FieldSet {
  const key = JSON.stringify(value);
  let set = decoded.get(key);
  if (set) return set;
  set = FieldSet.fromFieldsV1(value);
  if (decoded.size >= MAX_CACHED_SETS) decoded.delete(decoded.keys().next().value as string);
  decoded.set(key, set);
  return set;
}

function encodeFieldsV1(set: FieldSet): Record<string, unknown> {
  const json = canonical.get(set);
  // A fresh copy each time: the entry becomes part of an object that others may change.
  if (json !== undefined) return JSON.parse(json) as Record<string, unknown>;
  const fields = set.toFieldsV1();
  canonical.set(set, JSON.stringify(fields));
  return fields;
}

function timeSeconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareEntries(p: ManagerIdentity & { time?: string | undefined }, q: ManagerIdentity & { time?: string | undefined }): number {
  return cmp(p.operation, q.operation) || timeSeconds(p.time) - timeSeconds(q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource);
}

/** Encodes managers as metadata.managedFields, sorted as upstream sorts them. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntryJson[] {
  const entries = [...managers.values()].filter((e) => !e.set.isEmpty()).sort(compareEntries);
  return entries.map((e) => {
    const raw = rawEntries.get(e);
    if (raw) return raw;
    const out: ManagedFieldsEntryJson = {};
    if (e.manager) out.manager = e.manager;
    out.operation = e.operation;
    if (e.apiVersion) out.apiVersion = e.apiVersion;
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = encodeFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Upstream's "reset" request: managedFields set to [] (or one empty entry) clears them. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1) return false;
  const only: unknown = entries[0];
  return only !== null && typeof only === 'object' && !Array.isArray(only) && Object.keys(only).length === 0;
}

const meta = (name: string): FieldPath => [fieldElement('metadata'), fieldElement(name)];

/** Fields no manager ever owns: type and server-set metadata (upstream stripMetaManager). */
export const STRIP_SET: FieldSet = FieldSet.of(
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(meta),
);

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Keeps at most MAX_UPDATE_MANAGERS Update entries: the oldest are merged into one
 * "ancient-changes" entry per apiVersion (upstream capManagersManager).
 */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): Managers {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return managers;
  updaters.sort(([ka, a], [kb, b]) => timeSeconds(a.time) - timeSeconds(b.time) || cmp(ka, kb));
  const out: Managers = new Map(managers);
  let count = updaters.length;
  for (const [key, entry] of updaters) {
    if (count <= max) break;
    if (entry.manager === ANCIENT_CHANGES) continue;
    const bucketId: ManagerIdentity = { manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: entry.apiVersion, subresource: '' };
    const bucketKey = managerKey(bucketId);
    const bucket = out.get(bucketKey);
    out.delete(key);
    out.set(bucketKey, { ...bucketId, time: entry.time, set: bucket ? bucket.set.union(entry.set) : entry.set });
    if (bucket) count--;
  }
  return out;
}
