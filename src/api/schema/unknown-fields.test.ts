import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resolver } from './structure.ts';
import { MAX_DEPTH, pruneUnknownFields, strictDecodingMessage, unknownFields, unknownFieldsIn } from './unknown-fields.ts';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function deployment(extra: { spec?: object; container?: object; metadata?: object } = {}): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', 'example.com/any-key': 'x' }, annotations: { note: 'n' }, ...extra.metadata },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } },
            { name: 'b', image: 'busybox', ...extra.container },
          ],
        },
      },
      ...extra.spec,
    },
  };
}

describe('unknownFields', () => {
  it('accepts a valid manifest, map keys included', () => {
    assert.deepEqual(unknownFields(DEPLOYMENT, deployment()), []);
  });

  it('reports paths as upstream strict decoding does', () => {
    const obj = deployment({ spec: { foo: 1 }, container: { bar: true, ports: [{ containerPort: 1, hostPortx: 2 }] }, metadata: { nam: 'x' } });
    assert.deepEqual(unknownFields(DEPLOYMENT, obj), [
      'metadata.nam',
      'spec.template.spec.containers[1].bar',
      'spec.template.spec.containers[1].ports[0].hostPortx',
      'spec.foo',
    ]);
    assert.deepEqual(unknownFields(DEPLOYMENT, { apiVersion: 'apps/v1', kind: 'Deployment', extra: {} }), ['extra']);
  });

  it('does not look inside preserved or free-form fields', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { anything: { goes: [1] } } };
    assert.deepEqual(unknownFields('io.k8s.api.apps.v1.ControllerRevision', revision), []);
    const managed = { metadata: { managedFields: [{ manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] } };
    assert.deepEqual(unknownFields(DEPLOYMENT, managed), []);
  });

  it('ignores values of the wrong JSON type (typeCheck reports those)', () => {
    assert.deepEqual(unknownFields(DEPLOYMENT, { spec: 'oops', metadata: [1] }), []);
    assert.deepEqual(unknownFields(DEPLOYMENT, null), []);
  });

  it('returns nothing for definitions it does not know', () => {
    assert.deepEqual(unknownFields('com.example.v1.Widget', { anything: 1 }), []);
  });

  it('stops at the depth bound', () => {
    let nested: Record<string, unknown> = { bogus: 1 };
    for (let i = 0; i < MAX_DEPTH + 10; i++) nested = { x: nested };
    const resolver = new Resolver((name) => (name === 'Node' ? { type: 'object', properties: { x: { $ref: '#/components/schemas/Node' } } } : undefined));
    assert.deepEqual(unknownFieldsIn(resolver, 'Node', nested), []);
    assert.deepEqual(unknownFieldsIn(resolver, 'Node', { x: { x: { bogus: 1 } } }), ['x.x.bogus']);
  });

  it('works on CRD-style schemas through a resolver', () => {
    const resolver = new Resolver(() => ({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { size: { type: 'integer' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    }));
    assert.deepEqual(unknownFieldsIn(resolver, 'Widget', { spec: { size: 1, free: { a: 1 }, colour: 'red' }, labels: { a: 'b' } }), ['spec.colour']);
  });

  it('formats the strict-mode message', () => {
    assert.equal(strictDecodingMessage(['spec.foo', 'spec.containers[0].bar']), 'strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].bar"');
  });
});

describe('pruneUnknownFields', () => {
  it('removes exactly the fields unknownFields reports and keeps map keys', () => {
    const obj = deployment({ spec: { foo: 1 }, container: { bar: true }, metadata: { bogus: 'x' } }) as Record<string, any>;
    obj['top'] = 'level';
    pruneUnknownFields(DEPLOYMENT, obj);
    assert.deepEqual(unknownFields(DEPLOYMENT, obj), []);
    assert.deepEqual(obj, deployment());
    assert.equal(obj['metadata'].labels['example.com/any-key'], 'x');
  });
});
