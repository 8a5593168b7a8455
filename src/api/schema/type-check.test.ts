import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { typeCheck } from './type-check.ts';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function pod(container: object, spec: object = {}): unknown {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ...container }], ...spec } };
}

describe('typeCheck', () => {
  it('accepts well-typed objects, nulls included', () => {
    assert.deepEqual(typeCheck('io.k8s.api.core.v1.Pod', pod({ ports: [{ containerPort: 80, name: 'http' }], resources: { limits: { cpu: 0.5, memory: '64Mi' } } }, { nodeName: null })), []);
    assert.deepEqual(typeCheck('io.k8s.api.core.v1.Service', { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } }), []);
    assert.deepEqual(typeCheck('io.k8s.api.core.v1.Secret', { data: { a: 'aGVsbG8=' }, metadata: { creationTimestamp: '2024-01-02T03:04:05Z' } }), []);
  });

  it('names the field and the Go type like encoding/json', () => {
    assert.deepEqual(typeCheck(DEPLOYMENT, { spec: { replicas: '2' } }), [
      { field: 'spec.replicas', message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32' },
    ]);
    assert.deepEqual(typeCheck('io.k8s.api.core.v1.Pod', pod({ ports: [{ containerPort: 'x' }] })), [
      { field: 'spec.containers[0].ports[0].containerPort', message: 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32' },
    ]);
    assert.deepEqual(typeCheck(DEPLOYMENT, { spec: { template: { spec: { containers: {} } } } }), [
      { field: 'spec.template.spec.containers', message: 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container' },
    ]);
    assert.deepEqual(typeCheck(DEPLOYMENT, { spec: 'x' }), [
      { field: 'spec', message: 'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec' },
    ]);
  });

  it('checks integer ranges and fractions', () => {
    const [fraction] = typeCheck(DEPLOYMENT, { spec: { replicas: 1.5 } });
    assert.match(fraction?.message ?? '', /cannot unmarshal number 1\.5 into .* of type int32/);
    assert.equal(typeCheck(DEPLOYMENT, { spec: { replicas: 2 ** 31 } }).length, 1);
    assert.deepEqual(typeCheck(DEPLOYMENT, { metadata: { generation: 2 ** 40 } }), []);
    assert.equal(typeCheck(DEPLOYMENT, { spec: { paused: 'true' } }).length, 1);
  });

  it('checks map values, quantities, int-or-string, timestamps and base64', () => {
    assert.deepEqual(typeCheck(DEPLOYMENT, { metadata: { labels: { a: 1 } } }).map((e) => e.field), ['metadata.labels.a']);
    const [quantity] = typeCheck('io.k8s.api.core.v1.Pod', pod({ resources: { requests: { cpu: 'lots' } } }));
    assert.equal(quantity?.field, 'spec.containers[0].resources.requests.cpu');
    assert.match(quantity?.message ?? '', /^quantities must match the regular expression/);
    assert.equal(typeCheck('io.k8s.api.core.v1.Service', { spec: { ports: [{ port: 80, targetPort: true }] } }).length, 1);
    assert.equal(typeCheck('io.k8s.api.core.v1.Service', { spec: { ports: [{ port: 80, targetPort: 1.5 }] } }).length, 1);
    assert.deepEqual(typeCheck(DEPLOYMENT, { metadata: { creationTimestamp: 'yesterday' } }).map((e) => e.field), ['metadata.creationTimestamp']);
    assert.deepEqual(typeCheck('io.k8s.api.core.v1.Secret', { data: { a: 'not base64!' } }).map((e) => e.field), ['data.a']);
  });

  it('skips unknown fields, preserved data and unknown definitions', () => {
    assert.deepEqual(typeCheck(DEPLOYMENT, { spec: { bogus: 'x' } }), []);
    assert.deepEqual(typeCheck('io.k8s.api.apps.v1.ControllerRevision', { data: 5 }), []);
    assert.deepEqual(typeCheck('com.example.v1.Widget', { spec: 1 }), []);
  });
});
