import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsPrinter, servicePrinter } from './core-services.ts';
import { columnNames, obj, row } from './test-helpers.ts';

function svc(spec: Record<string, unknown>, status: Record<string, unknown> = {}) {
  return obj('v1', 'Service', 'web', { spec, status });
}

describe('services', () => {
  it('has upstream columns', () => {
    assert.deepEqual(columnNames(servicePrinter), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    assert.equal(servicePrinter.columns[6]?.priority, 1);
  });

  it('prints a ClusterIP service', () => {
    const r = row(servicePrinter, svc({
      type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
      selector: { 'k8s-app': 'kube-dns' },
    }));
    assert.deepEqual(r, { Name: 'web', Type: 'ClusterIP', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '53/UDP,53/TCP', Age: '5m', Selector: 'k8s-app=kube-dns' });
  });

  it('prints node ports for a NodePort service', () => {
    const r = row(servicePrinter, svc({ type: 'NodePort', clusterIPs: ['10.96.12.4'], ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] }));
    assert.deepEqual([r['Type'], r['External-IP'], r['Port(s)'], r['Selector']], ['NodePort', '<none>', '80:30080/TCP', '<none>']);
  });

  it('prints <pending> for a LoadBalancer without ingress, then its sorted addresses', () => {
    const spec = { type: 'LoadBalancer', clusterIPs: ['10.96.1.1'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
    assert.equal(row(servicePrinter, svc(spec))['External-IP'], '<pending>');
    const status = { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }, { ip: '203.0.113.9' }] } };
    assert.equal(row(servicePrinter, svc(spec, status))['External-IP'], '203.0.113.10,203.0.113.9,lb.example.com');
    assert.equal(row(servicePrinter, svc({ ...spec, externalIPs: ['198.51.100.1'] }, status))['External-IP'], '203.0.113.10,203.0.113.9,lb.example.com,198.51.100.1');
  });

  it('prints externalIPs, headless and ExternalName services', () => {
    assert.equal(row(servicePrinter, svc({ type: 'ClusterIP', clusterIPs: ['10.0.0.5'], externalIPs: ['1.2.3.4', '5.6.7.8'] }))['External-IP'], '1.2.3.4,5.6.7.8');
    const headless = row(servicePrinter, svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }));
    assert.deepEqual([headless['Cluster-IP'], headless['Port(s)']], ['None', '<none>']);
    const ext = row(servicePrinter, svc({ type: 'ExternalName', externalName: 'db.example.com' }));
    assert.deepEqual([ext['Cluster-IP'], ext['External-IP']], ['<none>', 'db.example.com']);
  });
});

describe('endpoints', () => {
  it('prints <none> without subsets', () => {
    assert.equal(row(endpointsPrinter, obj('v1', 'Endpoints', 'web', {}))['Endpoints'], '<none>');
  });

  it('prints ip:port pairs, the first three then a count', () => {
    const r = row(endpointsPrinter, obj('v1', 'Endpoints', 'web', {
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] },
        { addresses: [{ ip: 'fd00::3' }], notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] },
      ],
    }));
    assert.equal(r['Endpoints'], '10.0.0.1:80,10.0.0.2:80,10.0.0.1:9090 + 2 more...');
  });

  it('prints bare IPs for subsets without ports and brackets IPv6', () => {
    const r = row(endpointsPrinter, obj('v1', 'Endpoints', 'headless', {
      subsets: [{ addresses: [{ ip: '10.0.0.1' }] }, { addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }],
    }));
    assert.equal(r['Endpoints'], '10.0.0.1,[fd00::1]:53');
  });
});
