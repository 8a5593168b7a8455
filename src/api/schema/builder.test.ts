import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RESOURCES } from '../resources.ts';
import { directRefs, hasDefinition, reachableDefinitions, schemaFor } from './builder.ts';
import { protoMessages } from './facts.ts';
import { definitionOfGvk, definitionOfProto, gvkOfDefinition } from './names.ts';
import { refName, type JsonSchema } from './types.ts';

/** Follows properties through $ref / allOf wrappers, like kubectl explain does. */
function at(definition: string, ...path: string[]): JsonSchema {
  let schema = schemaFor(definition);
  assert.ok(schema, `no schema for ${definition}`);
  for (const step of path) {
    schema = resolve(schema);
    const next: JsonSchema | undefined = step === '[]' ? schema.items : schema.properties?.[step];
    assert.ok(next, `no ${step} under ${definition} at ${path.join('.')}`);
    schema = next;
  }
  return resolve(schema);
}

function resolve(schema: JsonSchema): JsonSchema {
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]?.$ref : undefined);
  if (!ref) return schema;
  const target = schemaFor(refName(ref) as string);
  assert.ok(target, `dangling ${ref}`);
  return target;
}

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

describe('schemaFor', () => {
  it('reaches containers[].image and spec.replicas from a Deployment', () => {
    const image = at(DEPLOYMENT, 'spec', 'template', 'spec', 'containers', '[]', 'image');
    assert.equal(image.type, 'string');
    assert.ok(image.description);
    const replicas = at(DEPLOYMENT, 'spec', 'replicas');
    assert.equal(replicas.type, 'integer');
    assert.equal(replicas.format, 'int32');
  });

  it('carries list semantics on containers and ports', () => {
    const containers = schemaFor('io.k8s.api.core.v1.PodSpec')?.properties?.['containers'];
    assert.equal(containers?.['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers?.['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(containers?.['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers?.['x-kubernetes-patch-strategy'], 'merge');
    const ports = schemaFor('io.k8s.api.core.v1.Container')?.properties?.['ports'];
    assert.equal(ports?.['x-kubernetes-list-type'], 'map');
    assert.deepEqual(ports?.['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(ports?.['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.equal(schemaFor('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')?.['x-kubernetes-map-type'], 'atomic');
    assert.equal(schemaFor('io.k8s.api.core.v1.PodSpec')?.properties?.['nodeSelector']?.['x-kubernetes-map-type'], 'atomic');
  });

  it('describes served kinds and their common fields', () => {
    for (const r of BUILTIN_RESOURCES) {
      const schema = schemaFor(r.definition as string);
      assert.ok(schema?.description, `${r.definition} has no description`);
      assert.ok(schema.properties?.['apiVersion']?.description);
      assert.ok(schema.properties?.['metadata']?.description);
      if (schema.properties?.['spec']) assert.match(schema.properties['spec'].description ?? '', new RegExp(r.kind));
    }
    assert.ok(at(DEPLOYMENT, 'spec', 'template', 'spec').properties?.['containers']?.description);
  });

  it('tags kinds and their lists with their GVK, and meta types with one per group/version', () => {
    for (const r of BUILTIN_RESOURCES) {
      assert.deepEqual(schemaFor(r.definition as string)?.['x-kubernetes-group-version-kind'], [{ group: r.group, version: r.version, kind: r.kind }]);
      if (!r.verbs.includes('list')) continue;
      assert.deepEqual(schemaFor(`${r.definition}List`)?.['x-kubernetes-group-version-kind'], [{ group: r.group, version: r.version, kind: r.listKind }]);
    }
    const deleteOptions = schemaFor('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions')?.['x-kubernetes-group-version-kind'] ?? [];
    assert.ok(deleteOptions.some((g) => g.group === '' && g.version === 'v1'));
    assert.ok(deleteOptions.some((g) => g.group === 'apps' && g.version === 'v1' && g.kind === 'DeleteOptions'));
    assert.equal(schemaFor('io.k8s.api.core.v1.PodSpec')?.['x-kubernetes-group-version-kind'], undefined);
  });

  it('adds apiVersion and kind to objects but not to templates', () => {
    assert.ok(schemaFor('io.k8s.api.core.v1.PodTemplate')?.properties?.['kind']);
    assert.equal(schemaFor('io.k8s.api.core.v1.PodTemplateSpec')?.properties?.['kind'], undefined);
    assert.ok(schemaFor('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions')?.properties?.['apiVersion']);
    assert.ok(schemaFor('io.k8s.apimachinery.pkg.apis.meta.v1.Status')?.properties?.['kind']);
    assert.deepEqual(schemaFor('io.k8s.api.apps.v1.DeploymentList')?.required, ['items']);
    assert.equal(schemaFor(DEPLOYMENT)?.required, undefined);
  });

  it('marks obviously required fields', () => {
    assert.deepEqual(schemaFor('io.k8s.api.core.v1.PodSpec')?.required, ['containers']);
    assert.deepEqual(schemaFor('io.k8s.api.core.v1.Container')?.required, ['name']);
  });

  it('maps special types to their JSON forms', () => {
    const quantity = schemaFor('io.k8s.apimachinery.pkg.api.resource.Quantity');
    assert.equal(quantity?.['x-kubernetes-int-or-string'], true);
    assert.deepEqual(quantity?.anyOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(schemaFor('io.k8s.apimachinery.pkg.util.intstr.IntOrString')?.['x-kubernetes-int-or-string'], true);
    assert.deepEqual({ ...at('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp'), description: undefined }, { type: 'string', format: 'date-time', description: undefined });
    assert.equal(at('io.k8s.api.apps.v1.ControllerRevision', 'data')['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(at('io.k8s.api.core.v1.Secret', 'data').additionalProperties && (at('io.k8s.api.core.v1.Secret', 'data').additionalProperties as JsonSchema).format, 'byte');
    assert.deepEqual(at('io.k8s.api.authentication.v1.UserInfo', 'extra').additionalProperties, { type: 'array', items: { type: 'string' } });
    assert.deepEqual(at('io.k8s.api.core.v1.ResourceRequirements', 'limits').additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  });

  it('inlines embedded structs and uses JSON field names', () => {
    const volume = Object.keys(schemaFor('io.k8s.api.core.v1.Volume')?.properties ?? {});
    assert.ok(volume.includes('configMap') && volume.includes('emptyDir') && volume.includes('name'));
    assert.ok(!volume.includes('volumeSource'));
    const probe = Object.keys(schemaFor('io.k8s.api.core.v1.Probe')?.properties ?? {});
    assert.ok(probe.includes('httpGet') && !probe.includes('handler'));
    assert.deepEqual(Object.keys(schemaFor('io.k8s.api.core.v1.SecretKeySelector')?.properties ?? {}), ['key', 'name', 'optional']);
    assert.ok(schemaFor('io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration')?.properties?.['webhooks']);
    assert.ok(schemaFor('io.k8s.api.core.v1.DaemonEndpoint')?.properties?.['Port']);
    assert.ok(schemaFor('io.k8s.api.core.v1.EphemeralContainer')?.properties?.['targetContainerName']);
    assert.ok(schemaFor('io.k8s.api.core.v1.EphemeralContainer')?.properties?.['image']);
  });

  it('resolves every reference reachable from the served kinds', () => {
    const names = reachableDefinitions(BUILTIN_RESOURCES.map((r) => r.definition as string));
    assert.ok(names.length > 100);
    for (const name of names) {
      for (const ref of directRefs(schemaFor(name) as JsonSchema)) assert.ok(hasDefinition(ref), `${name} -> ${ref}`);
    }
  });

  it('builds every message of the fact table with resolvable references', () => {
    let count = 0;
    for (const message of protoMessages().keys()) {
      const schema = schemaFor(definitionOfProto(message));
      assert.ok(schema, message);
      for (const ref of directRefs(schema)) assert.ok(hasDefinition(ref), `${message} -> ${ref}`);
      count++;
    }
    assert.ok(count > 1000);
  });

  it('returns frozen, cached schemas and undefined for unknown definitions', () => {
    assert.equal(schemaFor(DEPLOYMENT), schemaFor(DEPLOYMENT));
    assert.ok(Object.isFrozen(schemaFor(DEPLOYMENT)?.properties));
    assert.equal(schemaFor('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'), undefined);
  });
});

describe('names', () => {
  it('maps definitions and GVKs both ways', () => {
    assert.deepEqual(gvkOfDefinition('io.k8s.api.rbac.v1.Role'), { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' });
    assert.deepEqual(gvkOfDefinition('io.k8s.api.core.v1.Pod'), { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(definitionOfGvk({ group: 'autoscaling', version: 'v1', kind: 'Scale' }), 'io.k8s.api.autoscaling.v1.Scale');
    assert.equal(definitionOfGvk({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }), 'io.k8s.api.networking.v1.Ingress');
    assert.equal(definitionOfGvk({ group: 'example.com', version: 'v1', kind: 'Widget' }), undefined);
    for (const r of BUILTIN_RESOURCES) assert.equal(definitionOfGvk(r), r.definition);
  });
});
