import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPort, podServiceMemberships, servicesToUpdateOnPodChange, shouldPodBeInEndpoints, shouldSetHostname, hasSelector } from './pod-endpoints.ts';
import type { EndpointPod, Service } from './types.ts';

function pod(over: { labels?: Record<string, string>; phase?: string; ip?: string; ready?: boolean; deleting?: boolean; rv?: string; spec?: EndpointPod['spec'] } = {}): EndpointPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'ns',
      resourceVersion: over.rv ?? '1',
      labels: over.labels ?? { app: 'web' },
      ...(over.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: over.spec ?? {
      nodeName: 'n1',
      containers: [{ name: 'a', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9100 }] },
        { name: 'init', ports: [{ name: 'setup', containerPort: 7000 }] },
      ],
    },
    status: {
      phase: over.phase ?? 'Running',
      ...(over.ip === '' ? {} : { podIP: over.ip ?? '10.0.0.1', podIPs: [{ ip: over.ip ?? '10.0.0.1' }] }),
      conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }],
    },
  };
}

const svc = (name: string, selector?: Record<string, string>, namespace = 'ns'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ...(selector ? { selector } : {}), ports: [{ port: 80 }] },
});

describe('findPort', () => {
  it('resolves numeric, defaulted and named target ports, by protocol, including sidecars but not plain init containers', () => {
    const p = pod();
    assert.equal(findPort(p, { port: 80, targetPort: 9376 }), 9376);
    assert.equal(findPort(p, { port: 80 }), 80, 'targetPort defaults to port');
    assert.equal(findPort(p, { port: 80, targetPort: '8081' }), 8081, 'a numeric string is a number');
    assert.equal(findPort(p, { port: 80, targetPort: 'http' }), 8080);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns' }), undefined, 'dns is UDP, the service port TCP');
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
    assert.equal(findPort(p, { port: 80, targetPort: 'metrics' }), 9100, 'a sidecar (init container that keeps running)');
    assert.equal(findPort(p, { port: 80, targetPort: 'setup' }), undefined, 'a plain init container does not serve');
    assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
  });
});

describe('pod membership', () => {
  it('includes running pods with an IP; terminating ones only when asked; never finished ones', () => {
    assert.equal(shouldPodBeInEndpoints(pod(), false), true);
    assert.equal(shouldPodBeInEndpoints(pod({ ready: false }), false), true, 'readiness decides where, not whether');
    assert.equal(shouldPodBeInEndpoints(pod({ ip: '' }), true), false);
    assert.equal(shouldPodBeInEndpoints(pod({ deleting: true }), false), false);
    assert.equal(shouldPodBeInEndpoints(pod({ deleting: true }), true), true);
    assert.equal(shouldPodBeInEndpoints(pod({ phase: 'Succeeded' }), true), false);
    assert.equal(shouldPodBeInEndpoints(pod({ phase: 'Failed' }), true), false);
  });

  it('matches services of the same namespace whose selector the labels satisfy; no selector matches nothing', () => {
    const services = [svc('web', { app: 'web' }), svc('all', { app: 'web', tier: 'x' }), svc('manual'), svc('empty', {}), svc('elsewhere', { app: 'web' }, 'other')];
    assert.deepEqual([...podServiceMemberships(services, pod())], ['ns/web']);
    assert.deepEqual([...podServiceMemberships(services, pod({ labels: { app: 'web', tier: 'x' } }))].sort(), ['ns/all', 'ns/web']);
    assert.equal(hasSelector(svc('empty', {})), false);
  });

  it('sets the hostname only for the service named as the pod subdomain', () => {
    const p = pod({ spec: { hostname: 'db-0', subdomain: 'db' } });
    assert.equal(shouldSetHostname(p, svc('db')), true);
    assert.equal(shouldSetHostname(p, svc('web')), false);
    assert.equal(shouldSetHostname(p, svc('db', undefined, 'other')), false);
    assert.equal(shouldSetHostname(pod({ spec: { subdomain: 'db' } }), svc('db')), false);
  });
});

describe('servicesToUpdateOnPodChange', () => {
  const services = [svc('a', { app: 'a' }), svc('b', { app: 'b' }), svc('both', { tier: 't' })];

  it('ignores resyncs and changes that do not touch endpoints', () => {
    assert.deepEqual([...servicesToUpdateOnPodChange(services, pod({ labels: { app: 'a' } }), pod({ labels: { app: 'a' } }))], []);
    assert.deepEqual([...servicesToUpdateOnPodChange(services, pod({ labels: { app: 'a' } }), pod({ labels: { app: 'a' }, rv: '2' }))], []);
  });

  it('resyncs the current services when readiness, deletion, IPs or phase change', () => {
    const old = pod({ labels: { app: 'a', tier: 't' } });
    for (const cur of [
      pod({ labels: { app: 'a', tier: 't' }, rv: '2', ready: false }),
      pod({ labels: { app: 'a', tier: 't' }, rv: '2', deleting: true }),
      pod({ labels: { app: 'a', tier: 't' }, rv: '2', ip: '10.0.0.2' }),
      pod({ labels: { app: 'a', tier: 't' }, rv: '2', phase: 'Failed' }),
    ]) {
      assert.deepEqual([...servicesToUpdateOnPodChange(services, old, cur)].sort(), ['ns/a', 'ns/both']);
    }
  });

  it('on a label change alone resyncs the services joined or left; with an endpoint change, old and new', () => {
    const old = pod({ labels: { app: 'a', tier: 't' } });
    assert.deepEqual([...servicesToUpdateOnPodChange(services, old, pod({ labels: { app: 'b', tier: 't' }, rv: '2' }))].sort(), ['ns/a', 'ns/b']);
    assert.deepEqual([...servicesToUpdateOnPodChange(services, old, pod({ labels: { app: 'b', tier: 't' }, rv: '2', ready: false }))].sort(), ['ns/a', 'ns/b', 'ns/both']);
  });
});
