// The HPA against a real API server: a Deployment scaled up through its scale subresource when
// the pods' CPU (served by metrics.k8s.io from an injected source) is over target, then back down
// once usage falls and the (short) scale-down stabilization window has passed; status, conditions
// and Events as upstream words them. Also metrics.k8s.io itself: discovery, list, selectors, get.

import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { MetricsSnapshot, MetricsSource } from '../../apiserver/metrics-api/index.ts';
import type { RestClient } from '../../client/index.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { DEPLOYMENTS, PODS } from '../util/refs.ts';
import { hpaController } from './hpa-controller.ts';
import { HPAS } from './hpa-controller.ts';
import type { HorizontalPodAutoscaler } from './types.ts';

/** Every running pod of the namespace uses `milliCores`; nodes use 1 core and 1 GiB. */
class FakeMetrics implements MetricsSource {
  milliCores = 0;
  client: RestClient | undefined;
  async collect(nodes: readonly KubeObject[]): Promise<MetricsSnapshot> {
    const now = new Date().toISOString();
    const out: MetricsSnapshot = { nodes: new Map(), pods: new Map() };
    for (const n of nodes) out.nodes.set(n.metadata.name ?? '', { timestamp: now, window: '10s', usage: { cpu: 1e9, memory: 1024 ** 3 } });
    const pods = await this.client!.list({ ...PODS, namespace: 'default' });
    for (const p of pods.items) {
      if ((p.status as { phase?: string } | undefined)?.phase !== 'Running') continue;
      out.pods.set(`default/${p.metadata.name ?? ''}`, { timestamp: now, window: '0s', containers: [{ name: 'app', usage: { cpu: this.milliCores * 1e6, memory: 50 * 1024 * 1024 } }] });
    }
    return out;
  }
}

describe('HorizontalPodAutoscaler (integration)', () => {
  let c: TestCluster;
  const metrics = new FakeMetrics();

  before(async () => {
    c = await startTestCluster({
      controllers: ['replicaset', 'deployment', { name: 'hpa-fast', component: 'horizontal-pod-autoscaler', make: (ctx) => hpaController(ctx, { syncPeriodMs: 300, downscaleStabilizationMs: 2000 }) }],
      driver: { readyDelayMs: 10 },
      metricsSource: metrics,
    });
    metrics.client = c.client;
  });
  after(() => c.stop());

  it('serves metrics.k8s.io: discovery, pod list with a label selector, get, NotFound', async () => {
    const group = await c.client.request<{ resources: { name: string; kind: string; verbs: string[] }[] }>('GET', '/apis/metrics.k8s.io/v1beta1');
    assert.deepEqual(group.resources.map((r) => [r.name, r.kind, r.verbs]), [['nodes', 'NodeMetrics', ['get', 'list']], ['pods', 'PodMetrics', ['get', 'list']]]);
    const groups = await c.client.request<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>('GET', '/apis');
    assert.equal(groups.groups.find((g) => g.name === 'metrics.k8s.io')?.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
    await assert.rejects(c.client.request('GET', '/apis/metrics.k8s.io/v1beta1/pods?watch=true'), (e: Error) => /MethodNotAllowed|not allow/.test(e.message));
    const nodes = await c.client.request<{ kind: string; items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[] }>('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    assert.equal(nodes.kind, 'NodeMetricsList');
    assert.deepEqual(nodes.items[0]?.usage, { cpu: '1000000000n', memory: '1Gi' });
    await c.client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'default', labels: { tier: 'x' } }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
    metrics.milliCores = 30;
    const listed = await until('solo metrics', async () => {
      const l = await c.client.request<{ items: { metadata: { name: string; labels?: Record<string, string> }; containers: { usage: { cpu: string } }[] }[] }>('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=tier%3Dx');
      return l.items.length === 1 ? l : undefined;
    });
    assert.equal(listed.items[0]?.metadata.labels?.['tier'], 'x');
    assert.equal(listed.items[0]?.containers[0]?.usage.cpu, '30000000n');
    const none = await c.client.request<{ items: unknown[] }>('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=tier%3Dy');
    assert.equal(none.items.length, 0);
    const byName = await c.client.request<{ items: unknown[] }>('GET', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dsolo');
    assert.equal(byName.items.length, 1);
    await assert.rejects(c.client.request('GET', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dx'), (e: Error) => /field label not supported: spec.nodeName/.test(e.message));
    await assert.rejects(c.client.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/ghost'), (e: Error) => /podmetrics.metrics.k8s.io "default\/ghost" not found/.test(e.message));
    await c.client.delete({ ...PODS, namespace: 'default', name: 'solo' }, { gracePeriodSeconds: 0 });
  });

  it('reports a missing target and an uncomputable metric in conditions and Events', async () => {
    const hpa = (name: string, target: string): KubeObject => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    });
    await c.client.create(HPAS, hpa('ghost', 'ghost'));
    const ghost = await until('FailedGetScale', async () => {
      const h = await c.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: 'default', name: 'ghost' });
      return h.status?.conditions?.find((x) => x.type === 'AbleToScale' && x.status === 'False');
    });
    assert.equal(ghost.reason, 'FailedGetScale');
    assert.match(ghost.message ?? '', /^the HPA controller was unable to get the target's current scale: /);

    metrics.milliCores = 50;
    await c.client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'norequest', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'norequest' } }, template: { metadata: { labels: { app: 'norequest' } }, spec: { containers: [{ name: 'app', image: 'busybox' }] } } },
    });
    await c.client.create(HPAS, hpa('norequest', 'norequest'));
    const active = await until('ScalingActive False', async () => {
      const h = await c.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: 'default', name: 'norequest' });
      // Until the pod runs there are no metrics at all; then its missing request is the problem.
      const cond = h.status?.conditions?.find((x) => x.type === 'ScalingActive' && x.status === 'False' && /missing request/.test(x.message ?? ''));
      return cond && h.status?.currentMetrics ? { cond, h } : undefined;
    });
    assert.equal(active.cond.reason, 'FailedGetResourceMetric');
    assert.match(active.cond.message ?? '', /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod norequest-/);
    assert.equal(active.h.status?.currentReplicas, 1);
    assert.deepEqual(active.h.status?.currentMetrics, [{ type: 'Resource' }], 'an entry without a value: kubectl prints <unknown>');
    await c.client.delete({ ...HPAS, namespace: 'default', name: 'ghost' });
    await c.client.delete({ ...HPAS, namespace: 'default', name: 'norequest' });
    await c.client.delete({ ...DEPLOYMENTS, namespace: 'default', name: 'norequest' });
  });

  it('scales a Deployment up on CPU over target, then down after the stabilization window', async () => {
    metrics.milliCores = 200;
    await c.client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '100m' } } }] } },
      },
    });
    await until('web running', async () => (await c.client.list({ ...PODS, namespace: 'default' }, { labelSelector: 'app=web' })).items.some((p) => (p.status as { phase?: string }).phase === 'Running'));
    await c.client.create(HPAS, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 2 } },
      },
    } as KubeObject);
    // 200% of request on a 50% target: 4 replicas.
    const up = await until('scale up to 4', async () => {
      const d = await c.client.get<KubeObject & { spec: { replicas: number } }>({ ...DEPLOYMENTS, namespace: 'default', name: 'web' });
      return d.spec.replicas === 4 ? d : undefined;
    });
    assert.equal(up.spec.replicas, 4);
    const hpa = await until('status after scale up', async () => {
      const h = await c.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: 'default', name: 'web' });
      return h.status?.desiredReplicas === 4 && h.status.lastScaleTime ? h : undefined;
    });
    assert.equal(hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization, 200);
    assert.equal(hpa.status?.conditions?.find((x) => x.type === 'ScalingActive')?.reason, 'ValidMetricFound');
    const events = await until('SuccessfulRescale event', async () => {
      const list = await c.client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
      const found = list.items.filter((e) => (e as { reason?: string }).reason === 'SuccessfulRescale');
      return found.length ? found : undefined;
    });
    assert.equal((events[0] as { message?: string }).message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');

    // Usage drops to 10% of request: one replica, but not before the 2 s window has passed.
    metrics.milliCores = 10;
    const started = Date.now();
    const stabilized = await until('ScaleDownStabilized', async () => {
      const h = await c.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: 'default', name: 'web' });
      return h.status?.conditions?.find((x) => x.type === 'AbleToScale' && x.reason === 'ScaleDownStabilized') ? h : undefined;
    });
    assert.equal(stabilized.status?.currentReplicas, 4);
    await until('scale down to 1', async () => {
      const d = await c.client.get<KubeObject & { spec: { replicas: number } }>({ ...DEPLOYMENTS, namespace: 'default', name: 'web' });
      return d.spec.replicas === 1;
    });
    assert.ok(Date.now() - started >= 1000, 'the scale down waited for the stabilization window');
    const down = await c.client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
    assert.ok(down.items.some((e) => (e as { message?: string }).message === 'New size: 1; reason: All metrics below target'));
    await c.client.delete({ ...HPAS, namespace: 'default', name: 'web' });
  });

  it('without behavior: at most doubles (or 4) per sync and holds a scale-down for the controller\'s window', async () => {
    metrics.milliCores = 1000;
    await c.client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '100m' } } }] } },
      },
    });
    await until('api running', async () => (await c.client.list({ ...PODS, namespace: 'default' }, { labelSelector: 'app=api' })).items.some((p) => (p.status as { phase?: string }).phase === 'Running'));
    await c.client.create(HPAS, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m' } } }] },
    } as KubeObject);
    // 1000m per pod against 100m: 10 wanted, 4 allowed from 1.
    const limited = await until('ScaleUpLimit', async () => {
      const h = await c.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: 'default', name: 'api' });
      return h.status?.lastScaleTime ? h : undefined;
    });
    assert.equal(limited.status?.desiredReplicas, 4);
    assert.deepEqual(limited.status?.conditions?.find((x) => x.type === 'ScalingLimited')?.reason, 'ScaleUpLimit');
    assert.equal(limited.status?.currentMetrics?.[0]?.resource?.current.averageValue, '1');

    metrics.milliCores = 10;
    await until('ScaleDownStabilized', async () => {
      const h = await c.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: 'default', name: 'api' });
      return h.status?.conditions?.some((x) => x.type === 'AbleToScale' && x.reason === 'ScaleDownStabilized');
    });
    await until('api back to 1', async () => (await c.client.get<KubeObject & { spec: { replicas: number } }>({ ...DEPLOYMENTS, namespace: 'default', name: 'api' })).spec.replicas === 1);
    await c.client.delete({ ...HPAS, namespace: 'default', name: 'api' });
  });
});
