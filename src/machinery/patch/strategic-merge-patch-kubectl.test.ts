// Client-side `kubectl apply` round trips: live objects as the server stores them (with defaults),
// patched with the bodies kubectl sends (KUBECTL-WIRE.md §5.1 and kubectl's three-way diff).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { builtinListSemantics } from './list-semantics.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const POD = 'io.k8s.api.core.v1.Pod';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

function apply(live: unknown, patch: unknown, definition: string): Record<string, any> {
  return applyStrategicMergePatch(deepFreeze(live), deepFreeze(patch), definition) as Record<string, any>;
}

function liveDeployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'x',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '10',
      generation: 1,
      annotations: { [LAST_APPLIED]: '{"old":true}', 'deployment.kubernetes.io/revision': '1' },
      finalizers: ['example.com/a'],
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'x' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              ports: [
                { containerPort: 80, protocol: 'TCP', name: 'http' },
                { containerPort: 8080, protocol: 'TCP' },
              ],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
                { name: 'INJECTED', value: 'by-webhook' },
              ],
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'cache', mountPath: '/cache' },
              ],
            },
          ],
          volumes: [
            { name: 'data', emptyDir: {} },
            { name: 'cache', emptyDir: { medium: 'Memory' } },
          ],
          tolerations: [
            { key: 'a', operator: 'Exists' },
            { key: 'b', operator: 'Exists' },
          ],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
    status: { replicas: 1, observedGeneration: 1 },
  };
}

describe('kubectl apply round trips (strategic merge patch)', () => {
  it('applies the Deployment patch from KUBECTL-WIRE §5.1', () => {
    const body = {
      metadata: { annotations: { [LAST_APPLIED]: '{"new":true}' } },
      spec: {
        replicas: 2,
        template: { spec: { '$setElementOrder/containers': [{ name: 'main' }], containers: [{ image: 'nginx:1.26', name: 'main' }] } },
      },
    };
    const live = liveDeployment();
    const out = apply(live, body, DEPLOYMENT);
    assert.equal(out.spec.replicas, 2);
    assert.equal(out.metadata.annotations[LAST_APPLIED], '{"new":true}');
    assert.equal(out.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.equal(out.spec.template.spec.containers.length, 1);
    const [main] = out.spec.template.spec.containers;
    assert.equal(main.image, 'nginx:1.26');
    assert.equal(main.imagePullPolicy, 'IfNotPresent', 'server defaults survive');
    assert.deepEqual(main.ports, live.spec.template.spec.containers[0]!.ports);
    assert.deepEqual(out.status, live.status);
    assert.equal(live.spec.template.spec.containers[0]!.image, 'nginx:1.25', 'input untouched');
  });

  it('applies the ConfigMap patch that removes keys with null', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default', annotations: { [LAST_APPLIED]: '{}' } },
      data: { a: '1', b: '2', c: '3', server: 'kept' },
    };
    const out = apply(live, { data: { a: '10', b: null, c: '3' }, metadata: { annotations: { [LAST_APPLIED]: '{"v":2}' } } }, 'io.k8s.api.core.v1.ConfigMap');
    assert.deepEqual(out.data, { a: '10', c: '3', server: 'kept' });
    assert.equal(out.metadata.annotations[LAST_APPLIED], '{"v":2}');
  });

  it('merges env by name: change, add, delete, keep server-only entries', () => {
    // last-applied env [A=1, B=2], new manifest env [A=2, C=3].
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'main' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
                env: [
                  { name: 'A', value: '2' },
                  { name: 'C', value: '3' },
                  { $patch: 'delete', name: 'B' },
                ],
                name: 'main',
              },
            ],
          },
        },
      },
    };
    const out = apply(liveDeployment(), body, DEPLOYMENT);
    assert.deepEqual(out.spec.template.spec.containers[0].env, [
      { name: 'A', value: '2' },
      { name: 'C', value: '3' },
      { name: 'INJECTED', value: 'by-webhook' },
    ]);
  });

  it('merges ports by containerPort and volumeMounts by mountPath', () => {
    const body = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'main',
                '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
                ports: [{ containerPort: 443, name: 'https' }, { $patch: 'delete', containerPort: 8080 }],
                '$setElementOrder/volumeMounts': [{ mountPath: '/data' }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }, { $patch: 'delete', mountPath: '/cache' }],
              },
            ],
          },
        },
      },
    };
    const out = apply(liveDeployment(), body, DEPLOYMENT);
    const [main] = out.spec.template.spec.containers;
    assert.deepEqual(main.ports, [
      { containerPort: 80, protocol: 'TCP', name: 'http' },
      { containerPort: 443, name: 'https' },
    ]);
    assert.deepEqual(main.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
  });

  it('merges volumes by name and honours $retainKeys when the source changes', () => {
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }, { name: 'cache' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, emptyDir: null, name: 'data' }],
          },
        },
      },
    };
    const out = apply(liveDeployment(), body, DEPLOYMENT);
    assert.deepEqual(out.spec.template.spec.volumes, [
      { name: 'data', configMap: { name: 'cfg' } },
      { name: 'cache', emptyDir: { medium: 'Memory' } },
    ]);
  });

  it('replaces tolerations (atomic list) wholesale', () => {
    const out = apply(liveDeployment(), { spec: { template: { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } } } }, DEPLOYMENT);
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'c', operator: 'Exists' }]);
  });

  it('unions finalizers and removes them with $deleteFromPrimitiveList', () => {
    // A bare patch puts new items before server-only ones (upstream mergeSortedSlice)...
    const bare = apply(liveDeployment(), { metadata: { finalizers: ['example.com/b'] } }, DEPLOYMENT);
    assert.deepEqual(bare.metadata.finalizers, ['example.com/b', 'example.com/a']);
    // ...kubectl apply sends the order it wants.
    const added = apply(
      liveDeployment(),
      { metadata: { '$setElementOrder/finalizers': ['example.com/a', 'example.com/b'], finalizers: ['example.com/b'] } },
      DEPLOYMENT,
    );
    assert.deepEqual(added.metadata.finalizers, ['example.com/a', 'example.com/b']);
    const removed = apply(
      added,
      { metadata: { '$setElementOrder/finalizers': ['example.com/b'], '$deleteFromPrimitiveList/finalizers': ['example.com/a'] } },
      DEPLOYMENT,
    );
    assert.deepEqual(removed.metadata.finalizers, ['example.com/b']);
  });

  it('switches the rollout strategy: $retainKeys clears the defaulted rollingUpdate', () => {
    const body = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
    const out = apply(liveDeployment(), body, DEPLOYMENT);
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });

  it('adds a sidecar to a Pod and removes the old one', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        containers: [
          { name: 'app', image: 'app:1' },
          { name: 'old', image: 'old:1' },
        ],
        nodeName: 'node-1',
      },
    };
    const body = {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [{ image: 'sidecar:1', name: 'sidecar' }, { $patch: 'delete', name: 'old' }],
      },
    };
    const out = apply(pod, body, POD);
    assert.deepEqual(out.spec.containers, [
      { name: 'app', image: 'app:1' },
      { name: 'sidecar', image: 'sidecar:1' },
    ]);
    assert.equal(out.spec.nodeName, 'node-1');
  });

  it('merges ownerReferences by uid and leaves labels as a plain map', () => {
    const live = { metadata: { name: 'p', labels: { a: '1', b: '2' }, ownerReferences: [{ uid: 'u1', name: 'rs-1', kind: 'ReplicaSet' }] } };
    const out = apply(live, { metadata: { labels: { b: null, c: '3' }, ownerReferences: [{ uid: 'u2', name: 'rs-2', kind: 'ReplicaSet' }] } }, POD);
    assert.deepEqual(out.metadata.labels, { a: '1', c: '3' });
    assert.deepEqual(
      out.metadata.ownerReferences.map((r: { uid: string }) => r.uid),
      ['u2', 'u1'],
    );
  });

  it('replaces a PodDisruptionBudget selector (patchStrategy replace)', () => {
    const live = { spec: { selector: { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } } };
    const out = apply(live, { spec: { selector: { matchLabels: { app: 'y' } } } }, 'io.k8s.api.policy.v1.PodDisruptionBudget');
    assert.deepEqual(out.spec.selector, { matchLabels: { app: 'y' } });
  });

  it('compiles the built-in table once and knows the container merge key', () => {
    const schema = builtinListSemantics();
    assert.equal(builtinListSemantics(), schema);
    const podSpec = schema.lookup({ kind: 'struct', def: 'io.k8s.api.core.v1.PodTemplateSpec' }, 'spec');
    assert.deepEqual(podSpec.type, { kind: 'struct', def: 'io.k8s.api.core.v1.PodSpec' });
    const containers = schema.lookup(podSpec.type, 'containers');
    assert.equal(containers.strategy, 'merge');
    assert.equal(containers.mergeKey, 'name');
    assert.deepEqual(containers.type, { kind: 'struct', def: 'io.k8s.api.core.v1.Container' });
    assert.equal(schema.lookup({ kind: 'struct', def: 'io.k8s.api.core.v1.PodSpec' }, 'volumes').retainKeys, true);
    assert.equal(schema.root('io.k8s.api.apps.v1.Deployment')?.def, 'io.k8s.api.apps.v1.Deployment');
    assert.equal(schema.root('example.com.v1.Widget'), undefined);
  });
});
