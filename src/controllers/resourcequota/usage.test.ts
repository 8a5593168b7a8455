import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { BUILTIN_EVALUATORS, objectCountEvaluator, parseCountName, serviceEvaluator, type Evaluator } from './evaluators.ts';
import { isBestEffort, podLimits, podMatchesScope, podRequests, podUsage } from './pod-usage.ts';
import { formatList } from './resource-list.ts';
import { computeQuotaStatus, statusChanged, type ResourceQuota } from './usage.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');

type C = { requests?: Record<string, string>; limits?: Record<string, string>; restartPolicy?: string };
const container = (c: C) => ({ name: 'c', image: 'x', ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}), resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } });

function pod(name: string, containers: C[], extra: { init?: C[]; phase?: string; spec?: Record<string, unknown>; meta?: Partial<KubeObject['metadata']> } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', ...extra.meta },
    spec: { containers: containers.map(container), ...(extra.init ? { initContainers: extra.init.map(container) } : {}), ...extra.spec },
    status: { phase: extra.phase ?? 'Running' },
  };
}

const fmt = (u: Map<string, { nano: bigint; format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent' }>) => formatList(u);

describe('pod requests and limits', () => {
  it('sums containers, takes the largest init phase, counts sidecars in both, and adds overhead', () => {
    const p = pod('p', [{ requests: { cpu: '100m', memory: '128Mi' } }, { requests: { cpu: '200m', memory: '128Mi' } }], {
      init: [{ requests: { cpu: '1', memory: '64Mi' } }, { requests: { cpu: '50m' }, restartPolicy: 'Always' }, { requests: { cpu: '500m' } }],
      spec: { overhead: { cpu: '10m', memory: '1Mi' } },
    });
    // containers 300m + sidecar 50m = 350m; init phases: 1 (first), 50m+500m=550m → max 1; + 10m overhead.
    assert.deepEqual(fmt(podRequests(p)), { cpu: '1010m', memory: '257Mi' });
  });

  it('adds overhead to limits only where a limit exists', () => {
    const p = pod('p', [{ limits: { cpu: '1' } }], { spec: { overhead: { cpu: '100m', memory: '10Mi' } } });
    assert.deepEqual(fmt(podLimits(p)), { cpu: '1100m' });
  });

  it('lets pod-level resources override cpu and memory', () => {
    const p = pod('p', [{ requests: { cpu: '100m', memory: '1Gi' } }], { spec: { resources: { requests: { cpu: '2' } } } });
    assert.deepEqual(fmt(podRequests(p)), { cpu: '2', memory: '1Gi' });
  });
});

describe('pod usage', () => {
  it('charges compute, pods and count/pods; extended and hugepages requests under requests.*', () => {
    const p = pod('p', [{ requests: { cpu: '500m', memory: '1Gi', 'example.com/gpu': '2', 'hugepages-2Mi': '4Mi', 'ephemeral-storage': '1G' }, limits: { cpu: '1', memory: '2Gi', 'example.com/gpu': '2', 'hugepages-2Mi': '4Mi' } }]);
    assert.deepEqual(fmt(podUsage(p, NOW)), {
      'count/pods': '1', pods: '1',
      cpu: '500m', 'requests.cpu': '500m', 'limits.cpu': '1',
      memory: '1Gi', 'requests.memory': '1Gi', 'limits.memory': '2Gi',
      'ephemeral-storage': '1G', 'requests.ephemeral-storage': '1G',
      'hugepages-2Mi': '4Mi', 'requests.hugepages-2Mi': '4Mi',
      'requests.example.com/gpu': '2',
    });
  });

  it('charges only count/pods for terminal pods and pods terminating past their grace period', () => {
    const req = [{ requests: { cpu: '1' } }];
    assert.deepEqual(fmt(podUsage(pod('done', req, { phase: 'Succeeded' }), NOW)), { 'count/pods': '1' });
    assert.deepEqual(fmt(podUsage(pod('failed', req, { phase: 'Failed' }), NOW)), { 'count/pods': '1' });
    const stuck = pod('stuck', req, { meta: { deletionTimestamp: '2025-05-31T23:59:00Z', deletionGracePeriodSeconds: 30 } });
    assert.deepEqual(fmt(podUsage(stuck, NOW)), { 'count/pods': '1' });
    const graceful = pod('graceful', req, { meta: { deletionTimestamp: '2025-05-31T23:59:50Z', deletionGracePeriodSeconds: 30 } });
    assert.equal(fmt(podUsage(graceful, NOW))['requests.cpu'], '1');
  });

  it('matches scopes: Terminating, BestEffort, PriorityClass (Exists, In, NotIn, DoesNotExist)', () => {
    const be = pod('be', [{}]);
    const burst = pod('b', [{ requests: { cpu: '1' } }], { spec: { activeDeadlineSeconds: 60, priorityClassName: 'high' } });
    assert.equal(isBestEffort(be), true);
    assert.equal(isBestEffort(burst), false);
    const m = (scopeName: string, p: KubeObject, operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' = 'Exists', values?: string[]) =>
      podMatchesScope({ scopeName, operator, ...(values ? { values } : {}) }, p);
    assert.deepEqual([m('Terminating', be), m('Terminating', burst), m('NotTerminating', be)], [false, true, true]);
    assert.deepEqual([m('BestEffort', be), m('NotBestEffort', burst)], [true, true]);
    assert.deepEqual([m('PriorityClass', be), m('PriorityClass', burst)], [false, true]);
    assert.deepEqual([m('PriorityClass', burst, 'In', ['high']), m('PriorityClass', be, 'In', ['high']), m('PriorityClass', be, 'NotIn', ['high'])], [true, false, true]);
    assert.equal(m('PriorityClass', be, 'DoesNotExist'), false);
  });
});

describe('quota status', () => {
  const quota = (hard: Record<string, string>, extra: Partial<NonNullable<ResourceQuota['spec']>> = {}, status?: ResourceQuota['status']): ResourceQuota => ({
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard, ...extra }, ...(status ? { status } : {}),
  });
  const compute = (q: ResourceQuota, objects: Record<string, KubeObject[]>, evaluators: readonly Evaluator[] = BUILTIN_EVALUATORS) => {
    const s = computeQuotaStatus(q, evaluators, (e) => objects[e.type.resource] ?? [], NOW);
    return { hard: formatList(s.hard), used: formatList(s.used), changed: statusChanged(q, s) };
  };

  it('mirrors hard, sums what the objects charge, and reports 0 for measured resources nothing uses', () => {
    const pods = [pod('a', [{ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } }]), pod('b', [{ requests: { cpu: '1', memory: '512Mi' } }]), pod('c', [{ requests: { cpu: '4' } }], { phase: 'Failed' })];
    const services = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's1', namespace: 'ns' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's2', namespace: 'ns' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's3', namespace: 'ns' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } },
    ];
    const q = quota({ pods: '10', 'count/pods': '10', 'requests.cpu': '4', 'requests.memory': '2Gi', 'limits.cpu': '2', services: '5', 'services.nodeports': '5', 'services.loadbalancers': '1', configmaps: '3', secrets: '3' });
    const s = compute(q, { pods, services });
    assert.deepEqual(s.hard, q.spec?.hard);
    assert.deepEqual(s.used, {
      pods: '2', 'count/pods': '3', 'requests.cpu': '1250m', 'requests.memory': '1Gi', 'limits.cpu': '500m',
      services: '3', 'services.nodeports': '3', 'services.loadbalancers': '1', configmaps: '0', secrets: '0',
    });
    assert.equal(s.changed, true);
  });

  it('counts only pods matching every scope (spec.scopes and the scope selector)', () => {
    const pods = [
      pod('be', [{}]),
      pod('burst', [{ requests: { cpu: '1' } }], { spec: { priorityClassName: 'high' } }),
      pod('burst-low', [{ requests: { cpu: '2' } }], { spec: { priorityClassName: 'low' } }),
    ];
    assert.deepEqual(compute(quota({ pods: '9' }, { scopes: ['BestEffort'] }), { pods }).used, { pods: '1' });
    const sel = quota({ pods: '9', 'requests.cpu': '9' }, { scopes: ['NotBestEffort'], scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
    assert.deepEqual(compute(sel, { pods }).used, { pods: '1', 'requests.cpu': '1' });
  });

  it('keeps the last value of hard resources no evaluator measures, drops names gone from hard, and sees no change when values are equal', () => {
    const q = quota({ 'example.com/widgets': '3', pods: '2' }, {}, { hard: { 'example.com/widgets': '3', pods: '2' }, used: { 'example.com/widgets': '1', pods: '0', secrets: '4' } });
    const s = compute(q, {});
    assert.deepEqual(s.used, { 'example.com/widgets': '1', pods: '0' });
    assert.equal(s.changed, true, 'secrets left used');
    const settled = quota({ cpu: '1000m' }, {}, { hard: { cpu: '1' }, used: { cpu: '0' } });
    assert.equal(compute(settled, {}).changed, false, '1000m and 1 are the same value');
  });

  it('counts generic count/<resource>.<group> names and resourcequotas', () => {
    const widgets = objectCountEvaluator({ group: 'example.com', version: 'v1', resource: 'widgets' });
    assert.deepEqual(parseCountName('count/widgets.example.com'), { group: 'example.com', resource: 'widgets' });
    assert.deepEqual(parseCountName('count/configmaps'), { group: '', resource: 'configmaps' });
    const q = quota({ 'count/widgets.example.com': '5', resourcequotas: '1', 'count/configmaps': '4' });
    const obj = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'ns' } });
    const s = compute(q, { widgets: [obj('Widget', 'a'), obj('Widget', 'b')], resourcequotas: [q], configmaps: [obj('ConfigMap', 'x')] }, [...BUILTIN_EVALUATORS, widgets]);
    assert.deepEqual(s.used, { 'count/widgets.example.com': '2', resourcequotas: '1', 'count/configmaps': '1' });
  });

  it('an update changes a service charge only when its type or ports do', () => {
    const svc = (type: string, ports: number): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) } });
    assert.equal(serviceEvaluator.changed(svc('ClusterIP', 1), svc('ClusterIP', 2), NOW), false);
    assert.equal(serviceEvaluator.changed(svc('NodePort', 1), svc('NodePort', 2), NOW), true);
    assert.equal(serviceEvaluator.changed(svc('ClusterIP', 1), svc('LoadBalancer', 1), NOW), true);
  });
});
