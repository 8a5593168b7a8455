import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../patch/json-value.ts';
import { StatusError } from '../status-error.ts';
import { applyToObject, updateManagedFields, type FieldManagerContext } from './field-manager.ts';
import { LAST_APPLIED_ANNOTATION, lastAppliedValue } from './last-applied.ts';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, isResetManagedFields, managerKey, type ManagedFieldsEntryJson } from './managed-fields.ts';
import { FieldSet } from './field-set.ts';
import { fieldElement as f } from './path-element.ts';
import { widgetType } from './testdata.ts';

const T = widgetType();
const what = { namespace: 'ns', name: 'w', kind: 'Widget' };
let clock = 0;

function ctx(manager: string, extra: Partial<FieldManagerContext> = {}): FieldManagerContext {
  clock++;
  return { type: T, now: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString().replace(/\.\d{3}Z$/, 'Z'), manager, apiVersion: 'test/v1', subresource: '', ...extra };
}

function widget(spec: JsonObject, metadata: JsonObject = { name: 'w' }): JsonObject {
  return { apiVersion: 'test/v1', kind: 'Widget', metadata, spec };
}

function entries(obj: JsonObject): ManagedFieldsEntryJson[] {
  return ((obj['metadata'] as JsonObject)['managedFields'] ?? []) as unknown as ManagedFieldsEntryJson[];
}

function owner(obj: JsonObject, manager: string, operation = 'Apply'): JsonObject | undefined {
  return entries(obj).find((e) => e.manager === manager && e.operation === operation)?.fieldsV1 as JsonObject | undefined;
}

function apply(live: JsonObject | undefined, config: JsonObject, manager: string, force = false): JsonObject {
  return applyToObject(live, structuredClone(config), force, ctx(manager), what);
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a conflict');
}

describe('server-side apply', () => {
  test('create-on-apply records the applier; re-applying the same config changes nothing but may share', () => {
    const obj = apply(undefined, widget({ replicas: 2 }), 'alice');
    assert.deepEqual(owner(obj, 'alice'), { 'f:spec': { 'f:replicas': {} } });
    assert.equal(entries(obj)[0]?.apiVersion, 'test/v1');
    const again = apply(obj, widget({ replicas: 2 }), 'alice');
    assert.deepEqual(again, obj, 'an unchanged apply keeps even the timestamps');
    const shared = apply(obj, widget({ replicas: 2 }), 'bob');
    assert.deepEqual(owner(shared, 'bob'), { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(owner(shared, 'alice'), { 'f:spec': { 'f:replicas': {} } });
  });

  test('a change to a field another applier owns is a 409 naming field and manager; force moves ownership', () => {
    const obj = apply(undefined, widget({ replicas: 2, paused: false }), 'alice');
    const err = conflictOf(() => apply(obj, widget({ replicas: 3, paused: true }), 'bob'));
    assert.equal(err.status.code, 409);
    assert.equal(err.status.reason, 'Conflict');
    assert.equal(err.status.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.paused\n- .spec.replicas');
    assert.deepEqual(err.status.details?.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.paused' },
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' },
    ]);
    const forced = apply(obj, widget({ replicas: 3 }), 'bob', true);
    assert.equal((forced['spec'] as JsonObject)['replicas'], 3);
    assert.deepEqual(owner(forced, 'bob'), { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(owner(forced, 'alice'), { 'f:spec': { 'f:paused': {} } });
  });

  test('an Update manager\'s fields conflict with an applier, named with its apiVersion', () => {
    const created = widget({ replicas: 1 });
    (created['metadata'] as JsonObject)['managedFields'] = updateManagedFields(undefined, created, ctx('kubectl-client-side-apply')) as JsonObject[];
    const err = conflictOf(() => apply(created, widget({ replicas: 5 }), 'ssa'));
    assert.equal(err.status.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using test/v1: .spec.replicas');
  });

  test('fields the applier stops applying are removed unless another manager owns them', () => {
    let obj = apply(undefined, widget({ replicas: 1, tags: ['a', 'b'], containers: [{ name: 'web', image: 'x' }, { name: 'side', image: 's' }] }, { name: 'w', labels: { a: '1', b: '2' } }), 'alice');
    obj = apply(obj, widget({ tags: ['b'] }, { name: 'w', labels: { b: '2' } }), 'bob');
    obj = apply(obj, widget({ tags: ['a'], containers: [{ name: 'web', image: 'x' }] }, { name: 'w' }), 'alice');
    assert.deepEqual(obj['spec'], { tags: ['a', 'b'], containers: [{ name: 'web', image: 'x' }] });
    assert.deepEqual((obj['metadata'] as JsonObject)['labels'], { b: '2' });
    assert.deepEqual(owner(obj, 'alice'), { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:tags': { 'v:"a"': {} } } });
  });

  test('an Update takes fields from appliers without conflict and keeps what it did not touch', () => {
    const obj = apply(undefined, widget({ replicas: 1, paused: false }), 'alice');
    const next = structuredClone(obj);
    (next['spec'] as JsonObject)['replicas'] = 4;
    const managed = updateManagedFields(obj, next, ctx('hpa')) as ManagedFieldsEntryJson[];
    const byManager = Object.fromEntries(managed.map((e) => [e.manager, e.fieldsV1]));
    assert.deepEqual(byManager, { alice: { 'f:spec': { 'f:paused': {} } }, hpa: { 'f:spec': { 'f:replicas': {} } } });
    assert.deepEqual(managed.map((e) => e.operation), ['Apply', 'Update'], 'Apply entries sort first');
    // A write that changes nothing keeps the entries as they are.
    assert.equal(updateManagedFields(obj, structuredClone(obj), ctx('hpa')), (obj['metadata'] as JsonObject)['managedFields']);
  });

  test('managedFields sent with an update replace the stored ones; [] resets them', () => {
    const obj = apply(undefined, widget({ replicas: 1 }), 'alice');
    const edited = structuredClone(obj);
    (edited['metadata'] as JsonObject)['managedFields'] = [{ manager: 'moved', operation: 'Apply', apiVersion: 'test/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    const managed = updateManagedFields(obj, edited, ctx('x')) as ManagedFieldsEntryJson[];
    assert.deepEqual(managed.map((e) => e.manager), ['moved']);
    (edited['metadata'] as JsonObject)['managedFields'] = [];
    assert.equal(updateManagedFields(obj, edited, ctx('x')), undefined);
    // An object stored without managed fields is not tracked by updates; the first apply gives
    // what was there to "before-first-apply".
    const bare = widget({ replicas: 1 });
    assert.equal(updateManagedFields(bare, widget({ replicas: 2 }), ctx('x')), undefined);
    const err = conflictOf(() => apply(bare, widget({ replicas: 2 }), 'alice'));
    assert.match(err.status.message ?? '', /conflict with "before-first-apply" using test\/v1: \.spec\.replicas/);
  });

  test('status is not owned through the main resource', () => {
    const ignored = FieldSet.of([f('status')]);
    const obj = applyToObject(undefined, { ...widget({ replicas: 1 }), status: { phase: 'x' } }, false, ctx('alice', { ignored }), what);
    assert.deepEqual(owner(obj, 'alice'), { 'f:spec': { 'f:replicas': {} } });
  });

  test('kubectl migrating from client-side apply: unchanged last-applied fields are not conflicts, and the annotation follows', () => {
    const config = widget({ replicas: 1 });
    const live = widget({ replicas: 1 }, { name: 'w', annotations: { [LAST_APPLIED_ANNOTATION]: lastAppliedValue(config) } });
    (live['metadata'] as JsonObject)['managedFields'] = updateManagedFields(undefined, live, ctx('kubectl-client-side-apply')) as JsonObject[];
    const obj = apply(live, widget({ replicas: 2 }), 'kubectl');
    assert.equal((obj['spec'] as JsonObject)['replicas'], 2);
    assert.deepEqual(owner(obj, 'kubectl'), { 'f:spec': { 'f:replicas': {} } });
    const annotation = ((obj['metadata'] as JsonObject)['annotations'] as JsonObject)[LAST_APPLIED_ANNOTATION] as string;
    assert.equal(annotation, '{"apiVersion":"test/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"replicas":2}}\n');
    // Another manager gets no such allowance.
    assert.equal(conflictOf(() => apply(live, widget({ replicas: 2 }), 'other')).status.code, 409);
  });

  test('a configuration that does not fit the schema is a 400', () => {
    const err = conflictOf(() => apply(undefined, widget({ containers: [{ name: 'a' }, { name: 'a' }] }), 'alice'));
    assert.equal(err.status.code, 400);
    assert.equal(err.status.message, 'failed to create typed patch object (ns/w; test/v1, Kind=Widget): .spec.containers: duplicate entries for key [name="a"]');
    assert.equal(conflictOf(() => apply(undefined, { ...widget({}), metadata: { name: 'w', managedFields: [] } }, 'alice')).status.message, 'metadata.managedFields must be nil');
  });
});

describe('managedFields entries', () => {
  test('decode and encode round-trip, sorted Apply first then by time', () => {
    const raw: ManagedFieldsEntryJson[] = [
      { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:b': {} } },
      { manager: 'a', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} }, subresource: 'status' },
      { manager: 'c', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:c': {} } },
    ];
    const encoded = encodeManagedFields(decodeManagedFields(raw));
    assert.deepEqual(encoded, [raw[2], raw[1], raw[0]]);
  });

  test('malformed entries are errors; [] and [{}] are resets', () => {
    assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1' }]));
    assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV2' }]));
    assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Apply', fieldsType: 'FieldsV1' }]));
    assert.ok(isResetManagedFields([]));
    assert.ok(isResetManagedFields([{}]));
    assert.ok(!isResetManagedFields(undefined));
  });

  test('more than ten Update managers fold the oldest into ancient-changes', () => {
    const raw = Array.from({ length: 12 }, (_, i) => ({ manager: `m${i}`, operation: 'Update' as const, apiVersion: 'v1', time: `2026-01-01T00:00:${String(10 + i)}Z`, fieldsType: 'FieldsV1' as const, fieldsV1: { [`f:f${i}`]: {} } }));
    const capped = capUpdateManagers(decodeManagedFields(raw));
    assert.equal(capped.size, 10);
    const ancient = capped.get(managerKey({ manager: 'ancient-changes', operation: 'Update', apiVersion: 'v1', subresource: '' }));
    assert.deepEqual(ancient?.set.toFieldsV1(), { 'f:f0': {}, 'f:f1': {}, 'f:f2': {} });
  });
});
