import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { FakeClock, type RestClient, type ResourceRef } from '../../client/index.ts';
import { notFound } from '../../machinery/status-error.ts';
import type { MachineSnapshot } from './machine.ts';
import { DEFAULT_RESOURCE_CONFIG } from './machine-status.ts';
import { NodeHeartbeat } from './heartbeat.ts';
import { buildNode, type NodeFacts } from './registration.ts';

/** An in-memory API for the calls the heartbeat makes, counting writes per resource. */
function fakeApi(): { client: RestClient; objects: Map<string, KubeObject>; writes: string[] } {
  const objects = new Map<string, KubeObject>();
  const writes: string[] = [];
  let rv = 1;
  const key = (ref: ResourceRef, obj?: KubeObject): string => `${ref.resource}/${ref.namespace ?? ''}/${ref.name ?? obj?.metadata.name}`;
  const put = (ref: ResourceRef, obj: KubeObject, verb: string): KubeObject => {
    writes.push(`${verb} ${ref.resource}`);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++rv);
    stored.metadata.uid ??= 'uid-1';
    objects.set(key(ref, obj), stored);
    return structuredClone(stored);
  };
  const client = {
    async get(ref: ResourceRef) {
      const obj = objects.get(key(ref));
      if (!obj) throw notFound({ group: ref.group, resource: ref.resource }, ref.name ?? '');
      return structuredClone(obj);
    },
    async create(ref: ResourceRef, obj: KubeObject) {
      return put(ref, obj, 'create');
    },
    async update(ref: ResourceRef, obj: KubeObject) {
      if (!objects.has(key(ref, obj))) throw notFound({ group: ref.group, resource: ref.resource }, obj.metadata.name ?? '');
      return put(ref, obj, 'update');
    },
    async updateStatus(ref: ResourceRef, obj: KubeObject) {
      return put(ref, obj, 'status');
    },
  } as unknown as RestClient;
  return { client, objects, writes };
}

const calm: MachineSnapshot = {
  cpus: 2,
  memory: { totalBytes: 4 * 1024 ** 3, availableBytes: 2 * 1024 ** 3 },
  disk: { totalBytes: 10 * 1024 ** 3, availableBytes: 5 * 1024 ** 3 },
  pids: { max: 32768, running: 100 },
};

test('the Lease renews every time; status is posted on a condition change or after 5 minutes', async () => {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const { client, objects, writes } = fakeApi();
  let machine = calm;
  const facts = async (): Promise<NodeFacts> => ({
    name: 'n1',
    identity: { hostname: 'n1', machineID: 'm', bootID: 'b', kernelVersion: 'k', osImage: 'o', operatingSystem: 'linux', architecture: 'amd64' },
    machine,
    resources: DEFAULT_RESOURCE_CONFIG,
    containerRuntimeVersion: 'sim://1',
    addresses: [{ type: 'Hostname', address: 'n1' }],
    ready: { ready: true },
    now: new Date(clock.now()).toISOString(),
  });
  const node = await client.create({ group: '', version: 'v1', resource: 'nodes' }, buildNode(await facts()));
  const hb = new NodeHeartbeat({ client, nodeName: 'n1', facts, clock });
  hb.registered(node);
  writes.length = 0;

  const first = await hb.renewLease();
  assert.equal(first.spec?.holderIdentity, 'n1');
  assert.equal(first.metadata.ownerReferences?.[0]?.uid, 'uid-1');
  await clock.advance(10_000);
  const second = await hb.renewLease();
  assert.ok((second.spec?.renewTime ?? '') > (first.spec?.renewTime ?? ''));
  assert.deepEqual(writes, ['create leases', 'update leases']);

  // A deleted Lease is re-created.
  objects.delete('leases/kube-node-lease/n1');
  await hb.renewLease();
  assert.equal(writes.at(-1), 'create leases');

  writes.length = 0;
  assert.equal(await hb.syncStatus(), false);
  machine = { ...calm, memory: { totalBytes: calm.memory.totalBytes, availableBytes: 10 * 1024 ** 2 } };
  assert.equal(await hb.syncStatus(), true, 'memory pressure is reported at once');
  const conditions = ((objects.get('nodes//n1')?.['status'] as { conditions: { type: string; status: string }[] }).conditions);
  assert.equal(conditions.find((c) => c.type === 'MemoryPressure')?.status, 'True');
  assert.equal(await hb.syncStatus(), false);
  await clock.advance(299_000);
  assert.equal(await hb.syncStatus(), false);
  await clock.advance(1_000);
  assert.equal(await hb.syncStatus(), true, 'an unchanged status is re-posted every 5 minutes');
  assert.deepEqual(writes, ['status nodes', 'status nodes']);
});

test('conditions another component changed in the API (Unknown while the agent was cut off) are put right at the next check', async () => {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const { client, objects, writes } = fakeApi();
  const facts = async (): Promise<NodeFacts> => ({
    name: 'n1',
    identity: { hostname: 'n1', machineID: 'm', bootID: 'b', kernelVersion: 'k', osImage: 'o', operatingSystem: 'linux', architecture: 'amd64' },
    machine: calm,
    resources: DEFAULT_RESOURCE_CONFIG,
    containerRuntimeVersion: 'sim://1',
    addresses: [{ type: 'Hostname', address: 'n1' }],
    ready: { ready: true },
    now: new Date(clock.now()).toISOString(),
  });
  const node = await client.create({ group: '', version: 'v1', resource: 'nodes' }, buildNode(await facts()));
  const hb = new NodeHeartbeat({ client, nodeName: 'n1', facts, clock });
  hb.registered(node);
  writes.length = 0;
  assert.equal(await hb.syncStatus(), false, 'nothing changed');

  // The node lifecycle controller marks every condition Unknown (NodeStatusUnknown).
  const stored = objects.get('nodes//n1')!;
  const status = stored['status'] as { conditions: { type: string; status: string; reason?: string; message?: string }[] };
  status.conditions = status.conditions.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }));
  await clock.advance(10_000);
  assert.equal(await hb.syncStatus(), true, 'the agent reports its real conditions again');
  const ready = ((objects.get('nodes//n1')!['status'] as typeof status).conditions).find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'True');
  assert.notEqual(ready?.reason, 'NodeStatusUnknown');
  assert.equal(await hb.syncStatus(), false);
  assert.deepEqual(writes, ['status nodes']);
});
