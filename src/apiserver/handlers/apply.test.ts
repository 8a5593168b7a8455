import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ListType, MapType, TypeNode } from '../../machinery/apply/index.ts';
import type { ServedResource } from '../api-registry.ts';
import { managerFromUserAgent, parseForce, typeInfoFor } from './apply.ts';

function served(extra: Partial<{ definition: string; openapiSchema: unknown }>): ServedResource {
  return { def: { definition: extra.definition }, openapiSchema: extra.openapiSchema } as unknown as ServedResource;
}

function at(type: TypeNode, ...path: string[]): TypeNode {
  let t = type;
  for (const step of path) {
    if (step === '[]') t = (t as ListType).element();
    else t = (t as MapType).field(step) ?? assert.fail(`no field ${step}`);
  }
  return t;
}

describe('typeInfoFor', () => {
  test('built-in kinds take list and map semantics from the list-semantics table', () => {
    const root = typeInfoFor(served({ definition: 'io.k8s.api.apps.v1.Deployment' })).root;
    const containers = at(root, 'spec', 'template', 'spec', 'containers') as ListType;
    assert.deepEqual([containers.listType, containers.keys], ['map', ['name']]);
    const ports = at(containers, '[]', 'ports') as ListType;
    assert.deepEqual([ports.listType, ports.keys, ports.keyDefaults.get('protocol')], ['map', ['containerPort', 'protocol'], 'TCP']);
    assert.equal((at(containers, '[]', 'args') as ListType).listType, 'atomic');
    assert.equal((at(root, 'spec', 'selector') as MapType).atomic, true, 'LabelSelector is a map-type atomic struct');
    assert.equal((at(root, 'spec', 'template', 'spec', 'nodeSelector') as MapType).atomic, true);
    assert.equal((at(root, 'metadata', 'finalizers') as ListType).listType, 'set');
    assert.deepEqual((at(root, 'metadata', 'ownerReferences') as ListType).keys, ['uid']);
    const labels = at(root, 'metadata', 'labels') as MapType;
    assert.deepEqual([labels.kind, labels.struct, labels.atomic], ['map', false, false]);
    assert.equal((at(root, 'spec') as MapType).implicit, true, 'built-in structs are Go value structs');
  });

  test('custom resources use x-kubernetes-list-type, x-kubernetes-map-type and always have ObjectMeta', () => {
    const root = typeInfoFor(
      served({
        openapiSchema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              properties: {
                items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id', 'zone'], items: { type: 'object', properties: { id: { type: 'integer' }, zone: { type: 'string', default: 'a' } } } },
                tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
                sel: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
                free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      }),
    ).root;
    const items = at(root, 'spec', 'items') as ListType;
    assert.deepEqual([items.listType, items.keys, items.keyDefaults.get('zone')], ['map', ['id', 'zone'], 'a']);
    assert.equal((at(root, 'spec', 'tags') as ListType).listType, 'set');
    assert.equal((at(root, 'spec', 'sel') as MapType).atomic, true);
    assert.equal(at(root, 'spec', 'free').kind, 'untyped');
    assert.equal((at(root, 'metadata', 'ownerReferences') as ListType).listType, 'map');
    assert.equal(at(root, 'apiVersion').kind, 'scalar');
    assert.equal((at(root, 'spec') as MapType).implicit, false);
    // No schema at all: metadata is still typed.
    const free = typeInfoFor(served({})).root as MapType;
    assert.equal((at(free, 'metadata', 'finalizers') as ListType).listType, 'set');
    assert.equal(free.elements()?.kind, 'untyped');
  });
});

describe('request options', () => {
  test('the default manager is the User-Agent product, as upstream', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0'), 'kubectl');
    assert.equal(managerFromUserAgent('my tool\u0007/1'), 'my tool');
    assert.equal(managerFromUserAgent(undefined), '');
    assert.equal(managerFromUserAgent('x'.repeat(300)).length, 128);
  });

  test('force takes Go boolean spellings', () => {
    assert.equal(parseForce(new URLSearchParams('force=true')), true);
    assert.equal(parseForce(new URLSearchParams('force=0')), false);
    assert.equal(parseForce(new URLSearchParams('')), undefined);
    assert.throws(() => parseForce(new URLSearchParams('force=maybe')), /invalid value for force/);
  });
});
