import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { GroupVersionKind, KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SERVICE: GroupVersionKind = { group: '', version: 'v1', kind: 'Service' };
const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

function service(spec: Any, name = 'web'): KubeObject {
  const s = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec } as KubeObject;
  applyDefaults(SERVICE, s);
  return s;
}

const create = (s: KubeObject) => validateCreate(SERVICE, s);

describe('Service create', () => {
  it('accepts ClusterIP, NodePort, LoadBalancer, headless and ExternalName services', () => {
    assert.deepEqual(create(service({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] })), []);
    assert.deepEqual(create(service({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443 }] })), []);
    assert.deepEqual(create(service({ type: 'LoadBalancer', ports: [{ port: 80 }] })), []);
    assert.deepEqual(create(service({ clusterIP: 'None', selector: { app: 'db' } })), []);
    assert.deepEqual(create(service({ type: 'ExternalName', externalName: 'db.example.com.' })), []);
    assert.deepEqual(create(service({ clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }] })), []);
  });

  it('uses DNS-1035 names', () => {
    assert.deepEqual(fields(create(service({ ports: [{ port: 80 }] }, '1web'))), ['metadata.name']);
  });

  it('requires ports and validates each one', () => {
    assert.deepEqual(fields(create(service({}))), ['spec.ports']);
    const errs = create(service({ ports: [{ port: 0, protocol: 'ICMP', targetPort: 'not_a_name' }, { name: 'a', port: 80 }, { name: 'a', port: 81 }] }));
    assert.deepEqual(fields(errs), ['spec.ports[0].name', 'spec.ports[0].port', 'spec.ports[0].protocol', 'spec.ports[0].targetPort', 'spec.ports[2].name']);
    assert.equal(errs[0]?.type, 'FieldValueRequired');
    assert.equal(errs[1]?.message, 'Invalid value: 0: must be between 1 and 65535, inclusive');
    assert.equal(errs[4]?.type, 'FieldValueDuplicate');
  });

  it('rejects duplicate port/protocol pairs', () => {
    const errs = create(service({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }));
    assert.deepEqual(fields(errs), ['spec.ports[1]']);
  });

  it('checks the type and cluster IP', () => {
    assert.deepEqual(fields(create(service({ type: 'Bogus', ports: [{ port: 80 }] }))), ['spec.type']);
    const badIP = create(service({ clusterIP: '10.0.0.300', ports: [{ port: 80 }] }));
    assert.deepEqual(fields(badIP), ['spec.clusterIPs[0]']);
    assert.equal(badIP[0]?.message, 'Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    assert.deepEqual(fields(create(service({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }))), ['spec.clusterIPs[0]']);
  });

  it('forbids node ports on ClusterIP services and requires externalName for ExternalName', () => {
    assert.deepEqual(fields(create(service({ ports: [{ port: 80, nodePort: 30000 }] }))), ['spec.ports[0].nodePort']);
    assert.deepEqual(fields(create(service({ type: 'ExternalName' }))), ['spec.externalName']);
  });

  it('only lets externally reachable services set externalTrafficPolicy', () => {
    const errs = create(service({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }));
    assert.deepEqual(fields(errs), ['spec.externalTrafficPolicy']);
  });
});

describe('Service update', () => {
  it('keeps the cluster IP once set', () => {
    const old = service({ clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
    const next = structuredClone(old) as Any;
    next['spec'].ports[0].port = 8080;
    next['spec'].ports[0].targetPort = 8080;
    assert.deepEqual(validateUpdate(SERVICE, next as KubeObject, old), []);
    next['spec'].clusterIP = '10.96.0.6';
    next['spec'].clusterIPs = ['10.96.0.6'];
    const errs = validateUpdate(SERVICE, next as KubeObject, old);
    assert.deepEqual(fields(errs), ['spec.clusterIPs[0]']);
    assert.match(errs[0]?.message ?? '', /may not change once set$/);
  });
});

describe('Endpoints and EndpointSlice', () => {
  const EP: GroupVersionKind = { group: '', version: 'v1', kind: 'Endpoints' };
  const SLICE: GroupVersionKind = { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' };

  it('requires endpoint addresses to be IPs outside special ranges', () => {
    const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: 'pod-a' }, { ip: '127.0.0.1' }], ports: [{ port: 80 }] }] } as KubeObject;
    applyDefaults(EP, ep);
    assert.deepEqual(fields(validateCreate(EP, ep)), ['subsets[0].addresses[1].ip', 'subsets[0].addresses[2].ip']);
  });

  it('validates slices by address type and keeps the type on update', () => {
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', namespace: 'default' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['::1'] }, { addresses: [] }],
      ports: [{ name: 'http', port: 80 }],
    } as KubeObject;
    applyDefaults(SLICE, slice);
    assert.deepEqual(fields(validateCreate(SLICE, slice)), ['endpoints[1].addresses[0]', 'endpoints[2].addresses']);
    const next = structuredClone(slice) as Any;
    next['addressType'] = 'IPv6';
    next['endpoints'] = [];
    assert.deepEqual(fields(validateUpdate(SLICE, next as KubeObject, slice)), ['addressType']);
  });
});
