import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FieldSet, FieldsV1Error } from './field-set.ts';
import { fieldElement as f, goJson, indexElement, keyElement, parsePathElement, pathString, valueElement } from './path-element.ts';

describe('path elements', () => {
  test('serialize canonically: key fields sorted, Go JSON escaping', () => {
    assert.equal(keyElement([['protocol', 'TCP'], ['containerPort', 80]]).id, 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(valueElement('a<b>&c').id, 'v:"a\\u003cb\\u003e\\u0026c"');
    assert.equal(indexElement(3).id, 'i:3');
    assert.equal(goJson({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}');
  });

  test('parse round-trips and ignores unknown prefixes', () => {
    for (const id of ['f:spec', 'k:{"name":"x"}', 'v:"x"', 'v:5', 'i:0']) assert.equal(parsePathElement(id)?.id, id);
    assert.equal(parsePathElement('k:{"protocol":"TCP","containerPort":80}')?.id, 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(parsePathElement('z:whatever'), undefined);
    assert.throws(() => parsePathElement('k:{bad'));
    assert.throws(() => parsePathElement('fx'));
  });

  test('print paths as upstream conflict messages do', () => {
    assert.equal(pathString([f('spec'), f('containers'), keyElement([['name', 'web']]), f('image')]), '.spec.containers[name="web"].image');
    assert.equal(pathString([f('spec'), f('ports'), keyElement([['port', 80], ['protocol', 'TCP']])]), '.spec.ports[port=80,protocol="TCP"]');
    assert.equal(pathString([f('metadata'), f('finalizers'), valueElement('x')]), '.metadata.finalizers[="x"]');
  });
});

describe('FieldSet', () => {
  const item = keyElement([['name', 'web']]);
  const sample = (): FieldSet =>
    FieldSet.of(
      [f('metadata'), f('labels')],
      [f('metadata'), f('labels'), f('app')],
      [f('spec'), f('replicas')],
      [f('spec'), f('containers'), item],
      [f('spec'), f('containers'), item, f('image')],
    );

  test('encodes FieldsV1 with "." for paths that are members and have children, sorted', () => {
    assert.deepEqual(sample().toFieldsV1(), {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} },
    });
    assert.deepEqual(Object.keys(FieldSet.of([f('b')], [f('a')], [keyElement([['k', 1]])]).toFieldsV1()), ['f:a', 'f:b', 'k:{"k":1}']);
  });

  test('decodes what it encodes', () => {
    const s = sample();
    const back = FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(s.toFieldsV1())));
    assert.ok(back.equals(s));
    assert.ok(back.has([f('metadata'), f('labels')]));
    assert.ok(!back.has([f('metadata')]));
    assert.ok(back.has([f('spec'), f('containers'), item]));
    assert.equal(back.size(), 5);
  });

  test('rejects malformed FieldsV1', () => {
    assert.throws(() => FieldSet.fromFieldsV1([]), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1({ 'k:{oops': {} }), FieldsV1Error);
    assert.ok(FieldSet.fromFieldsV1({ 'x:future': {} }).isEmpty());
  });

  test('union, intersection and difference work on exact paths', () => {
    const a = FieldSet.of([f('a')], [f('b'), f('c')]);
    const b = FieldSet.of([f('b'), f('c')], [f('d')]);
    assert.deepEqual(a.union(b).toFieldsV1(), { 'f:a': {}, 'f:b': { 'f:c': {} }, 'f:d': {} });
    assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:b': { 'f:c': {} } });
    assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:a': {} });
    // A member of the right side keeps the left side's paths below it...
    const deep = FieldSet.of([f('x'), f('y')], [f('z')]);
    assert.deepEqual(deep.difference(FieldSet.of([f('x')])).toFieldsV1(), { 'f:x': { 'f:y': {} }, 'f:z': {} });
    // ...unless the difference is recursive.
    assert.deepEqual(deep.recursiveDifference(FieldSet.of([f('x')])).toFieldsV1(), { 'f:z': {} });
  });

  test('lists paths with a node\'s members before its children', () => {
    assert.deepEqual(
      sample().paths().map(pathString),
      ['.metadata.labels', '.metadata.labels.app', '.spec.replicas', '.spec.containers[name="web"]', '.spec.containers[name="web"].image'],
    );
  });
});
