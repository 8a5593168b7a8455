import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, prepareJobSelector } from '../defaults/index.ts';
import { BUILTIN_RESOURCES } from '../resources.ts';
import type { GroupVersionKind, KubeObject } from '../types.ts';
import { hasValidation, validateCreate, validateUpdate } from './index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fields = (errs: { field: string }[]) => errs.map((e) => e.field);
const podTemplate = (restartPolicy = 'Always'): Any => ({ metadata: { labels: { app: 'x' } }, spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] } });

/** One valid object per served kind, as a user would write it (before defaults). */
const SAMPLES: Record<string, Any> = {
  'v1/Namespace': { spec: { finalizers: ['kubernetes'] } },
  'v1/Pod': { spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  'v1/Binding': { target: { kind: 'Node', name: 'node-1' } },
  'v1/Service': { spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
  'v1/Endpoints': { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
  'v1/ConfigMap': { data: { a: 'b' } },
  'v1/Secret': { stringData: { a: 'b' } },
  'v1/ServiceAccount': {},
  'v1/Node': { spec: { podCIDRs: ['10.244.0.0/24'] }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } } },
  'v1/Event': { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'ok', type: 'Normal' },
  'v1/PersistentVolume': { spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } },
  'v1/PersistentVolumeClaim': { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  'v1/ResourceQuota': { spec: { hard: { pods: '10', 'requests.cpu': '4', 'count/deployments.apps': '5' } } },
  'v1/LimitRange': { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' } }] } },
  'v1/PodTemplate': { template: podTemplate() },
  'v1/ReplicationController': { spec: { template: podTemplate() } },
  'apps/v1/Deployment': { spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate() } },
  'apps/v1/ReplicaSet': { spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate() } },
  'apps/v1/StatefulSet': { spec: { serviceName: 'x', selector: { matchLabels: { app: 'x' } }, template: podTemplate() } },
  'apps/v1/DaemonSet': { spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate() } },
  'apps/v1/ControllerRevision': { data: { spec: {} }, revision: 1 },
  'batch/v1/Job': { spec: { template: podTemplate('Never') } },
  'batch/v1/CronJob': { spec: { schedule: '0 * * * *', timeZone: 'Europe/Paris', jobTemplate: { spec: { template: podTemplate('OnFailure') } } } },
  'certificates.k8s.io/v1/CertificateSigningRequest': { spec: { request: 'LS0tLS1CRUdJTg==', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth'] } },
  'coordination.k8s.io/v1/Lease': { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } },
  'discovery.k8s.io/v1/EndpointSlice': { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], ports: [{ port: 80 }] },
  'events.k8s.io/v1/Event': { eventTime: '2024-01-01T00:00:00.000000Z', type: 'Normal', reportingController: 'example.com/ctl', reportingInstance: 'i', action: 'Scale', reason: 'Scaled' },
  'networking.k8s.io/v1/NetworkPolicy': { spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80 }] }] } },
  'networking.k8s.io/v1/Ingress': { spec: { rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
  'networking.k8s.io/v1/IngressClass': { spec: { controller: 'example.com/ingress' } },
  'autoscaling/v2/HorizontalPodAutoscaler': { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } },
  'autoscaling/v1/HorizontalPodAutoscaler': { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } },
  'policy/v1/PodDisruptionBudget': { spec: { minAvailable: '50%', selector: { matchLabels: { app: 'x' } } } },
  'rbac.authorization.k8s.io/v1/Role': { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  'rbac.authorization.k8s.io/v1/ClusterRole': { rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] },
  'rbac.authorization.k8s.io/v1/RoleBinding': { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { roleRef: { kind: 'ClusterRole', name: 'system:viewer' }, subjects: [{ kind: 'User', name: 'alice' }] },
  'scheduling.k8s.io/v1/PriorityClass': { value: 1000 },
  'storage.k8s.io/v1/StorageClass': { provisioner: 'example.com/csi' },
};

function build(def: { group: string; version: string; kind: string; namespaced: boolean }, body: Any, meta: Any = {}): { gvk: GroupVersionKind; obj: KubeObject } {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const obj = { apiVersion, kind: def.kind, metadata: { name: 'sample', uid: 'uid-1', ...(def.namespaced ? { namespace: 'default' } : {}), ...meta }, ...structuredClone(body) } as KubeObject;
  applyDefaults(gvk, obj);
  if (def.kind === 'Job') prepareJobSelector(obj);
  return { gvk, obj };
}

describe('every built-in kind', () => {
  for (const def of BUILTIN_RESOURCES) {
    const sampleKey = `${def.group ? `${def.group}/` : ''}${def.version}/${def.kind}`;
    it(`${sampleKey}: a valid object passes create and a no-op update`, () => {
      const body = SAMPLES[sampleKey];
      assert.ok(body, `no sample for ${sampleKey}`);
      assert.ok(hasValidation(def) || def.kind === 'ServiceAccount');
      const { gvk, obj } = build(def, body);
      assert.deepEqual(validateCreate(gvk, obj), []);
      assert.deepEqual(validateUpdate(gvk, structuredClone(obj), obj), []);
    });

    it(`${sampleKey}: metadata scope is enforced`, () => {
      const { gvk, obj } = build(def, SAMPLES[sampleKey] ?? {});
      if (def.namespaced) {
        delete obj.metadata.namespace;
        assert.ok(fields(validateCreate(gvk, obj)).includes('metadata.namespace'));
      } else {
        obj.metadata.namespace = 'default';
        assert.ok(fields(validateCreate(gvk, obj)).includes('metadata.namespace'));
      }
    });
  }

  it('applies each kind’s name rule', () => {
    const nameErrs = (kind: string, group: string, name: string) => {
      const def = BUILTIN_RESOURCES.find((r) => r.kind === kind && r.group === group);
      assert.ok(def);
      const { gvk, obj } = build(def, SAMPLES[`${group ? `${group}/` : ''}${def.version}/${kind}`] ?? {}, { name });
      return fields(validateCreate(gvk, obj)).filter((f) => f === 'metadata.name');
    };
    assert.deepEqual(nameErrs('Namespace', '', 'a.b'), ['metadata.name']);
    assert.deepEqual(nameErrs('ConfigMap', '', 'a.b'), []);
    assert.deepEqual(nameErrs('Service', '', 'a-1'), []);
    assert.deepEqual(nameErrs('Service', '', '1-a'), ['metadata.name']);
    assert.deepEqual(nameErrs('ClusterRole', 'rbac.authorization.k8s.io', 'system:Aggregate/x'), ['metadata.name']);
    assert.deepEqual(nameErrs('ClusterRole', 'rbac.authorization.k8s.io', 'system:Aggregate'), []);
  });

  it('checks only metadata for kinds it does not know', () => {
    const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'Bad Name', namespace: 'ns' }, spec: { anything: 1 } } as KubeObject;
    assert.deepEqual(fields(validateCreate(gvk, widget)), ['metadata.name']);
    assert.deepEqual(fields(validateCreate(gvk, widget, { namespaced: false })), ['metadata.name', 'metadata.namespace']);
    assert.deepEqual(validateUpdate(gvk, widget, widget), []);
  });
});

function check(key: string, body: Any, meta: Any = {}) {
  const [group, version, kind] = key.split('/').length === 3 ? (key.split('/') as [string, string, string]) : (['', ...key.split('/')] as [string, string, string]);
  const def = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
  assert.ok(def, key);
  return build(def, body, meta);
}

function createFields(key: string, body: Any, meta: Any = {}): string[] {
  const { gvk, obj } = check(key, body, meta);
  return fields(validateCreate(gvk, obj));
}

function updateFields(key: string, body: Any, change: (o: Any) => void): string[] {
  const { gvk, obj } = check(key, body);
  const next = structuredClone(obj) as Any;
  change(next);
  applyDefaults(gvk, next as KubeObject);
  return fields(validateUpdate(gvk, next as KubeObject, obj));
}

describe('storage', () => {
  it('PVC needs access modes and a storage request, and may only grow', () => {
    assert.deepEqual(createFields('v1/PersistentVolumeClaim', { spec: { accessModes: ['Everyone'] } }), ['spec.accessModes', 'spec.resources[storage]']);
    const body = { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
    assert.deepEqual(updateFields('v1/PersistentVolumeClaim', body, (p) => (p['spec'].resources.requests.storage = '2Gi')), []);
    assert.deepEqual(updateFields('v1/PersistentVolumeClaim', body, (p) => (p['spec'].resources.requests.storage = '512Mi')), ['spec.resources.requests.storage']);
    assert.deepEqual(updateFields('v1/PersistentVolumeClaim', body, (p) => (p['spec'].accessModes = ['ReadWriteMany'])), ['spec']);
  });

  it('PV needs capacity and exactly one source; the source is immutable', () => {
    assert.deepEqual(createFields('v1/PersistentVolume', { spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi', cpu: '1' } } }), ['spec.capacity', 'spec']);
    const body = SAMPLES['v1/PersistentVolume'] ?? {};
    assert.deepEqual(updateFields('v1/PersistentVolume', body, (p) => (p['spec'].hostPath.path = '/other')), ['spec.persistentvolumesource']);
  });

  it('StorageClass parameters and provisioner are fixed', () => {
    assert.deepEqual(createFields('storage.k8s.io/v1/StorageClass', { provisioner: '', reclaimPolicy: 'Recycle' }), ['provisioner', 'reclaimPolicy']);
    const body = { provisioner: 'example.com/csi', parameters: { type: 'ssd' } };
    assert.deepEqual(updateFields('storage.k8s.io/v1/StorageClass', body, (s) => (s['parameters'].type = 'hdd')), ['parameters']);
  });
});

describe('rbac', () => {
  it('rules need verbs, groups and resources', () => {
    assert.deepEqual(createFields('rbac.authorization.k8s.io/v1/Role', { rules: [{ resources: ['pods'] }, { nonResourceURLs: ['/x'], verbs: ['get'] }] }), [
      'rules[0].verbs',
      'rules[0].apiGroups',
      'rules[1].nonResourceURLs',
    ]);
  });

  it('bindings check their role and subjects, and keep their roleRef', () => {
    assert.deepEqual(createFields('rbac.authorization.k8s.io/v1/ClusterRoleBinding', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }, { kind: 'Robot', name: 'x' }] }), [
      'roleRef.kind',
      'subjects[0].namespace',
      'subjects[1].kind',
    ]);
    const body = SAMPLES['rbac.authorization.k8s.io/v1/RoleBinding'] ?? {};
    assert.deepEqual(updateFields('rbac.authorization.k8s.io/v1/RoleBinding', body, (b) => (b['roleRef'].name = 'other')), ['roleRef']);
  });
});

describe('networking', () => {
  it('Ingress paths need a path type and a backend', () => {
    const errs = createFields('networking.k8s.io/v1/Ingress', {
      spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/a', backend: { service: { name: 'web', port: { number: 80 } } } }, { path: 'b', pathType: 'Exact', backend: { service: { name: 'web' } } }] } }] },
    });
    assert.deepEqual(errs, ['spec.rules[0].host', 'spec.rules[0].http.paths[0].pathType', 'spec.rules[0].http.paths[1].path', 'spec.rules[0].http.paths[1].backend']);
    assert.deepEqual(createFields('networking.k8s.io/v1/Ingress', { spec: {} }), ['spec']);
  });

  it('NetworkPolicy peers and ports', () => {
    const errs = createFields('networking.k8s.io/v1/NetworkPolicy', {
      spec: { podSelector: {}, egress: [{ to: [{}, { ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] }, podSelector: {} }], ports: [{ port: 'dns', endPort: 60 }] }] },
    });
    assert.deepEqual(errs, ['spec.egress[0].ports[0].endPort', 'spec.egress[0].to[0]', 'spec.egress[0].to[1].ipBlock.except[0]', 'spec.egress[0].to[1]']);
  });

  it('IngressClass controllers are domain-prefixed and fixed', () => {
    assert.deepEqual(createFields('networking.k8s.io/v1/IngressClass', { spec: { controller: 'nginx' } }), ['spec.controller']);
    assert.deepEqual(updateFields('networking.k8s.io/v1/IngressClass', SAMPLES['networking.k8s.io/v1/IngressClass'] ?? {}, (c) => (c['spec'].controller = 'example.com/other')), ['spec.controller']);
  });
});

describe('quota and limits', () => {
  it('ResourceQuota names, quantities and scopes', () => {
    assert.deepEqual(createFields('v1/ResourceQuota', { spec: { hard: { pods: '1.5', bogus: '1', cpu: 'x' }, scopes: ['BestEffort', 'NotBestEffort'] } }), [
      'spec.hard[pods]',
      'spec.hard[bogus]',
      'spec.hard[bogus]',
      'spec.hard[cpu]',
      'spec.scopes',
    ]);
  });

  it('LimitRange ordering', () => {
    assert.deepEqual(createFields('v1/LimitRange', { spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }, { type: 'Pod', default: { cpu: '1' } }] } }), [
      'spec.limits[0].min[cpu]',
      'spec.limits[0].defaultRequest[cpu]',
      'spec.limits[0].default[cpu]',
      'spec.limits[1].default',
    ]);
  });
});

describe('cluster-scoped and misc kinds', () => {
  it('PriorityClass value bounds and immutability', () => {
    assert.deepEqual(createFields('scheduling.k8s.io/v1/PriorityClass', { value: 2e9 }), ['value']);
    assert.deepEqual(createFields('scheduling.k8s.io/v1/PriorityClass', { value: 1 }, { name: 'system-custom' }), ['metadata.name']);
    assert.deepEqual(updateFields('scheduling.k8s.io/v1/PriorityClass', { value: 5 }, (p) => (p['value'] = 6)), ['value']);
  });

  it('Namespace finalizers, Node taints, Lease durations', () => {
    assert.deepEqual(createFields('v1/Namespace', { spec: { finalizers: ['custom'] } }), ['spec.finalizers']);
    assert.deepEqual(createFields('v1/Node', { spec: { taints: [{ key: 'a', effect: 'Sometimes' }, { key: 'b', effect: 'NoSchedule' }, { key: 'b', effect: 'NoSchedule' }] } }), [
      'spec.taints[0].effect',
      'spec.taints[2]',
    ]);
    assert.deepEqual(createFields('coordination.k8s.io/v1/Lease', { spec: { leaseDurationSeconds: 0 } }), ['spec.leaseDurationSeconds']);
  });

  it('HPA replica bounds and metrics; PDB exclusivity', () => {
    assert.deepEqual(createFields('autoscaling/v2/HorizontalPodAutoscaler', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, minReplicas: 5, maxReplicas: 2 } }), ['spec.maxReplicas']);
    assert.deepEqual(createFields('autoscaling/v2/HorizontalPodAutoscaler', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, maxReplicas: 2, metrics: [{ type: 'Resource', pods: {} }] } }), [
      'spec.metrics[0].resource',
      'spec.metrics[0].pods',
    ]);
    assert.deepEqual(createFields('policy/v1/PodDisruptionBudget', { spec: { minAvailable: 1, maxUnavailable: '120%' } }), ['spec', 'spec.maxUnavailable']);
  });

  it('events must agree with their involved object', () => {
    assert.deepEqual(createFields('v1/Event', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }), ['involvedObject.namespace']);
    assert.deepEqual(createFields('events.k8s.io/v1/Event', { type: 'Info' }), ['eventTime', 'type', 'reportingController', 'reportingInstance', 'action', 'reason']);
  });
});
