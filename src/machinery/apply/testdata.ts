// A small schema for the apply tests: a kind with a struct spec, a list map of containers (with a
// nested list map), a list map with a defaulted key, a set, an atomic list, an atomic struct and
// free-form maps. Test-only.

import { typeInfoFromSchema, type SchemaLike, type TypeNode } from './type-info.ts';

const str = { type: 'string' };
const int = { type: 'integer' };
const stringMap = { type: 'object', additionalProperties: str };

export const TEST_SCHEMAS: Record<string, SchemaLike> = {
  Widget: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { $ref: '#/components/schemas/Meta' },
      spec: { $ref: '#/components/schemas/Spec' },
      status: { type: 'object', properties: { phase: str, ready: { type: 'boolean' } } },
    },
  },
  Meta: {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      creationTimestamp: str,
      labels: stringMap,
      annotations: stringMap,
      finalizers: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' },
      managedFields: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
    },
  },
  Spec: {
    type: 'object',
    properties: {
      replicas: int,
      paused: { type: 'boolean' },
      containers: { type: 'array', items: { $ref: '#/components/schemas/Container' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
      ports: { type: 'array', items: { $ref: '#/components/schemas/Port' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'] },
      tags: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' },
      args: { type: 'array', items: str },
      selector: { $ref: '#/components/schemas/Selector' },
      template: { $ref: '#/components/schemas/Template' },
      extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  Container: {
    type: 'object',
    properties: {
      name: str,
      image: str,
      env: { type: 'array', items: { $ref: '#/components/schemas/Env' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
      resources: { type: 'object', properties: { limits: stringMap } },
    },
  },
  Env: { type: 'object', properties: { name: str, value: str } },
  Port: { type: 'object', properties: { port: int, protocol: { type: 'string', default: 'TCP' }, name: str } },
  Selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { matchLabels: stringMap } },
  Template: { type: 'object', properties: { labels: stringMap, rollout: { $ref: '#/components/schemas/Rollout' } } },
  Rollout: { type: 'object', properties: { maxSurge: str } },
};

export function widgetType(goStructs = true): TypeNode {
  return typeInfoFromSchema({ $ref: '#/components/schemas/Widget' }, { lookup: (n) => TEST_SCHEMAS[n], goStructs }).root;
}
