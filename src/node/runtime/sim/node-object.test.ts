import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildLease, buildNode, nodeConditions, nodeIdentity } from './node-object.ts';
import { parseLabels, resolveSimConfig } from './options.ts';

const T = Date.parse('2030-01-01T00:00:00Z');

describe('simulated Node objects', () => {
  test('labels, zones spread round-robin, capacity, addresses, nodeInfo, pod range', () => {
    const config = resolveSimConfig({ zones: 3, cpu: '16', memory: '64Gi', pods: 50, labels: parseLabels('team=infra,tier=gold'), prefix: 'dc1-', addressOffset: 0 });
    const nodes = [0, 1, 2, 3].map((i) => buildNode(config, nodeIdentity(config, i), T, 'boot'));
    const labels = nodes.map((n) => n.metadata.labels ?? {});
    assert.deepEqual(labels.map((l) => l['topology.kubernetes.io/zone']), ['sim-region-a', 'sim-region-b', 'sim-region-c', 'sim-region-a']);
    assert.deepEqual(labels[2], {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'dc1-2',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'sim.standard',
      'topology.kubernetes.io/region': 'sim-region',
      'topology.kubernetes.io/zone': 'sim-region-c',
      'sim.strata.dev/simulated': 'true',
      team: 'infra',
      tier: 'gold',
    });
    const status = nodes[1]!.status as Record<string, any>;
    assert.deepEqual(status['capacity'], { cpu: '16', memory: '64Gi', pods: '50', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
    assert.deepEqual(status['allocatable'], status['capacity']);
    assert.deepEqual(status['addresses'], [{ type: 'InternalIP', address: '10.64.0.2' }, { type: 'Hostname', address: 'dc1-1' }]);
    assert.deepEqual(status['daemonEndpoints'], { kubeletEndpoint: { Port: 10250 } });
    assert.equal(status['nodeInfo'].kubeletVersion, 'v1.33.0-strata');
    assert.equal(status['nodeInfo'].containerRuntimeVersion, 'sim://1');
    assert.match(status['nodeInfo'].machineID, /^[0-9a-f]{32}$/);
    assert.notEqual(status['nodeInfo'].machineID, (nodes[0]!.status as Record<string, any>)['nodeInfo'].machineID);
    assert.deepEqual(nodes[1]!.spec, { podCIDR: '10.128.1.0/24', podCIDRs: ['10.128.1.0/24'] });
  });

  test('conditions: kubelet reasons, fresh heartbeats, transition times kept while the status holds', () => {
    const first = nodeConditions(T);
    assert.deepEqual(first.map((c) => `${c.type}=${c.status}/${c.reason}`), [
      'NetworkUnavailable=False/RouteCreated',
      'MemoryPressure=False/KubeletHasSufficientMemory',
      'DiskPressure=False/KubeletHasNoDiskPressure',
      'PIDPressure=False/KubeletHasSufficientPID',
      'Ready=True/KubeletReady',
    ]);
    const later = nodeConditions(T + 300_000, first);
    const ready = later.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.lastHeartbeatTime, ready.lastTransitionTime], ['2030-01-01T00:05:00Z', '2030-01-01T00:00:00Z']);
    assert.equal(later[0]!.lastHeartbeatTime, '2030-01-01T00:00:00Z', 'NetworkUnavailable is not the kubelet\'s to refresh');
    // After an outage the node lifecycle controller set Ready=Unknown: coming back is a transition.
    const unknown = later.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown' } : c));
    const back = nodeConditions(T + 600_000, unknown).find((c) => c.type === 'Ready')!;
    assert.deepEqual([back.status, back.lastTransitionTime], ['True', '2030-01-01T00:10:00Z']);
  });

  test('the Lease: held by the node, 40 s, owned by the Node', () => {
    const lease = buildLease('sim-3', 'uid-3', 40, T, '17');
    assert.deepEqual(lease.metadata, { name: 'sim-3', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'sim-3', uid: 'uid-3' }], resourceVersion: '17' });
    assert.deepEqual(lease.spec, { holderIdentity: 'sim-3', leaseDurationSeconds: 40, renewTime: '2030-01-01T00:00:00.000000Z' });
  });

  test('options are validated with messages naming what is wrong', () => {
    assert.throws(() => resolveSimConfig({ memory: 'lots' }), /invalid memory "lots"/);
    assert.throws(() => resolveSimConfig({ zones: 0 }), /invalid zone count 0/);
    assert.throws(() => resolveSimConfig({ prefix: 'Bad_' }), /invalid prefix "Bad_"/);
    assert.throws(() => resolveSimConfig({ labels: { 'kubernetes.io/hostname': 'x' } }), /set per node/);
    assert.throws(() => resolveSimConfig({ nodes: 300, clusterCidr: '10.244.0.0/16' }), /invalid node count 300/);
    assert.throws(() => parseLabels('a=b,oops'), /invalid label "oops"/);
    const c = resolveSimConfig({});
    assert.deepEqual([c.leaseDurationSeconds, c.leaseRenewIntervalMs, c.nodeStatusUpdateFrequencyMs, c.capacity.pods], [40, 10_000, 300_000, '110']);
    assert.ok(Object.isFrozen(c));
  });
});
