import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CrdSchema } from './types.ts';
import { compileVersionSchema } from './version-schema.ts';

const SCHEMA: CrdSchema = {
  type: 'object',
  properties: {
    metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } },
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 2, pattern: '^[a-z:0-9.]+$' },
        replicas: { type: 'integer', default: 1, minimum: 0, maximum: 10 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
        port: { 'x-kubernetes-int-or-string': true },
        when: { type: 'string', format: 'date-time' },
        note: { type: 'string', nullable: true },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 3, 'x-kubernetes-list-type': 'set' },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'integer' } } },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'integer' } } } },
        },
        nested: { type: 'object', default: {}, properties: { level: { type: 'integer', default: 3 } } },
      },
    },
  },
};

const vs = compileVersionSchema(SCHEMA);

function obj(spec: Record<string, unknown>, name = 'w1'): Record<string, unknown> {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, labels: { a: 'b' } }, spec };
}

const messages = (errors: { field: string; message: string }[]): string[] => errors.map((e) => `${e.field}: ${e.message}`);

describe('compileVersionSchema: defaulting and pruning', () => {
  it('fills defaults (nested ones too), keeps known fields and drops unknown ones', () => {
    const o = obj({ image: 'nginx', extra: 1, free: { known: 1, anything: { deep: true } }, ports: [{ name: 'http', junk: 1 }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', bogus: 1 }, spec: { x: 1, y: 2 } } });
    (o['metadata'] as Record<string, unknown>)['surprise'] = 1;
    o['top'] = 1;
    assert.deepEqual(vs.unknownFields(o).sort(), ['metadata.surprise', 'spec.extra', 'spec.ports[0].junk', 'spec.template.metadata.bogus', 'spec.template.spec.y', 'top']);
    vs.normalize(o);
    assert.deepEqual(o, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', labels: { a: 'b' } },
      spec: {
        image: 'nginx',
        replicas: 1,
        mode: 'fast',
        free: { known: 1, anything: { deep: true } },
        ports: [{ name: 'http', port: 80 }],
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { x: 1 } },
        nested: { level: 3 },
      },
    });
    assert.deepEqual(vs.validate(o), []);
  });

  it('tells whether a stored object lacks a default', () => {
    const o = obj({ image: 'nginx' });
    assert.equal(vs.defaultsMissing(o), true);
    vs.normalize(o);
    assert.equal(vs.defaultsMissing(o), false);
    (o['spec'] as Record<string, unknown>)['ports'] = [{ name: 'x' }];
    assert.equal(vs.defaultsMissing(o), true);
  });

  it('turns a null in a non-nullable field into its default, or drops it', () => {
    const o = obj({ image: 'nginx', replicas: null, ratio: null, note: null });
    vs.normalize(o);
    assert.deepEqual(o['spec'], { image: 'nginx', replicas: 1, mode: 'fast', note: null, nested: { level: 3 } });
  });

  it('keeps everything under a schema without structure beyond preserve-unknown-fields', () => {
    const open = compileVersionSchema(undefined);
    const o = obj({ anything: [1, { a: 2 }] });
    open.normalize(o);
    assert.deepEqual(o['spec'], { anything: [1, { a: 2 }] });
    assert.deepEqual(open.validate(o), []);
  });
});

describe('compileVersionSchema: validation', () => {
  it('reports value validations with upstream paths and messages', () => {
    const o = obj({
      image: 'N',
      replicas: 'three',
      ratio: 1,
      mode: 'turbo',
      port: true,
      when: 'yesterday',
      labels: { a: 'x', b: 'y', c: 'z' },
      tags: ['a', 'b', 'c', 'd'],
    }, 'a-very-long-name');
    assert.deepEqual(messages(vs.validate(o)).sort(), [
      'metadata.name: Too long: may not be more than 10 bytes',
      'spec.image: Invalid value: "N": spec.image in body should be at least 2 chars long',
      'spec.image: Invalid value: "N": spec.image in body should match \'^[a-z:0-9.]+$\'',
      'spec.labels: Too many: 3: must have at most 2 items',
      'spec.mode: Unsupported value: "turbo": supported values: "fast", "slow"',
      'spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
      'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
      'spec.replicas: Invalid value: "three": spec.replicas in body must be of type integer: "string"',
      'spec.tags: Too many: 4: must have at most 3 items',
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
    ]);
  });

  it('requires required fields, accepts int-or-string values and nullable nulls', () => {
    assert.deepEqual(messages(vs.validate(obj({}))), ['spec.image: Required value']);
    assert.deepEqual(vs.validate(obj({ image: 'ok', port: 8080, note: null })), []);
    assert.deepEqual(vs.validate(obj({ image: 'ok', port: 'http' })), []);
  });

  it('refuses duplicates in set and map lists', () => {
    const o = obj({ image: 'ok', tags: ['a', 'a'], ports: [{ name: 'http' }, { name: 'web' }, { name: 'http', port: 81 }] });
    assert.deepEqual(messages(vs.validate(o)), ['spec.tags[1]: Duplicate value: "a"', 'spec.ports[2]: Duplicate value: map[string]interface {}{"name":"http"}']);
  });

  it('checks embedded resources for apiVersion and kind', () => {
    const o = obj({ image: 'ok', template: { metadata: { labels: { 'bad key!': 'x' } } } });
    const errors = messages(vs.validate(o));
    assert.ok(errors.includes('spec.template.apiVersion: Required value: must not be empty'), errors.join('\n'));
    assert.ok(errors.includes('spec.template.kind: Required value: must not be empty'));
    assert.ok(errors.some((e) => e.startsWith('spec.template.metadata.labels: Invalid value: "bad key!"')));
  });

  it('matches patterns with RE2: no catastrophic backtracking', () => {
    const evil = compileVersionSchema({ type: 'object', properties: { spec: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } } });
    const started = performance.now();
    const errors = evil.validate(obj({ s: `${'a'.repeat(5000)}!` }));
    assert.equal(errors.length, 1);
    assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);
  });

  it('ratchets: on update, errors in values that did not change are not reported', () => {
    const old = obj({ image: 'N', replicas: 1 });
    assert.equal(vs.validate(obj({ image: 'N', replicas: 2 }), old).length, 0);
    assert.deepEqual(vs.validate(obj({ image: 'M', replicas: 2 }), old).map((e) => e.field), ['spec.image', 'spec.image']);
  });
});
