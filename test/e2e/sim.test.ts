// `strata sim` as a child process against `strata server`, driven by real kubectl: 20 simulated
// nodes show Ready with zones spread, a pod bound to one of them runs with an IP from its range,
// `kubectl describe node` reads like a real node's, SIGUSR1 stops the Lease renewals (an outage),
// and SIGTERM stops the simulator cleanly (with --delete-on-exit, taking its nodes along).

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, parseTable, REPO, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

describe('strata sim', { timeout: 120_000 }, () => {
  let s: Strata;
  let sim: ChildProcess;
  let out = '';

  before(async () => {
    s = await startStrata();
    sim = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'sim', '--kubeconfig', s.kubeconfig, '--nodes', '20', '--zones', '3', '--lease-duration', '4s', '--delete-on-exit', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sim.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    sim.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('the simulator to register its nodes', () => sim.exitCode === null ? /Strata sim: 20 nodes registered/.test(out) : assert.fail(`strata sim exited ${sim.exitCode}:\n${out}`), 30_000);
  });
  after(async () => {
    if (sim && sim.exitCode === null && sim.signalCode === null) sim.kill('SIGKILL');
    await s?.cleanup();
  });

  test('kubectl get nodes: 20 Ready nodes, zones spread, the simulated kubelet version', () => {
    const rows = parseTable(s.k(['get', 'nodes', '-L', 'topology.kubernetes.io/zone']));
    assert.equal(rows.length, 20);
    for (const r of rows) {
      assert.equal(r['STATUS'], 'Ready', `${r['NAME']} is Ready`);
      assert.equal(r['VERSION'], 'v1.33.0-strata');
    }
    const perZone = new Map<string, number>();
    for (const r of rows) perZone.set(r['ZONE'] ?? '', (perZone.get(r['ZONE'] ?? '') ?? 0) + 1);
    assert.deepEqual([...perZone.entries()].sort(), [['sim-region-a', 7], ['sim-region-b', 7], ['sim-region-c', 6]]);
  });

  test('a pod bound to a simulated node runs, with an IP from that node\'s pod range', async () => {
    s.k(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default}\nspec:\n  nodeName: sim-3\n  containers: [{name: app, image: nginx:1.27}]\n' });
    s.k(['wait', '--for=condition=Ready', 'pod/web', '--timeout=30s']);
    const [phase, ip, hostIP] = s.k(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase} {.status.podIP} {.status.hostIP}']).split(' ');
    const cidr = s.k(['get', 'node', 'sim-3', '-o', 'jsonpath={.spec.podCIDR}']);
    assert.equal(phase, 'Running');
    assert.equal(cidr, '10.128.3.0/24');
    assert.match(ip ?? '', /^10\.128\.3\.\d+$/);
    assert.equal(hostIP, '10.64.0.4');
  });

  test('kubectl describe node reads like a real node', () => {
    const text = s.k(['describe', 'node', 'sim-3']);
    assert.match(text, /^Name:\s+sim-3$/m);
    assert.match(text, /topology\.kubernetes\.io\/zone=sim-region-a/);
    assert.match(text, /^\s+Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/m);
    assert.match(text, /^\s+MemoryPressure\s+False\s+.*KubeletHasSufficientMemory/m);
    assert.match(text, /^\s+InternalIP:\s+10\.64\.0\.4$/m);
    assert.match(text, /^\s+Kubelet Version:\s+v1\.33\.0-strata$/m);
    assert.match(text, /^\s+Container Runtime Version:\s+sim:\/\/1$/m);
    assert.match(text, /^PodCIDR:\s+10\.128\.3\.0\/24$/m);
    assert.match(text, /^\s+HolderIdentity:\s+sim-3$/m);
    assert.match(text, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(text, /^\s+default\s+web\s/m);
    assert.match(text, /^\s+cpu\s+0 \(0%\)\s+0 \(0%\)$/m);
  });

  test('SIGUSR1 stops every Lease renewal; SIGTERM stops the simulator and --delete-on-exit removes its nodes', async () => {
    const renewTime = (): string => s.k(['get', 'lease', '-n', 'kube-node-lease', 'sim-5', '-o', 'jsonpath={.spec.renewTime}']);
    const first = renewTime();
    await eventually('a renewal (every 1 s with a 4 s lease)', () => renewTime() !== first, 5000);
    sim.kill('SIGUSR1');
    await eventually('the outage to begin', () => /heartbeats of 20 nodes stopped \(SIGUSR1\)/.test(out));
    await new Promise((r) => setTimeout(r, 300));
    const frozen = renewTime();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(renewTime(), frozen, 'no renewals after SIGUSR1');
    assert.equal(parseTable(s.k(['get', 'nodes'])).length, 20, 'the nodes are still there, only silent');

    const exited = new Promise<number | null>((r) => sim.once('exit', (code) => r(code)));
    sim.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.equal(s.k(['get', 'nodes', '-o', 'name']).trim(), '', 'nodes removed on exit');
    assert.equal(s.k(['get', 'leases', '-n', 'kube-node-lease', '-o', 'name']).trim(), '', 'and their Leases');
  });
});
