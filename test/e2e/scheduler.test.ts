// `strata scheduler` as its own process against `strata server`, driven by real kubectl: it takes
// the kube-system/kube-scheduler Lease, `kubectl describe pod` shows the FailedScheduling event of
// a pod no node can hold (and its PodScheduled condition), and the pod is scheduled once a node
// with room is added. Nodes are created with kubectl; their status (capacity) is written through
// the nodes/status subresource with the kubeconfig's client, as a kubelet would.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { eventually, REPO, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;

const nodeManifest = (name: string): string => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels: {kubernetes.io/hostname: ${name}, test: e2e}
`;

const podManifest = `apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  containers:
  - name: app
    image: busybox
    resources: {requests: {cpu: "6", memory: 1Gi}}
`;

describe('strata scheduler', { timeout: 120_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let scheduler: ChildProcess | undefined;
  let log = '';

  const addNode = async (name: string, cpu: string): Promise<void> => {
    s.k(['apply', '-f', '-'], { input: nodeManifest(name) });
    const capacity = { cpu, memory: '16Gi', pods: '110' };
    await client.patch({ ...NODES, name }, 'merge', { status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } }, { subresource: 'status' });
  };

  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']);
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    await addNode('small', '2');
    scheduler = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'scheduler', '--kubeconfig', s.kubeconfig, '--leader-elect-retry-period', '500ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
    scheduler.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    scheduler.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await eventually('the scheduler to sync its caches', () => {
      if (scheduler?.exitCode !== null) throw new Error(`strata scheduler exited (${scheduler?.exitCode}):\n${log}`);
      return log.includes('scheduler caches synced');
    });
  });

  after(async () => {
    if (scheduler && scheduler.exitCode === null) {
      const exited = new Promise((r) => scheduler?.once('exit', r));
      scheduler.kill('SIGTERM');
      await exited;
    }
    client?.close();
    await s?.cleanup();
  });

  test('holds the kube-scheduler Lease', () => {
    const holder = s.k(['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
    assert.match(holder, /_/);
  });

  test('kubectl describe shows why a pod cannot be scheduled; a node with room schedules it', async () => {
    s.k(['apply', '-f', '-'], { input: podManifest });
    const message = '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    const described = await eventually('FailedScheduling in describe', () => {
      const out = s.k(['describe', 'pod', 'big']);
      return out.includes('FailedScheduling') ? out : undefined;
    });
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/1 nodes are available: 1 Insufficient cpu\. preemption: 0\/1 nodes are available: 1 Preemption is not helpful for scheduling\./);
    assert.match(described, /PodScheduled\s+False/);
    assert.equal(s.k(['get', 'pod', 'big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']), message);
    assert.equal(s.k(['get', 'pod', 'big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']), 'Unschedulable');

    await addNode('large', '8');
    const node = await eventually('big to be bound', () => s.k(['get', 'pod', 'big', '-o', 'jsonpath={.spec.nodeName}']).trim() || undefined, 15_000);
    assert.equal(node, 'large');
    const after = await eventually('the Scheduled event', () => {
      const out = s.k(['describe', 'pod', 'big']);
      return /Normal\s+Scheduled/.test(out) ? out : undefined;
    });
    assert.match(after, /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/big to large/);
  });
});
