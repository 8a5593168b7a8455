import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { nodeEndpoint } from './https-kubelet-client.ts';

const node = (status: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status });

test("a node's agent is reached at its InternalIP (else its Hostname) and daemonEndpoints port", () => {
  const port = { daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } };
  assert.deepEqual(nodeEndpoint(node({ ...port, addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.5' }] })), { host: '10.0.0.5', port: 10250 });
  assert.deepEqual(nodeEndpoint(node({ ...port, addresses: [{ type: 'Hostname', address: 'n1.example' }] })), { host: 'n1.example', port: 10250 });
});

test('a node without an address or a port cannot be reached: 503', () => {
  for (const status of [{ daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } }, { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }], daemonEndpoints: { kubeletEndpoint: { Port: 0 } } }]) {
    assert.throws(() => nodeEndpoint(node(status)), (err) => isStatusError(err) && err.status.code === 503);
  }
});
