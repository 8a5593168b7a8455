// The Endpoints, EndpointSlice and EndpointSlice mirroring controllers inside `strata server`,
// driven by real kubectl: the guestbook frontend Deployment and Service from the upstream
// examples get Endpoints and an EndpointSlice (`kubectl get endpoints`, `kubectl get
// endpointslices` with its ADDRESSTYPE/PORTS/ENDPOINTS columns, `kubectl describe service`), both
// follow a scale-down, custom Endpoints of a selector-less Service are mirrored, and deleting the
// Service takes its Endpoints and (through the garbage collector) its slices along.
// A PodDriver (test/support) binds the pods and marks them Running/Ready in place of nodes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { PodDriver } from '../support/pod-driver.ts';
import { eventually, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const GUESTBOOK = '/work/shared/examples/kubernetes-examples/web/guestbook';
const NS = 'guestbook';

/** The data rows of a kubectl table, split on runs of spaces. */
const rows = (table: string): string[][] => table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));

describe('endpoint controllers with kubectl', { timeout: 180_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let driver: PodDriver;

  before(async () => {
    s = await startStrata();
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    driver = new PodDriver(client, { bind: false });
    await driver.start();
    s.k(['create', 'ns', NS]);
  });
  after(async () => {
    await driver?.stop();
    client?.close();
    await s?.cleanup();
  });

  const podIPs = (): string[] =>
    s.k(['get', 'pods', '-n', NS, '-l', 'app=guestbook,tier=frontend', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].status.podIP}']).trim().split(/\s+/).filter(Boolean).sort();

  test('the guestbook frontend gets Endpoints and an EndpointSlice listing its three pods', async () => {
    for (const f of ['frontend-deployment.yaml', 'frontend-service.yaml']) s.k(['apply', '-n', NS, '-f', '-'], { input: readFileSync(`${GUESTBOOK}/${f}`, 'utf8') });
    const ips = await eventually('3 running frontend pods', () => {
      const list = podIPs();
      return list.length === 3 && list;
    });
    const expected = ips.map((ip) => `${ip}:80`).sort();

    const endpoints = await eventually('kubectl get endpoints to list the 3 pods', () => {
      const r = rows(s.k(['get', 'endpoints', 'frontend', '-n', NS]));
      return r[0]?.[1] && r[0][1].split(',').sort().join() === expected.join() && r[0];
    });
    assert.equal(endpoints[0], 'frontend');

    const table = await eventually('kubectl get endpointslices to list the 3 pods', () => {
      const out = s.k(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=frontend']);
      const r = rows(out);
      return r.length === 1 && r[0]?.[3]?.split(',').length === 3 && out;
    });
    assert.match(table.split('\n')[0] ?? '', /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    const [name, addressType, ports, addresses] = rows(table)[0]!;
    assert.match(name ?? '', /^frontend-[a-z0-9]{5}$/);
    assert.equal(addressType, 'IPv4');
    assert.equal(ports, '80');
    assert.deepEqual(addresses?.split(',').sort(), ips);

    const describe = s.k(['describe', 'service', 'frontend', '-n', NS]);
    const line = describe.split('\n').find((l) => l.startsWith('Endpoints:'));
    assert.ok(line, describe);
    assert.deepEqual(line.replace(/^Endpoints:\s+/, '').trim().split(',').sort(), expected);

    const owner = s.k(['get', 'endpointslice', name ?? '', '-n', NS, '-o', 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}']);
    assert.equal(owner, 'Service/frontend');
    const managedBy = s.k(['get', 'endpoints', 'frontend', '-n', NS, '-o', 'jsonpath={.metadata.labels.endpoints\\.kubernetes\\.io/managed-by}']);
    assert.equal(managedBy, 'endpoint-controller');
  });

  test('scaling the Deployment down shrinks both to the remaining pod', async () => {
    s.k(['scale', 'deployment', 'frontend', '-n', NS, '--replicas=1']);
    const [ip] = await eventually('one frontend pod', () => {
      const list = podIPs();
      return list.length === 1 && list;
    });
    await eventually('Endpoints with one address', () => rows(s.k(['get', 'endpoints', 'frontend', '-n', NS]))[0]?.[1] === `${ip}:80`);
    await eventually('EndpointSlice with one endpoint', () => rows(s.k(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=frontend']))[0]?.[3] === ip);
  });

  test('custom Endpoints of a selector-less Service are mirrored into an EndpointSlice', async () => {
    s.k(['apply', '-n', NS, '-f', '-'], {
      input: [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: external-db}',
        'spec:',
        '  ports: [{name: pg, port: 5432}]',
        '---',
        'apiVersion: v1',
        'kind: Endpoints',
        'metadata: {name: external-db}',
        'subsets:',
        '- addresses: [{ip: 192.0.2.10}, {ip: 192.0.2.11}]',
        '  ports: [{name: pg, port: 5432}]',
        '',
      ].join('\n'),
    });
    const row = await eventually('a mirrored slice', () =>
      rows(s.k(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=external-db,endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io']))[0],
    );
    assert.equal(row[1], 'IPv4');
    assert.equal(row[2], '5432');
    assert.equal(row[3], '192.0.2.10,192.0.2.11');
    assert.equal(rows(s.k(['get', 'endpoints', 'external-db', '-n', NS]))[0]?.[1], '192.0.2.10:5432,192.0.2.11:5432', 'the custom Endpoints are left as written');
  });

  test('deleting the Service deletes its Endpoints, and the garbage collector its EndpointSlices', async () => {
    s.k(['delete', 'service', 'frontend', '-n', NS]);
    await eventually('the Endpoints to go', () => s.kubectl(['get', 'endpoints', 'frontend', '-n', NS]).code !== 0);
    await eventually('the EndpointSlices to go', () => s.k(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=frontend', '-o', 'name']).trim() === '');
    s.k(['delete', 'service', 'external-db', '-n', NS]);
    await eventually('the mirrored slice to go', () => s.k(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=external-db', '-o', 'name']).trim() === '');
  });
});
