import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../patch/json-value.ts';
import { compareObjects } from './compare.ts';
import { mergeValues, removeItems } from './merge.ts';
import { FieldSet } from './field-set.ts';
import { fieldElement as f, keyElement } from './path-element.ts';
import { widgetType } from './testdata.ts';
import { ensureNamedFieldsAreMembers, toFieldSet } from './typed.ts';

const T = widgetType();

function widget(spec: JsonObject, metadata: JsonObject = { name: 'w' }): JsonObject {
  return { apiVersion: 'test/v1', kind: 'Widget', metadata, spec };
}

describe('toFieldSet', () => {
  test('records leaves, list items, map keys and atomic values, not declared struct fields', () => {
    const set = toFieldSet(
      widget(
        {
          replicas: 2,
          containers: [{ name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }], resources: {} }],
          ports: [{ port: 80 }],
          tags: ['x'],
          args: ['a', 'b'],
          selector: { matchLabels: { app: 'w' } },
          extra: { free: { form: 1 } },
        },
        { name: 'w', labels: { app: 'w' } },
      ),
      T,
    );
    assert.deepEqual(set.toFieldsV1(), {
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {} },
      'f:spec': {
        'f:args': {},
        'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {}, 'f:resources': {} } },
        'f:extra': { 'f:free': { '.': {}, 'f:form': {} } },
        'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } },
        'f:replicas': {},
        'f:selector': {},
        'f:tags': { 'v:"x"': {} },
      },
    });
  });

  test('reports what does not fit the schema', () => {
    const errors: string[] = [];
    toFieldSet(widget({ containers: [{ name: 'a' }, { name: 'a' }, { image: 'x' }], bogus: 1, replicas: { no: 1 } }), T, errors);
    assert.deepEqual(errors.sort(), [
      '.spec.bogus: field not declared in schema',
      '.spec.containers: duplicate entries for key [name="a"]',
      '.spec.containers: element 2: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
      '.spec.replicas: expected scalar, got map',
    ]);
  });

  test('ensureNamedFieldsAreMembers adds declared struct fields, not map keys or list items', () => {
    const set = FieldSet.of([f('spec'), f('containers'), keyElement([['name', 'web']]), f('image')], [f('metadata'), f('labels'), f('a')]);
    const ensured = ensureNamedFieldsAreMembers(set, T);
    assert.ok(ensured.has([f('spec')]));
    assert.ok(ensured.has([f('spec'), f('containers')]));
    assert.ok(!ensured.has([f('spec'), f('containers'), keyElement([['name', 'web']])]));
    assert.ok(ensured.has([f('metadata'), f('labels')]));
  });
});

describe('compareObjects', () => {
  test('finds added, modified and removed paths', () => {
    const before = widget({ replicas: 1, tags: ['a', 'b'], containers: [{ name: 'web', image: 'v1' }] }, { name: 'w', labels: { a: '1' } });
    const after = widget({ replicas: 2, tags: ['b', 'c'], containers: [{ name: 'web', image: 'v1' }, { name: 'side', image: 's' }] }, { name: 'w' });
    const c = compareObjects(before, after, T);
    assert.deepEqual(c.modified.toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(c.added.toFieldsV1(), { 'f:spec': { 'f:containers': { 'k:{"name":"side"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:tags': { 'v:"c"': {} } } });
    assert.deepEqual(c.removed.toFieldsV1(), { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:tags': { 'v:"a"': {} } } });
  });

  test('a Go value struct appearing is not itself a change; a schema-only struct is', () => {
    const before = widget({});
    const after = widget({ template: { rollout: { maxSurge: '1' } } });
    assert.deepEqual(compareObjects(before, after, T).added.toFieldsV1(), { 'f:spec': { 'f:template': { 'f:rollout': { 'f:maxSurge': {} } } } });
    assert.deepEqual(compareObjects(before, after, widgetType(false)).added.toFieldsV1(), {
      'f:spec': { 'f:template': { '.': {}, 'f:rollout': { '.': {}, 'f:maxSurge': {} } } },
    });
  });

  test('equal objects compare the same; atomic values compare whole', () => {
    const a = widget({ selector: { matchLabels: { x: '1' } }, args: ['a'] });
    assert.ok(compareObjects(a, structuredClone(a), T).modified.isEmpty());
    const b = widget({ selector: { matchLabels: { x: '2' } }, args: ['a', 'b'] });
    assert.deepEqual(compareObjects(a, b, T).modified.toFieldsV1(), { 'f:spec': { 'f:args': {}, 'f:selector': {} } });
  });
});

describe('mergeValues', () => {
  test('merges list maps by key keeping applied order, sets by value, replaces atomic lists', () => {
    const live = widget({
      containers: [{ name: 'a', image: 'a1' }, { name: 'x', image: 'x1' }, { name: 'b', image: 'b1' }],
      tags: ['t1', 't2'],
      args: ['one', 'two'],
      replicas: 1,
    });
    const config = widget({ containers: [{ name: 'b', image: 'b2' }, { name: 'a' }, { name: 'c', image: 'c1' }], tags: ['t3'], args: ['three'] });
    const merged = mergeValues(live, config, T) as JsonObject;
    assert.deepEqual(merged['spec'], {
      containers: [{ name: 'x', image: 'x1' }, { name: 'b', image: 'b2' }, { name: 'a', image: 'a1' }, { name: 'c', image: 'c1' }],
      tags: ['t1', 't2', 't3'],
      args: ['three'],
      replicas: 1,
    });
    assert.deepEqual((live['spec'] as JsonObject)['args'], ['one', 'two'], 'inputs are not modified');
  });

  test('an applied null clears a scalar but leaves a non-empty map', () => {
    const live = widget({ replicas: 3, paused: true }, { name: 'w', labels: { a: '1' } });
    const merged = mergeValues(live, { spec: { replicas: null }, metadata: { labels: null } }, T) as JsonObject;
    assert.deepEqual(merged['spec'], { paused: true });
    assert.deepEqual((merged['metadata'] as JsonObject)['labels'], { a: '1' });
  });
});

describe('removeItems', () => {
  test('removes members with their subtree and drops emptied maps and lists', () => {
    const obj = widget({ replicas: 1, containers: [{ name: 'a', image: 'x' }, { name: 'b' }], tags: ['t'] }, { name: 'w', labels: { a: '1' } });
    const set = FieldSet.of([f('spec'), f('containers'), keyElement([['name', 'a']])], [f('spec'), f('tags')], [f('metadata'), f('labels'), f('a')]);
    assert.deepEqual(removeItems(obj, set, T), widget({ replicas: 1, containers: [{ name: 'b' }] }, { name: 'w' }));
  });
});
