import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointPod, Service } from '../endpointslice/index.ts';
import { desiredSubsets, endpointAddressFor } from './desired-subsets.ts';

function service(spec: Service['spec'] = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns' },
    spec: { clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
  };
}

function pod(name: string, ip: string, o: { ready?: boolean; deleting?: boolean; phase?: string; port?: number; ips?: string[]; hostname?: string } = {}): EndpointPod {
  const ips = o.ips ?? (ip ? [ip] : []);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }], ...(o.hostname ? { hostname: o.hostname, subdomain: 'web' } : {}) },
    status: { phase: o.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), podIPs: ips.map((x) => ({ ip: x })), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const ips = (list: { ip: string }[] | undefined): string[] => (list ?? []).map((a) => a.ip);

describe('desiredSubsets', () => {
  it('puts ready pods in addresses and the others in notReadyAddresses; terminating, finished and IP-less pods are out', () => {
    const r = desiredSubsets(service(), [
      pod('a', '10.0.0.1'),
      pod('b', '10.0.0.2', { ready: false }),
      pod('c', '10.0.0.3', { deleting: true }),
      pod('d', '10.0.0.4', { phase: 'Succeeded' }),
      pod('e', ''),
    ]);
    assert.deepEqual(r.subsets, [
      {
        addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }],
        notReadyAddresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual([r.ready, r.notReady], [1, 1]);
  });

  it('with publishNotReadyAddresses lists unready and terminating pods as ready', () => {
    const r = desiredSubsets(service({ publishNotReadyAddresses: true }), [pod('b', '10.0.0.2', { ready: false }), pod('c', '10.0.0.3', { deleting: true })]);
    assert.deepEqual(ips(r.subsets[0]?.addresses), ['10.0.0.2', '10.0.0.3']);
    assert.equal(r.subsets[0]?.notReadyAddresses, undefined);
  });

  it('splits pods whose named port resolves differently; pods where it resolves to nothing are left out', () => {
    const noPort: EndpointPod = { ...pod('z', '10.0.0.9'), spec: { nodeName: 'n1', containers: [{ name: 'c' }] } };
    const r = desiredSubsets(service(), [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { port: 9090 }), noPort]);
    assert.deepEqual(
      r.subsets.map((s) => [s.ports?.[0]?.port, ips(s.addresses)]).sort(),
      [[8080, ['10.0.0.1']], [9090, ['10.0.0.2']]],
    );
  });

  it('headless: bare addresses without ports, hostnames for the subdomain; a non-headless service without ports gets nothing', () => {
    const headless = desiredSubsets(service({ clusterIP: 'None', ports: [] }), [pod('db-0', '10.0.0.1', { hostname: 'db-0' })]);
    assert.deepEqual(headless.subsets, [{ addresses: [{ ip: '10.0.0.1', hostname: 'db-0', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'db-0', uid: 'uid-db-0' } }] }]);
    assert.deepEqual(desiredSubsets(service({ ports: [] }), [pod('a', '10.0.0.1')]).subsets, []);
  });

  it('uses the address of the service primary family', () => {
    const dual = pod('a', '10.0.0.1', { ips: ['10.0.0.1', 'fd00::1'] });
    assert.equal(endpointAddressFor(service({ ipFamilies: ['IPv6', 'IPv4'] }), dual)?.ip, 'fd00::1');
    assert.equal(endpointAddressFor(service(), dual)?.ip, '10.0.0.1');
    assert.equal(endpointAddressFor(service({ ipFamilies: [], clusterIP: 'fd00:96::1' }), dual)?.ip, 'fd00::1', 'no families: the cluster IP family');
    assert.equal(endpointAddressFor(service({ ipFamilies: ['IPv6'] }), pod('v4', '10.0.0.1')), undefined);
  });
});
