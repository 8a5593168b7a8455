import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupVersionKind, KubeObject } from '../types.ts';
import { applyDefaults, imageTag, prepareJobSelector, prepareNamespaceForCreate, prepareServiceForUpdate } from './index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function gvk(apiVersion: string, kind: string): GroupVersionKind {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

function defaulted(obj: Any): Any {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(gvk(o.apiVersion, o.kind), o);
  return o;
}

const container = (extra: Any = {}): Any => ({ name: 'app', image: 'nginx:1.25', ...extra });
const template = (spec: Any = {}, labels: Any | null = { app: 'web' }): Any => ({ ...(labels ? { metadata: { labels } } : {}), spec: { containers: [container()], ...spec } });

describe('pod defaults', () => {
  it('fills the pod spec, containers, probes and volumes like upstream', () => {
    const pod = defaulted({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        containers: [
          container({
            ports: [{ containerPort: 80 }],
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { limits: { cpu: '1000m', memory: '1024Mi' } },
          }),
        ],
        initContainers: [{ name: 'init', image: 'busybox' }],
        volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 's', secret: { secretName: 's' } }],
      },
    });
    const spec = pod['spec'];
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.enableServiceLinks, true);
    const c = spec.containers[0];
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.equal(c.readinessProbe.periodSeconds, 5);
    assert.equal(c.readinessProbe.grpc.service, '');
    assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
    // Quantities read back canonical, and requests default to limits on pods.
    assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
    assert.equal(spec.initContainers[0].imagePullPolicy, 'Always');
    assert.deepEqual(spec.initContainers[0].resources, {});
    assert.deepEqual(spec.volumes[0], { name: 'scratch', emptyDir: {} });
    assert.equal(spec.volumes[1].configMap.defaultMode, 420);
    assert.equal(spec.volumes[2].secret.defaultMode, 420);
  });

  it('keeps pod-only defaults out of templates', () => {
    const d = defaulted({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: template({ containers: [container({ resources: { limits: { cpu: '1' } } })] }) },
    });
    const spec = d['spec'].template.spec;
    assert.equal(spec.enableServiceLinks, undefined);
    assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '1' } });
    assert.equal(spec.restartPolicy, 'Always');
  });

  it('copies container ports to host ports on host-network pods', () => {
    const pod = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { hostNetwork: true, containers: [container({ ports: [{ containerPort: 8080 }] })] } });
    assert.equal(pod['spec'].containers[0].ports[0].hostPort, 8080);
  });

  it('derives the pull policy from the image tag', () => {
    assert.equal(imageTag('nginx'), 'latest');
    assert.equal(imageTag('nginx:latest'), 'latest');
    assert.equal(imageTag('registry:5000/team/app'), 'latest');
    assert.equal(imageTag('registry:5000/team/app:v2'), 'v2');
    assert.equal(imageTag('app@sha256:abc'), '');
    assert.equal(imageTag('app:v1@sha256:abc'), 'v1');
    assert.equal(imageTag('Bad/Name'), '');
    assert.equal(imageTag(''), '');
  });

  it('is idempotent', () => {
    const once = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [container()] } });
    assert.deepEqual(defaulted(once), once);
  });
});

describe('workload defaults', () => {
  it('Deployment: replicas, rolling update 25%/25%, history and progress deadline', () => {
    const spec = defaulted({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: template() } })['spec'];
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    const recreate = defaulted({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' }, template: template() } })['spec'];
    assert.deepEqual(recreate.strategy, { type: 'Recreate' });
  });

  it('StatefulSet: policy, partition, retention and claim templates', () => {
    const spec = defaulted({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: { template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1024Mi' } } } }] },
    })['spec'];
    assert.equal(spec.replicas, 1);
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
    assert.equal(spec.volumeClaimTemplates[0].spec.resources.requests.storage, '1Gi');
    assert.equal(spec.volumeClaimTemplates[0].status.phase, 'Pending');
  });

  it('DaemonSet and ReplicaSet', () => {
    const ds = defaulted({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { template: template() } })['spec'];
    assert.deepEqual(ds.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.revisionHistoryLimit, 10);
    const rs = defaulted({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: template() } })['spec'];
    assert.equal(rs.replicas, 1);
  });

  it('ReplicationController takes its selector and labels from the template', () => {
    const rc = defaulted({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { template: template() } });
    assert.deepEqual(rc['spec'].selector, { app: 'web' });
    assert.deepEqual(rc['metadata'].labels, { app: 'web' });
    assert.equal(rc['spec'].replicas, 1);
  });

  it('Job defaults, then the generated selector once the uid is known', () => {
    const job = defaulted({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', uid: 'u-1' }, spec: { template: template({ restartPolicy: 'Never' }, null) } });
    const spec = job['spec'];
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.completions, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.equal(spec.manualSelector, undefined);
    prepareJobSelector(job as KubeObject);
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    const want = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' };
    assert.deepEqual(spec.template.metadata.labels, want);
    assert.deepEqual(job['metadata'].labels, want);
  });

  it('Job with parallelism only keeps completions unset; manual selectors are left alone', () => {
    const spec = defaulted({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 3, template: template() } })['spec'];
    assert.equal(spec.completions, undefined);
    const manual = defaulted({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', uid: 'u' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: template({}, { a: 'b' }) } });
    prepareJobSelector(manual as KubeObject);
    assert.deepEqual(manual['spec'].selector, { matchLabels: { a: 'b' } });
    assert.deepEqual(manual['spec'].template.metadata.labels, { a: 'b' });
  });

  it('CronJob defaults and its nested pod template', () => {
    const spec = defaulted({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template({ restartPolicy: 'OnFailure' }) } } } })['spec'];
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    assert.equal(spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
    assert.equal(spec.jobTemplate.spec.backoffLimit, undefined);
  });
});

describe('service defaults', () => {
  it('ClusterIP service', () => {
    const spec = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }] } })['spec'];
    assert.equal(spec.type, 'ClusterIP');
    assert.equal(spec.sessionAffinity, 'None');
    assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }]);
    assert.equal(spec.internalTrafficPolicy, 'Cluster');
    assert.equal(spec.externalTrafficPolicy, undefined);
    assert.equal(spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(spec.ipFamilies, ['IPv4']);
  });

  it('NodePort and LoadBalancer get external traffic policy; LoadBalancer allocates node ports', () => {
    const np = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } })['spec'];
    assert.equal(np.externalTrafficPolicy, 'Cluster');
    const lb = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } })['spec'];
    assert.equal(lb.allocateLoadBalancerNodePorts, true);
  });

  it('ExternalName gets no IP families; ClientIP affinity gets a timeout', () => {
    const ext = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } })['spec'];
    assert.equal(ext.ipFamilies, undefined);
    assert.equal(ext.internalTrafficPolicy, undefined);
    const sticky = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { sessionAffinity: 'ClientIP', ports: [{ port: 1 }] } })['spec'];
    assert.deepEqual(sticky.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  it('mirrors clusterIP into clusterIPs; headless selectorless services require dual stack', () => {
    const spec = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None' } })['spec'];
    assert.deepEqual(spec.clusterIPs, ['None']);
    assert.equal(spec.ipFamilyPolicy, 'RequireDualStack');
  });

  it('keeps allocated values on update', () => {
    const old = { spec: { type: 'NodePort', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] } };
    const next: Any = { spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } };
    prepareServiceForUpdate(next, old);
    assert.equal(next['spec'].clusterIP, '10.0.0.5');
    assert.deepEqual(next['spec'].clusterIPs, ['10.0.0.5']);
    assert.equal(next['spec'].ports[0].nodePort, 30080);
  });
});

describe('other core defaults', () => {
  it('Namespace: phase and name label; finalizer only on create', () => {
    const ns = defaulted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    assert.equal(ns['status'].phase, 'Active');
    assert.deepEqual(ns['metadata'].labels, { 'kubernetes.io/metadata.name': 'team' });
    assert.ok(!('spec' in ns));
    prepareNamespaceForCreate(ns);
    assert.deepEqual(ns['spec'].finalizers, ['kubernetes']);
  });

  it('Secret: Opaque and stringData folded into data', () => {
    const s = defaulted({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello' } });
    assert.equal(s['type'], 'Opaque');
    assert.deepEqual(s['data'], { a: 'YQ==', b: 'aGVsbG8=' });
    assert.equal(s['stringData'], undefined);
  });

  it('PersistentVolume and claim', () => {
    const pv = defaulted({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '10Gi' }, hostPath: { path: '/x' } } });
    assert.equal(pv['spec'].persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pv['spec'].volumeMode, 'Filesystem');
    assert.equal(pv['spec'].hostPath.type, '');
    assert.equal(pv['status'].phase, 'Pending');
    const pvc = defaulted({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: 1e9 } } } });
    assert.equal(pvc['spec'].volumeMode, 'Filesystem');
    assert.equal(pvc['spec'].resources.requests.storage, '1G');
  });

  it('LimitRange container defaults come from max, default and min', () => {
    const lr = defaulted({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'l' },
      spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }, { type: 'Pod', max: { cpu: '4' } }] },
    });
    assert.deepEqual(lr['spec'].limits[0].default, { cpu: '2' });
    assert.deepEqual(lr['spec'].limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
    assert.equal(lr['spec'].limits[1].default, undefined);
  });

  it('Node allocatable defaults to capacity', () => {
    const node = defaulted({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: 4, memory: '8192Mi' } } });
    assert.deepEqual(node['status'].allocatable, { cpu: '4', memory: '8Gi' });
  });
});

describe('named-group defaults', () => {
  it('NetworkPolicy policy types and port protocols', () => {
    const spec = defaulted({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } })['spec'];
    assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress']);
    assert.equal(spec.egress[0].ports[0].protocol, 'TCP');
    const ingressOnly = defaulted({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {} } })['spec'];
    assert.deepEqual(ingressOnly.policyTypes, ['Ingress']);
  });

  it('RBAC subjects and role refs get their API group', () => {
    const rb = defaulted({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb' },
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'Group', name: 'devs' }],
    });
    assert.equal(rb['roleRef'].apiGroup, 'rbac.authorization.k8s.io');
    assert.deepEqual(rb['subjects'].map((s: Any) => s['apiGroup']), ['rbac.authorization.k8s.io', '', 'rbac.authorization.k8s.io']);
  });

  it('PriorityClass, StorageClass, EndpointSlice and HPA', () => {
    assert.equal(defaulted({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 1 })['preemptionPolicy'], 'PreemptLowerPriority');
    const sc = defaulted({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 's' }, provisioner: 'x' });
    assert.equal(sc['reclaimPolicy'], 'Delete');
    assert.equal(sc['volumeBindingMode'], 'Immediate');
    const eps = defaulted({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] });
    assert.deepEqual(eps['ports'], [{ port: 80, name: '', protocol: 'TCP' }]);
    const hpa = defaulted({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } })['spec'];
    assert.equal(hpa.minReplicas, 1);
    assert.equal(hpa.metrics[0].resource.target.averageUtilization, 80);
    assert.equal(hpa.behavior.scaleDown.stabilizationWindowSeconds, 60);
    assert.equal(hpa.behavior.scaleUp.policies.length, 2);
  });

  it('leaves kinds without defaults untouched', () => {
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: {} };
    assert.deepEqual(defaulted(lease), lease);
  });
});
