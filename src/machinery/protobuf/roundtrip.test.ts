import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeKubeProtobuf, decodeMessage, hasKubeProtobufPrefix } from './decode.ts';
import { canEncodeKubeProtobuf, encodeKubeProtobuf, encodeWatchFrame } from './encode.ts';
import { messageForKind } from './schema.ts';
import { ProtobufError } from './well-known.ts';

function roundTrip(obj: Record<string, unknown>): Record<string, unknown> {
  const bytes = encodeKubeProtobuf(obj);
  assert.ok(hasKubeProtobufPrefix(bytes));
  return decodeKubeProtobuf(bytes).object;
}

const DEPLOYMENT = {
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  metadata: {
    name: 'web', namespace: 'default', uid: '7d1f', resourceVersion: '42', generation: 3, creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { app: 'web', tier: 'front' }, annotations: { 'deployment.kubernetes.io/revision': '1' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Thing', name: 'owner', uid: 'u1', controller: true, blockOwnerDeletion: false }],
    finalizers: ['example.com/keep'],
    managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
  },
  spec: {
    replicas: 0,
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{
          name: 'nginx', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', value: 'b' }, { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
          resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 1 },
          securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
        }],
        volumes: [{ name: 'cfg', configMap: { name: 'web-config', defaultMode: 420, optional: false } }, { name: 'scratch', emptyDir: {} }],
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
      },
    },
  },
  status: {
    observedGeneration: 3, replicas: 2, readyReplicas: 2,
    conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T10:00:05Z', lastTransitionTime: '2024-05-01T10:00:05Z', reason: 'MinimumReplicasAvailable', message: 'ok' }],
  },
};

describe('JSON -> protobuf -> JSON', () => {
  it('keeps a Deployment with intstr, quantities, pointers set to zero and inline volume sources', () => {
    assert.deepEqual(roundTrip(DEPLOYMENT), DEPLOYMENT);
  });

  it('keeps a Pod with quantities, intstr ports, status times and a negative exit code', () => {
    const pod = {
      kind: 'Pod', apiVersion: 'v1',
      metadata: { name: 'p', namespace: 'ns', deletionTimestamp: '2024-05-01T10:00:00Z', deletionGracePeriodSeconds: 0 },
      spec: {
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 1'], resources: { limits: { cpu: '1.5', 'nvidia.com/gpu': '1' } } }],
        restartPolicy: 'Never', priority: 0, overhead: { cpu: '10m' },
      },
      status: {
        phase: 'Failed', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], startTime: '2024-05-01T09:00:00Z',
        containerStatuses: [{
          name: 'c', ready: false, restartCount: 0, image: 'busybox', imageID: '',
          state: { terminated: { exitCode: -1, reason: 'Error', startedAt: '2024-05-01T09:00:01Z', finishedAt: '2024-05-01T09:00:02Z' } },
        }],
      },
    };
    const expected = structuredClone(pod) as { status: { containerStatuses: Record<string, unknown>[] } };
    delete expected.status.containerStatuses[0]!['imageID']; // "" is omitted (imageID is written without omitempty by Go)
    assert.deepEqual(roundTrip(pod), expected);
  });

  it('keeps a ConfigMap with binaryData, a Namespace and a Secret', () => {
    const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { 'a.txt': 'hello\n', empty: '' }, binaryData: { bin: Buffer.from([0, 1, 254, 255]).toString('base64') }, immutable: false };
    assert.deepEqual(roundTrip(cm), cm);
    const ns = { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n', labels: { 'kubernetes.io/metadata.name': 'n' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    assert.deepEqual(roundTrip(ns), ns);
  });

  it('keeps a Status with details and causes', () => {
    const status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Deployment.apps "x" is invalid', reason: 'Invalid',
      details: { name: 'x', group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' }], retryAfterSeconds: 2 },
      code: 422,
    };
    assert.deepEqual(roundTrip(status), status);
  });

  it('keeps a list with list metadata and items without type meta', () => {
    const list = {
      kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '99', continue: 'abc', remainingItemCount: 0 },
      items: [{ metadata: { name: 'a', namespace: 'x' }, data: { k: 'v' } }, { metadata: { name: 'b', namespace: 'x' } }],
    };
    assert.deepEqual(roundTrip(list), list);
  });

  it('keeps auth reviews: rules, extra (list wrapper values) and allowed: false', () => {
    const sar = {
      kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {},
      spec: { user: 'alice', groups: ['dev'], extra: { scopes: ['a', 'b'] }, resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } },
      status: { allowed: false, reason: 'no rule' },
    };
    assert.deepEqual(roundTrip(sar), sar);
    const token = {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: 'robot', namespace: 'default' },
      spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u' } },
      status: { token: 'eyJ...', expirationTimestamp: '2024-05-01T11:00:00Z' },
    };
    assert.deepEqual(roundTrip(token), token);
  });

  it('keeps meta types (APIResourceList with verbs, DeleteOptions with gracePeriodSeconds: 0) and micro times', () => {
    const resources = {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1',
      resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] }, { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: [] }],
    };
    assert.deepEqual(roundTrip(resources), resources);
    const del = { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u' }, dryRun: ['All'] };
    assert.deepEqual(roundTrip(del), del);
    const lease = { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'l' }, spec: { holderIdentity: '', leaseDurationSeconds: 15, renewTime: '2024-05-01T10:00:00.123456Z', leaseTransitions: 0 } };
    assert.deepEqual(roundTrip(lease), lease);
  });

  it('uses the JSON names of proto fields named after Go fields (uID, aPIGroup)', () => {
    const ic = { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p', scope: 'Cluster' } } };
    assert.deepEqual(roundTrip(ic), ic);
  });

  it('drops properties the message does not have and throws on mistyped values', () => {
    assert.deepEqual(roundTrip({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', bogus: 1 }, extra: true }), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } });
    assert.throws(() => encodeKubeProtobuf({ kind: 'ConfigMap', apiVersion: 'v1', data: 'nope' }), ProtobufError);
    assert.throws(() => encodeKubeProtobuf({ kind: 'Pod', apiVersion: 'v1', spec: { terminationGracePeriodSeconds: 'soon' } }), ProtobufError);
    assert.throws(() => encodeKubeProtobuf({ kind: 'CronTab', apiVersion: 'stable.example.com/v1' }), ProtobufError);
  });
});

describe('kinds and messages', () => {
  it('maps API groups to proto packages', () => {
    const cases: [string, string, string | undefined][] = [
      ['v1', 'Pod', 'k8s.io.api.core.v1.Pod'],
      ['v1', 'List', 'k8s.io.api.core.v1.List'],
      ['apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment'],
      ['apps/v1', 'DeploymentList', 'k8s.io.api.apps.v1.DeploymentList'],
      ['authentication.k8s.io/v1', 'TokenRequest', 'k8s.io.api.authentication.v1.TokenRequest'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'k8s.io.api.rbac.v1.ClusterRole'],
      ['events.k8s.io/v1', 'Event', 'k8s.io.api.events.v1.Event'],
      ['flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', 'k8s.io.api.flowcontrol.v1.FlowSchema'],
      ['internal.apiserver.k8s.io/v1alpha1', 'StorageVersion', 'k8s.io.api.apiserverinternal.v1alpha1.StorageVersion'],
      ['v1', 'Status', 'k8s.io.apimachinery.pkg.apis.meta.v1.Status'],
      ['apps/v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions'],
      ['meta.k8s.io/v1', 'PartialObjectMetadata', 'k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata'],
      ['meta.k8s.io/v1', 'Table', undefined],
      ['stable.example.com/v1', 'CronTab', undefined],
      ['apps.example.com/v1', 'Deployment', undefined],
      ['apps/v1', 'deployment', undefined],
    ];
    for (const [apiVersion, kind, message] of cases) assert.equal(messageForKind(apiVersion, kind), message, `${apiVersion} ${kind}`);
    assert.equal(canEncodeKubeProtobuf({ apiVersion: 'v1', kind: 'Pod' }), true);
    assert.equal(canEncodeKubeProtobuf({ apiVersion: 'stable.example.com/v1', kind: 'CronTab' }), false);
    assert.equal(canEncodeKubeProtobuf({ kind: 'Pod' }), false);
  });
});

describe('watch frames', () => {
  it('writes a big-endian length, then a WatchEvent whose object is the envelope', () => {
    const obj = encodeKubeProtobuf({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'w', resourceVersion: '5' } });
    const frame = encodeWatchFrame('MODIFIED', obj);
    const length = new DataView(frame.buffer, frame.byteOffset).getUint32(0, false);
    assert.equal(length, frame.length - 4);
    assert.deepEqual(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent', frame.subarray(4)), {
      type: 'MODIFIED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'w', resourceVersion: '5' } },
    });
  });
});
