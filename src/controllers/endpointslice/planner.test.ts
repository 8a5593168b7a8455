import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { planSlices, type PlanInput } from './planner.ts';
import type { EndpointPod, EndpointSlice, Service } from './types.ts';

const CONTROLLER = 'endpointslice-controller.k8s.io';

function service(spec: Service['spec'] = {}, labels?: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', ...(labels ? { labels } : {}) },
    spec: { clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
  };
}

function pod(name: string, o: { ips?: string[]; ready?: boolean; deleting?: boolean; port?: number; node?: string; hostname?: string } = {}): EndpointPod {
  const ips = o.ips ?? [`10.0.0.${name.length + name.charCodeAt(name.length - 1)}`];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: o.node ?? 'n1',
      containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }],
      ...(o.hostname ? { hostname: o.hostname, subdomain: 'web' } : {}),
    },
    status: { phase: 'Running', podIP: ips[0] ?? '', podIPs: ips.map((ip) => ({ ip })), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const nodes: Record<string, KubeObject> = {
  n1: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } },
  n2: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } },
};

const plan = (over: Partial<PlanInput>) =>
  planSlices({ service: service(), pods: [], slices: [], node: (n) => nodes[n], maxEndpointsPerSlice: 100, controllerName: CONTROLLER, ...over });

function existing(name: string, addressType: EndpointSlice['addressType'], extra: Partial<EndpointSlice> = {}, ownerUid = 'svc-uid'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'ns',
      labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': CONTROLLER },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: ownerUid, controller: true }],
    },
    addressType,
    endpoints: [],
    ports: [],
    ...extra,
  };
}

describe('planSlices', () => {
  it('describes each pod: conditions, node and zone, target, resolved port, hostname only for its subdomain service', () => {
    const p = plan({ pods: [pod('a', { hostname: 'a' }), pod('b', { ready: false, node: 'n2' }), pod('c', { deleting: true })] });
    assert.equal(p.create.length, 1);
    const s = p.create[0]!;
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const by = new Map((s.endpoints ?? []).map((e) => [e.targetRef?.name, e]));
    assert.deepEqual(by.get('a'), {
      addresses: [pod('a').status!.podIP],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'a',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
      nodeName: 'n1',
      zone: 'zone-a',
    });
    assert.deepEqual(by.get('b')?.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(by.get('b')?.zone, undefined, 'a node without the zone label');
    assert.deepEqual(by.get('c')?.conditions, { ready: false, serving: true, terminating: true }, 'terminating: never ready, serving while ready');
  });

  it('marks every endpoint ready with publishNotReadyAddresses, terminating ones too', () => {
    const p = plan({ service: service({ publishNotReadyAddresses: true }), pods: [pod('b', { ready: false }), pod('c', { deleting: true })] });
    assert.deepEqual(p.create[0]!.endpoints!.map((e) => e.conditions?.ready), [true, true]);
  });

  it('groups pods by their resolved ports: a named target port that differs makes another slice', () => {
    const p = plan({ pods: [pod('a'), pod('b', { port: 9090 }), pod('c')] });
    const ports = p.create.map((s) => `${s.ports?.[0]?.port}:${(s.endpoints ?? []).map((e) => e.targetRef?.name).join(',')}`).sort();
    assert.deepEqual(ports, ['8080:a,c', '9090:b']);
  });

  it('makes one slice per IP family of a dual-stack service, and deletes slices of a family the service dropped', () => {
    const dual = plan({ service: service({ ipFamilies: ['IPv4', 'IPv6'] }), pods: [pod('a', { ips: ['10.0.0.1', 'fd00::1'] })] });
    assert.deepEqual(dual.create.map((s) => [s.addressType, s.endpoints?.[0]?.addresses]), [['IPv4', ['10.0.0.1']], ['IPv6', ['fd00::1']]]);
    const single = plan({ pods: [pod('a', { ips: ['10.0.0.1', 'fd00::1'] })], slices: [existing('v6', 'IPv6', { endpoints: [{ addresses: ['fd00::1'] }] })] });
    assert.deepEqual(single.delete.map((s) => s.metadata.name), ['v6']);
    assert.equal(single.create[0]?.addressType, 'IPv4');
  });

  it('keeps one empty placeholder slice for a service without endpoints, and does not recreate it', () => {
    const first = plan({});
    assert.equal(first.create.length, 1);
    assert.deepEqual([first.create[0]!.endpoints, first.create[0]!.ports], [[], []]);
    const again = plan({ slices: [existing('web-abc', 'IPv4')] });
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
    const foreign = plan({ slices: [existing('web-old', 'IPv4', {}, 'another-uid')] });
    assert.deepEqual(foreign.update.length + foreign.create.length, 1, 'a placeholder of an older service of that name is not kept as is');
  });

  it('replaces slices of a port list no pod has any more by rewriting them', () => {
    const stale = existing('web-old', 'IPv4', { ports: [{ name: 'http', port: 7000, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.9'], targetRef: { kind: 'Pod', namespace: 'ns', name: 'gone' } }] });
    const p = plan({ pods: [pod('a')], slices: [stale] });
    assert.deepEqual([p.create.length, p.delete.length], [0, 0]);
    assert.equal(p.update[0]?.metadata.name, 'web-old');
    assert.deepEqual(p.update[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('leaves out pods whose node is unknown and reports them, unless all addresses are published', () => {
    const p = plan({ pods: [pod('a'), pod('lost', { node: 'nowhere' })] });
    assert.deepEqual(p.create[0]!.endpoints!.map((e) => e.targetRef?.name), ['a']);
    assert.equal(p.errors.length, 1);
    const all = plan({ service: service({ publishNotReadyAddresses: true }), pods: [pod('lost', { node: 'nowhere' })] });
    assert.deepEqual([all.create[0]!.endpoints!.length, all.errors.length], [1, 0]);
  });

  it('labels slices of a headless service and lets it do without ports', () => {
    const p = plan({ service: service({ clusterIP: 'None', ports: [] }), pods: [pod('a')] });
    assert.equal(p.create[0]!.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.deepEqual(p.create[0]!.ports, []);
  });

  it('hints endpoints for their zone with trafficDistribution PreferClose, and strips hints otherwise', () => {
    const close = plan({ service: service({ trafficDistribution: 'PreferClose' }), pods: [pod('a'), pod('b', { node: 'n2' })] });
    const hints = new Map(close.create[0]!.endpoints!.map((e) => [e.targetRef?.name, e.hints]));
    assert.deepEqual(hints.get('a'), { forZones: [{ name: 'zone-a' }] });
    assert.equal(hints.get('b'), undefined);

    const hinted = existing('web-h', 'IPv4', {
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ ...plan({ pods: [pod('a')] }).create[0]!.endpoints![0]!, hints: { forZones: [{ name: 'zone-a' }] } }],
    });
    const plain = plan({ pods: [pod('a')], slices: [hinted] });
    assert.equal(plain.update.length, 1, 'an otherwise unchanged slice is rewritten to drop its hints');
    assert.equal(plain.update[0]!.endpoints![0]!.hints, undefined);
  });
});
