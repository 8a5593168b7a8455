// PodDisruptionBudgets, eviction and node maintenance inside `strata server`, driven by real
// kubectl: a Deployment with a PDB (minAvailable: 2) and the PDB's columns in kubectl get pdb; the
// eviction subresource through kubectl create --raw (dry run allowed, 429 when the budget is
// spent, 500 for two budgets); kubectl drain of a node holding two of the three pods, which
// evicts one, is refused the second (429) and retries until the Deployment's replacement is Ready
// elsewhere; and cordon/uncordon with the node lifecycle controller's unschedulable taint.
//
// A PodDriver (test/support) plays scheduler and kubelets. Before the drain it is replaced by one
// that binds only to the other nodes (it ignores cordons), and the test renews the nodes' Leases
// as kubelets would, so the node lifecycle controller keeps them Ready. kubectl drain runs as a
// child process awaited asynchronously: a blocking spawn would stall the driver it waits for.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { isAlreadyExists } from '../../src/machinery/status-error.ts';
import { PodDriver } from '../support/pod-driver.ts';
import { eventually, KUBECTL, type KubectlResult, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;
const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease' } as const;

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
  namespace: shop
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; tolerations?: unknown[] };
  status?: { conditions?: { type: string; status: string }[] };
}

describe('PodDisruptionBudgets, eviction and drain with kubectl', { timeout: 180_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let driver: PodDriver;
  let beating = true;
  let beats: Promise<void> = Promise.resolve();

  /** kubectl without blocking the event loop (the PodDriver and the heartbeats must keep working). */
  const kubectlAsync = (args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = spawn(KUBECTL, ['--kubeconfig', s.kubeconfig, '--cache-dir', s.cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const pods = (): PodJson[] => (JSON.parse(s.k(['get', 'pods', '-n', 'shop', '-l', 'app=web', '-o', 'json'])) as { items: PodJson[] }).items.filter((p) => !p.metadata.deletionTimestamp);
  const isReady = (p: PodJson): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const allowed = (): string => s.k(['get', 'pdb', 'web-pdb', '-n', 'shop', '-o', 'jsonpath={.status.disruptionsAllowed}']);
  const taints = (node: string): string => s.k(['get', 'node', node, '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}']);
  const evictRaw = (pod: string, body: object = {}): KubectlResult =>
    s.kubectl(['create', '--raw', `/api/v1/namespaces/shop/pods/${pod}/eviction`, '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'shop' }, ...body }),
    });

  /** Renews the nodes' Leases every 2 s, as their kubelets would (the grace period is 40 s). */
  function heartbeat(nodes: string[]): Promise<void> {
    const renew = async (name: string): Promise<void> => {
      const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') };
      try {
        await client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        await client.update(LEASES, { ...(await client.get({ ...LEASES, name })), spec });
      }
    };
    return (async () => {
      while (beating) {
        for (const n of nodes) await renew(n).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
  }

  before(async () => {
    s = await startStrata();
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    driver = new PodDriver(client, { bind: false, nodes: ['node-a', 'node-b'] });
    await driver.start();
    beats = heartbeat(['node-a', 'node-b', 'node-c']);
  });
  after(async () => {
    beating = false;
    await beats;
    await driver?.stop();
    client?.close();
    await s?.cleanup();
  });

  test('a Deployment under a PDB: kubectl get pdb columns, default tolerations on its pods', async () => {
    s.k(['apply', '-f', '-'], { input: MANIFEST });
    await eventually('three Ready pods', () => pods().filter(isReady).length === 3);
    await eventually('the budget to allow one disruption', () => allowed() === '1');
    const lines = s.k(['get', 'pdb', '-n', 'shop']).trim().split('\n');
    assert.deepEqual(lines[0]?.split(/\s{2,}/), ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    assert.deepEqual(lines[1]?.split(/\s+/).slice(0, 4), ['web-pdb', '2', 'N/A', '1']);
    const status = JSON.parse(s.k(['get', 'pdb', 'web-pdb', '-n', 'shop', '-o', 'json'])) as { status: Record<string, unknown> };
    assert.deepEqual([status.status['currentHealthy'], status.status['desiredHealthy'], status.status['expectedPods']], [3, 2, 3]);
    assert.deepEqual(pods()[0]?.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  test('the eviction subresource through kubectl: dry run, 429 with the budget spent, 500 for two budgets', async () => {
    const pod = pods()[0]!.metadata.name;
    const dry = evictRaw(pod, { deleteOptions: { dryRun: ['All'] } });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /"status":\s*"Success"/);
    assert.equal(allowed(), '1', 'a dry run takes no disruption');

    s.k(['patch', 'pdb', 'web-pdb', '-n', 'shop', '--type=merge', '-p', '{"spec":{"minAvailable":3}}']);
    await eventually('the budget to be spent', () => allowed() === '0');
    const refused = evictRaw(pod);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Error from server \(TooManyRequests\): Cannot evict pod as it would violate the pod's disruption budget\./);
    s.k(['patch', 'pdb', 'web-pdb', '-n', 'shop', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    await eventually('the budget to allow one again', () => allowed() === '1');

    s.k(['create', 'pdb', 'second', '-n', 'shop', '--selector=app=web', '--max-unavailable=1']);
    const twice = evictRaw(pod);
    assert.notEqual(twice.code, 0);
    assert.match(twice.stderr, /This pod has more than one PodDisruptionBudget, which the eviction subresource does not support\./);
    s.k(['delete', 'pdb', 'second', '-n', 'shop']);
    assert.ok(pods().some((p) => p.metadata.name === pod), 'none of these evictions removed the pod');
  });

  test('kubectl drain waits on the budget and finishes once replacements are Ready elsewhere', async () => {
    const byNode = new Map<string, string[]>();
    for (const p of pods()) byNode.set(p.spec.nodeName ?? '', [...(byNode.get(p.spec.nodeName ?? '') ?? []), p.metadata.name]);
    const [target, onTarget] = [...byNode].sort((a, b) => b[1].length - a[1].length)[0]!;
    assert.ok(onTarget.length >= 2, `two of the three pods share a node: ${JSON.stringify([...byNode])}`);
    // From now on new pods land on the other nodes only (the driver ignores cordons).
    await driver.stop();
    driver = new PodDriver(client, { bind: false, nodes: ['node-a', 'node-b', 'node-c'].filter((n) => n !== target) });
    await driver.start();

    const drain = await kubectlAsync(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s']);
    assert.equal(drain.code, 0, `drain failed:\n${drain.stderr}\n${drain.stdout}`);
    const out = drain.stdout + drain.stderr;
    assert.match(out, new RegExp(`node/${target} cordoned`));
    for (const name of onTarget) assert.match(out, new RegExp(`evicting pod shop/${name}`));
    assert.match(out, /error when evicting pods\/"[^"]+" -n "shop" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.match(out, new RegExp(`node/${target} drained`));

    const after = pods();
    assert.deepEqual(after.filter((p) => p.spec.nodeName === target), [], 'nothing left on the drained node');
    await eventually('three Ready pods elsewhere and room in the budget again', () => pods().filter(isReady).length === 3 && allowed() === '1');
    assert.match(s.k(['get', 'node', target]), /Ready,SchedulingDisabled/);
    await eventually('the unschedulable taint', () => taints(target).includes('node.kubernetes.io/unschedulable:NoSchedule'));

    assert.match(s.k(['uncordon', target]), new RegExp(`node/${target} uncordoned`));
    await eventually('the taint to go', () => !taints(target).includes('node.kubernetes.io/unschedulable'));
    assert.doesNotMatch(s.k(['get', 'node', target]), /SchedulingDisabled/);
  });

  test('kubectl cordon and uncordon of a node with pods', async () => {
    const node = pods()[0]!.spec.nodeName!;
    assert.match(s.k(['cordon', node]), new RegExp(`node/${node} cordoned`));
    await eventually('the unschedulable taint', () => taints(node).includes('node.kubernetes.io/unschedulable:NoSchedule'));
    assert.equal(pods().filter(isReady).length, 3, 'cordoning evicts nothing');
    assert.match(s.k(['uncordon', node]), new RegExp(`node/${node} uncordoned`));
    await eventually('the taint to go', () => taints(node).trim() === '');
  });
});
