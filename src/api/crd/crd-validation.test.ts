import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCrd, validateCrd, validateCrdUpdate } from './crd-validation.ts';

type Rec = Record<string, any>;

function crd(mutate: (c: Rec) => void = () => {}): Rec {
  const c: Rec = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wg'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } },
          additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        },
      ],
    },
  };
  mutate(c);
  defaultCrd(c);
  return c;
}

const problems = (c: Rec): string[] => validateCrd(c).map((e) => `${e.field}: ${e.message}`);
const schemaOf = (c: Rec): Rec => c['spec'].versions[0].schema.openAPIV3Schema;
const S = 'spec.versions[0].schema.openAPIV3Schema';

describe('defaultCrd', () => {
  it('defaults conversion, singular and listKind', () => {
    const c = crd();
    assert.deepEqual(c['spec'].conversion, { strategy: 'None' });
    assert.equal(c['spec'].names.singular, 'widget');
    assert.equal(c['spec'].names.listKind, 'WidgetList');
  });
});

describe('validateCrd', () => {
  it('accepts a well-formed CRD', () => {
    assert.deepEqual(problems(crd()), []);
  });

  it('checks the name, the group and the names', () => {
    assert.deepEqual(problems(crd((c) => (c['metadata'].name = 'gadgets.example.com'))), ['metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group']);
    assert.ok(problems(crd((c) => { c['spec'].group = 'example'; c['metadata'].name = 'widgets.example'; })).includes('spec.group: Invalid value: "example": should be a domain with at least one dot'));
    assert.match(problems(crd((c) => { c['spec'].group = 'x.k8s.io'; c['metadata'].name = 'widgets.x.k8s.io'; }))[0] as string, /api-approved\.kubernetes\.io/);
    const bad = problems(crd((c) => { c['spec'].names = { plural: 'Widgets', kind: 'wid get', listKind: 'wid get', shortNames: ['ok', 'NO'] }; c['metadata'].name = 'Widgets.example.com'; }));
    assert.ok(bad.some((p) => p.startsWith('spec.names.plural: Invalid value: "Widgets": a DNS-1035 label')), bad.join('\n'));
    assert.ok(bad.some((p) => p.startsWith('spec.names.kind: Invalid value: "wid get": may have mixed case, but should otherwise match')));
    assert.ok(bad.includes('spec.names.listKind: Invalid value: "wid get": kind and listKind may not be the same or parsing become ambiguous'));
    assert.ok(bad.some((p) => p.startsWith('spec.names.shortNames[1]: Invalid value: "NO"')));
    assert.deepEqual(problems(crd((c) => (c['spec'].scope = 'Galaxy'))), ['spec.scope: Unsupported value: "Galaxy": supported values: "Cluster", "Namespaced"']);
  });

  it('wants exactly one storage version, a served one, unique names', () => {
    const two = crd((c) => c['spec'].versions.push({ ...c['spec'].versions[0], name: 'v1' }));
    assert.deepEqual(problems(two), [
      'spec.versions: Invalid value: []interface {}{"v1", "v1"}: must contain unique version names',
      'spec.versions: Invalid value: []interface {}{"v1", "v1"}: must have exactly one version marked as storage version',
    ]);
    const unserved = crd((c) => (c['spec'].versions[0].served = false));
    assert.deepEqual(problems(unserved), ['spec.versions: Invalid value: []interface {}{"v1"}: must have at least one served version']);
  });

  it('refuses webhook conversion clearly', () => {
    const c = crd((c) => (c['spec'].conversion = { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://x' } } }));
    assert.deepEqual(problems(c), ['spec.conversion.strategy: Forbidden: conversion webhooks are not supported by this server; use strategy None (all versions share one schema shape and only apiVersion is rewritten)']);
  });

  it('requires structural schemas', () => {
    assert.deepEqual(problems(crd((c) => delete c['spec'].versions[0].schema)), [`${S}: Required value: schemas are required`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['type'] = 'string'))), [`${S}.type: Invalid value: "string": must be object at the root`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].spec.properties.size = { minimum: 1 }))), [`${S}.properties[spec].properties[size].type: Required value: must not be empty for specified fields`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].spec.properties.size = { $ref: '#/x', type: 'integer' }))), [`${S}.properties[spec].properties[size].$ref: Forbidden: $ref is not supported`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].spec.additionalProperties = { type: 'string' }))), [`${S}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].spec.properties.size = { type: 'integer', anyOf: [{ type: 'string' }] }))), [`${S}.properties[spec].properties[size].anyOf[0].type: Forbidden: must not be used inside allOf, anyOf, oneOf or not`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].spec.properties.size = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }))), []);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].metadata = { type: 'object', properties: { labels: { type: 'object' } } }))), [`${S}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]);
    assert.deepEqual(problems(crd((c) => (schemaOf(c)['properties'].spec.properties.size = { type: 'integer', maximum: 'ten' }))), [`${S}.properties[spec].properties[size].maximum: Invalid value: "ten": must be a number`]);
  });

  it('checks patterns, CEL rules, list types and defaults', () => {
    const spec = (c: Rec) => schemaOf(c)['properties'].spec;
    assert.match(problems(crd((c) => (spec(c).properties.size = { type: 'string', pattern: '([a-z' })))[0] as string, /pattern: Invalid value: "\(\[a-z": must be a valid regular expression/);
    assert.match(problems(crd((c) => (spec(c).properties.size = { type: 'string', pattern: '^(?=a)a$' })))[0] as string, /must be a valid regular expression/);
    assert.match(problems(crd((c) => (spec(c)['x-kubernetes-validations'] = [{ rule: 'self.size >' }])))[0] as string, /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.size >": compilation failed:/);
    assert.deepEqual(problems(crd((c) => (spec(c)['x-kubernetes-validations'] = [{ rule: 'true', reason: 'Nope' }]))), [`${S}.properties[spec].x-kubernetes-validations[0].reason: Unsupported value: "Nope": supported values: "FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"`]);
    assert.deepEqual(problems(crd((c) => (spec(c).properties.ports = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } }))), [
      `${S}.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    ]);
    assert.deepEqual(problems(crd((c) => (spec(c).properties.size = { type: 'integer', default: 'big' }))), [`${S}.properties[spec].properties[size].default: Invalid value: "big": ${S}.properties[spec].properties[size].default in body must be of type integer: "string"`]);
    assert.deepEqual(problems(crd((c) => (spec(c).properties.obj = { type: 'object', properties: { a: { type: 'string' } }, default: { b: 1 } }))), [`${S}.properties[spec].properties[obj].default: Invalid value: map[string]interface {}{"b":1}: must not have unknown fields: b`]);
  });

  it('checks subresources, printer columns and selectable fields', () => {
    const v = (c: Rec) => c['spec'].versions[0];
    assert.deepEqual(problems(crd((c) => (v(c).subresources.scale.specReplicasPath = '.status.size'))), ['spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.size": should be a json path under .spec']);
    assert.deepEqual(problems(crd((c) => (v(c).additionalPrinterColumns = [{ name: 'X', type: 'color', jsonPath: 'spec.x' }]))), [
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "color": supported values: "boolean", "date", "integer", "number", "string"',
      'spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value: "spec.x": must be a simple json path starting with .',
    ]);
    assert.deepEqual(problems(crd((c) => (v(c).selectableFields = [{ jsonPath: '.spec.size' }]))), []);
    assert.deepEqual(problems(crd((c) => (v(c).selectableFields = [{ jsonPath: '.spec.nope' }]))), ['spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a field in the schema']);
  });

  it('never throws on garbage', () => {
    for (const spec of [null, 1, 'x', [], { versions: 'x', names: 3 }, { versions: [null, 1, { schema: { openAPIV3Schema: { properties: 5 } } }] }]) {
      assert.ok(validateCrd({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'a.b.c' }, spec }).length > 0);
    }
  });
});

describe('validateCrdUpdate', () => {
  it('keeps group, plural, scope and kind, and stored versions present', () => {
    const old = crd();
    const next = crd((c) => {
      c['spec'].scope = 'Cluster';
      c['spec'].names.kind = 'Gadget';
      c['status'] = { storedVersions: ['v1beta1'] };
    });
    assert.deepEqual(validateCrdUpdate(next, old).map((e) => `${e.field}: ${e.message}`), [
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "Gadget": field is immutable',
      'status.storedVersions[0]: Invalid value: "v1beta1": must appear in spec.versions',
    ]);
  });
});
