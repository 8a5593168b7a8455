import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.ts';
import { obj, row } from './test-helpers.ts';

describe('network policies', () => {
  it('prints the pod selector', () => {
    const np = (spec: Record<string, unknown>) => row(networkPolicyPrinter, obj('networking.k8s.io/v1', 'NetworkPolicy', 'deny', { spec }));
    assert.deepEqual(np({ podSelector: { matchLabels: { role: 'db' } } }), { Name: 'deny', 'Pod-Selector': 'role=db', Age: '5m' });
    assert.equal(np({ podSelector: {} })['Pod-Selector'], '<none>');
  });
});

describe('ingresses', () => {
  const ing = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
    row(ingressPrinter, obj('networking.k8s.io/v1', 'Ingress', 'web', { spec, status }));

  it('prints class, hosts, address and ports', () => {
    const r = ing(
      { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
      { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } },
    );
    assert.deepEqual(r, { Name: 'web', Class: 'nginx', Hosts: 'a.example.com,b.example.com', Address: '203.0.113.5', Ports: '80, 443', Age: '5m' });
  });

  it('prints defaults for a bare ingress and counts extra rules', () => {
    const bare = ing({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } });
    assert.deepEqual([bare['Class'], bare['Hosts'], bare['Address'], bare['Ports']], ['<none>', '*', '', '80']);
    const many = ing({ rules: [{ host: 'a' }, { host: 'b' }, {}, { host: 'c' }, { host: 'd' }] });
    assert.equal(many['Hosts'], 'a,b,c + 2 more...');
  });
});

describe('ingress classes', () => {
  it('prints controller and parameters reference', () => {
    const r = row(ingressClassPrinter, obj('networking.k8s.io/v1', 'IngressClass', 'nginx', {
      spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } },
    }));
    assert.deepEqual(r, { Name: 'nginx', Controller: 'k8s.io/ingress-nginx', Parameters: 'IngressParameters.k8s.example.com/external-lb', Age: '5m' });
    const plain = row(ingressClassPrinter, obj('networking.k8s.io/v1', 'IngressClass', 'x', { spec: { controller: 'c' } }));
    assert.equal(plain['Parameters'], '<none>');
  });
});

describe('endpoint slices', () => {
  it('prints address type, ports and endpoints', () => {
    const r = row(endpointSlicePrinter, obj('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc12', {
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'named' }, {}],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
    }));
    assert.deepEqual(r, { Name: 'web-abc12', AddressType: 'IPv4', Ports: '80,named,*', Endpoints: '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', Age: '5m' });
    const empty = row(endpointSlicePrinter, obj('discovery.k8s.io/v1', 'EndpointSlice', 'e', { addressType: 'IPv6' }));
    assert.deepEqual([empty['Ports'], empty['Endpoints']], ['<unset>', '<unset>']);
  });
});
