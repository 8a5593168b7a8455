// Workloads end to end on simulated nodes: `strata server` (controllers and scheduler in-process)
// with `strata sim` child processes, driven by real kubectl. The nginx Deployment of the Kubernetes
// docs rolls out and rolls out again after `kubectl set image`; the docs' fluentd DaemonSet runs one
// pod per node, grows when a second simulator adds nodes, and rolls an image update; Jobs complete
// (and fail) by the sim's exit-code annotation; and a node outage (SIGUSR1 to a simulator) makes its
// node Unknown, taints it, evicts the pods after their tolerationSeconds, and the Deployment brings
// them back on healthy nodes, while pods with the default 300 s toleration stay.
//
// The server runs with --node-monitor-grace-period 5s --node-monitor-period 1s and every simulator
// renews its Leases every second (--lease-duration 4s), so an outage is noticed in seconds.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, parseTable, startStrata, waitForExit, startSim as startSimProcess, type SimProcess } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;


/** `strata sim` with a short Lease, so an outage shows within the test's grace period. */
const startSim = (s: Strata, nodes: number, args: string[]): Promise<SimProcess> => startSimProcess(s, nodes, ['--lease-duration', '4s', ...args]);

function ipv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  assert.ok(parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p < 256), `an IPv4 address: "${ip}"`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = ''] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

interface PodRow {
  name: string;
  node: string;
  ip: string;
  image: string;
  phase: string;
  deleting: boolean;
}

function pods(s: Strata, selector: string, namespace = 'default'): PodRow[] {
  const out = s.k(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name},{.spec.nodeName},{.status.podIP},{.spec.containers[0].image},{.status.phase},{.metadata.deletionTimestamp}{"\\n"}{end}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', node = '', ip = '', image = '', phase = '', deleting = ''] = line.split(',');
      return { name, node, ip, image, phase, deleting: deleting !== '' };
    });
}

describe('workloads on simulated nodes', { timeout: 240_000 }, () => {
  let s: Strata;
  const sims: SimProcess[] = [];

  /** Node name → pod CIDR of every node. */
  const podCidrs = (): Map<string, string> =>
    new Map(
      s
        .k(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR}{"\\n"}{end}'])
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string]),
    );

  /** Every pod runs on a simulated node and has an IP from that node's pod range. */
  const assertOnSimNodes = (rows: PodRow[]): void => {
    const cidrs = podCidrs();
    const simulated = new Set(s.k(['get', 'nodes', '-l', 'sim.strata.dev/simulated', '-o', 'name']).split('\n').filter(Boolean).map((n) => n.replace('node/', '')));
    for (const p of rows) {
      assert.ok(simulated.has(p.node), `${p.name} runs on a simulated node, not "${p.node}"`);
      const cidr = cidrs.get(p.node) ?? '';
      assert.ok(inCidr(p.ip, cidr), `${p.name}'s IP ${p.ip} is in ${p.node}'s range ${cidr}`);
    }
  };

  const rolloutStatus = async (what: string, namespace = 'default'): Promise<string> => {
    const r = await waitForExit(s.spawnKubectl(['rollout', 'status', what, '-n', namespace, '--timeout=60s']), 65_000);
    assert.equal(r.code, 0, `rollout status ${what}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  before(async () => {
    s = await startStrata(['--node-monitor-grace-period', '5s', '--node-monitor-period', '1s']);
    sims.push(await startSim(s, 5, ['--zones', '3']));
  });

  after(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
    await s?.cleanup();
  });

  test('the docs nginx Deployment rolls out, and rolls out again after kubectl set image', async () => {
    s.k(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`,
    });
    assert.match(await rolloutStatus('deployment/nginx-deployment'), /deployment "nginx-deployment" successfully rolled out/);
    const first = pods(s, 'app=nginx');
    assert.equal(first.length, 3);
    for (const p of first) assert.deepEqual([p.image, p.phase], ['nginx:1.14.2', 'Running']);
    assertOnSimNodes(first);

    s.k(['set', 'image', 'deployment/nginx-deployment', 'nginx=nginx:1.16.1']);
    assert.match(await rolloutStatus('deployment/nginx-deployment'), /deployment "nginx-deployment" successfully rolled out/);
    const row = parseTable(s.k(['get', 'deployment', 'nginx-deployment']))[0];
    assert.deepEqual([row?.['READY'], row?.['UP-TO-DATE'], row?.['AVAILABLE']], ['3/3', '3', '3']);
    const sets = parseTable(s.k(['get', 'replicasets', '-l', 'app=nginx']));
    assert.deepEqual(sets.map((r) => r['DESIRED']).sort(), ['0', '3'], 'the old ReplicaSet is scaled to 0');
    assert.match(s.k(['rollout', 'history', 'deployment/nginx-deployment']), /^1\s+<none>\n2\s+<none>$/m);
    const second = await eventually('the old pods to go', () => {
      const rows = pods(s, 'app=nginx');
      return rows.length === 3 ? rows : undefined;
    });
    for (const p of second) assert.deepEqual([p.image, p.phase, p.deleting], ['nginx:1.16.1', 'Running', false]);
    assert.equal(second.filter((p) => first.some((f) => f.name === p.name)).length, 0, 'every pod was replaced');
    assertOnSimNodes(second);

    s.k(['delete', 'deployment', 'nginx-deployment']);
    s.k(['wait', '--for=delete', 'pods', '-l', 'app=nginx', '--timeout=30s']);
  });

  test('a DaemonSet runs one pod per node, grows with a second simulator, and rolls an update', async () => {
    s.k(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
      terminationGracePeriodSeconds: 30
`,
    });
    const ds = (): PodRow[] => pods(s, 'name=fluentd-elasticsearch', 'kube-system');
    assert.match(await rolloutStatus('ds/fluentd-elasticsearch', 'kube-system'), /daemon set "fluentd-elasticsearch" successfully rolled out/);
    let rows = ds();
    assert.deepEqual(rows.map((p) => p.node).sort(), ['sim-0', 'sim-1', 'sim-2', 'sim-3', 'sim-4']);
    assertOnSimNodes(rows);

    // Two more nodes from another simulator, with a pod range of their own.
    sims.push(await startSim(s, 2, ['--prefix', 'extra-', '--zones', '2', '--cluster-cidr', '10.200.0.0/16']));
    await eventually('the DaemonSet to want 7 pods', () => s.k(['get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system', '-o', 'jsonpath={.status.desiredNumberScheduled}']) === '7');
    await rolloutStatus('ds/fluentd-elasticsearch', 'kube-system');
    rows = ds();
    assert.deepEqual(rows.map((p) => p.node).sort(), ['extra-0', 'extra-1', 'sim-0', 'sim-1', 'sim-2', 'sim-3', 'sim-4']);
    assertOnSimNodes(rows);
    const table = parseTable(s.k(['get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system']))[0];
    assert.deepEqual([table?.['DESIRED'], table?.['CURRENT'], table?.['READY'], table?.['UP-TO-DATE'], table?.['AVAILABLE']], ['7', '7', '7', '7', '7']);

    // A rolling update replaces the pods node by node; rollout status waits for all seven.
    s.k(['set', 'image', 'ds/fluentd-elasticsearch', '-n', 'kube-system', 'fluentd-elasticsearch=quay.io/fluentd_elasticsearch/fluentd:v2.6.0']);
    assert.match(await rolloutStatus('ds/fluentd-elasticsearch', 'kube-system'), /daemon set "fluentd-elasticsearch" successfully rolled out/);
    rows = await eventually('the old DaemonSet pods to go', () => {
      const r = ds();
      return r.length === 7 && r.every((p) => !p.deleting) ? r : undefined;
    });
    for (const p of rows) assert.deepEqual([p.image, p.phase], ['quay.io/fluentd_elasticsearch/fluentd:v2.6.0', 'Running']);
    assert.equal(new Set(rows.map((p) => p.node)).size, 7);

    s.k(['delete', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system']);
    s.k(['wait', '--for=delete', 'pods', '-n', 'kube-system', '-l', 'name=fluentd-elasticsearch', '--timeout=30s']);
  });

  test('Jobs complete, or fail, by their pods\' exit codes', async () => {
    const job = (name: string, exitCode: number, completions: number): string => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
  completions: ${completions}
  parallelism: 2
  backoffLimit: 0
  template:
    metadata:
      labels: {test: jobs}
      annotations: {sim.strata.dev/exit-code: "${exitCode}", sim.strata.dev/run-ms: "300"}
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
`;
    s.k(['apply', '-f', '-'], { input: job('pi', 0, 3) + '---\n' + job('broken', 1, 1) });
    const [complete, failed] = await Promise.all([
      waitForExit(s.spawnKubectl(['wait', '--for=condition=complete', 'job/pi', '--timeout=45s']), 50_000),
      waitForExit(s.spawnKubectl(['wait', '--for=condition=failed', 'job/broken', '--timeout=45s']), 50_000),
    ]);
    assert.equal(complete.code, 0, complete.stderr);
    assert.equal(complete.stdout.trim(), 'job.batch/pi condition met');
    assert.equal(failed.code, 0, failed.stderr);
    assert.equal(failed.stdout.trim(), 'job.batch/broken condition met');

    const jobs = new Map(parseTable(s.k(['get', 'jobs'])).map((r) => [r['NAME'], [r['STATUS'], r['COMPLETIONS']]]));
    assert.deepEqual(jobs.get('pi'), ['Complete', '3/3']);
    assert.deepEqual(jobs.get('broken'), ['Failed', '0/1']);
    assert.equal(s.k(['get', 'job', 'broken', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']), 'BackoffLimitExceeded');
    const done = pods(s, 'job-name=pi');
    assert.equal(done.length, 3);
    for (const p of done) assert.equal(p.phase, 'Succeeded');
    assertOnSimNodes(done);
    assert.deepEqual(pods(s, 'job-name=broken').map((p) => p.phase), ['Failed']);

    s.k(['delete', 'jobs', 'pi', 'broken', '--cascade=foreground']);
    s.k(['wait', '--for=delete', 'pods', '-l', 'test=jobs', '--timeout=30s']);
  });

  test('a node outage: the node goes Unknown, pods are evicted after their tolerationSeconds and come back on healthy nodes', async () => {
    const lone = await startSim(s, 1, ['--prefix', 'lone-', '--cluster-cidr', '10.210.0.0/16']);
    sims.push(lone);
    await eventually('lone-0 Ready', () => s.k(['get', 'node', 'lone-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'True');

    // Only lone-0 takes new pods while the workloads start, so they all land there.
    const others = 'kubernetes.io/hostname!=lone-0';
    s.k(['cordon', '-l', others]);
    const deployment = (name: string, tolerations: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${tolerations}      containers: [{name: app, image: nginx}]
`;
    s.k(['apply', '-f', '-'], {
      input:
        deployment(
          'quick',
          `      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
`,
        ) +
        '---\n' +
        deployment('patient', ''),
    });
    try {
      await rolloutStatus('deployment/quick');
      await rolloutStatus('deployment/patient');
    } finally {
      s.k(['uncordon', '-l', others]);
    }
    const quick = pods(s, 'app=quick');
    const patient = pods(s, 'app=patient');
    assert.deepEqual([...quick, ...patient].map((p) => p.node), ['lone-0', 'lone-0', 'lone-0', 'lone-0']);
    // The API server's DefaultTolerationSeconds gave the patient pods 300 s.
    assert.equal(s.k(['get', 'pod', patient[0]?.name ?? '', '-o', 'jsonpath={.spec.tolerations[?(@.key=="node.kubernetes.io/unreachable")].tolerationSeconds}']), '300');

    const outage = Date.now();
    lone.child.kill('SIGUSR1');
    await eventually('lone-0 to go Unknown', () => s.k(['get', 'node', 'lone-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'Unknown', 20_000);
    const unknownAfter = Date.now() - outage;
    assert.equal(parseTable(s.k(['get', 'node', 'lone-0']))[0]?.['STATUS'], 'NotReady');
    assert.match(s.k(['describe', 'node', 'lone-0']), /^\s+Ready\s+Unknown\s+.*NodeStatusUnknown\s+Kubelet stopped posting node status\.$/m);
    const taintAdded = await eventually('the unreachable NoExecute taint', () => s.k(['get', 'node', 'lone-0', '-o', 'jsonpath={.spec.taints[?(@.effect=="NoExecute")].key} {.spec.taints[?(@.effect=="NoExecute")].timeAdded}']).match(/^node\.kubernetes\.io\/unreachable (\S+)$/)?.[1], 10_000);
    assert.match(s.k(['get', 'node', 'lone-0', '-o', 'jsonpath={.spec.taints[*].key}={.spec.taints[*].effect}']), /node\.kubernetes\.io\/unreachable node\.kubernetes\.io\/unreachable=(NoSchedule NoExecute|NoExecute NoSchedule)/);

    // The quick pods go 2 s after the taint; the Deployment replaces them on healthy nodes.
    const replaced = await eventually(
      'two quick pods running on healthy nodes',
      () => {
        const rows = pods(s, 'app=quick').filter((p) => !p.deleting && p.phase === 'Running');
        return rows.length === 2 && rows.every((p) => p.node !== 'lone-0') ? rows : undefined;
      },
      20_000,
    );
    const recoveredAfter = Date.now() - outage;
    assertOnSimNodes(replaced);
    await rolloutStatus('deployment/quick');
    for (const old of quick) {
      const [deleting, reason, at] = s.k(['get', 'pod', old.name, '-o', 'jsonpath={.metadata.deletionTimestamp} {.status.conditions[?(@.type=="DisruptionTarget")].reason} {.status.conditions[?(@.type=="DisruptionTarget")].lastTransitionTime}']).split(' ');
      assert.ok(deleting, `${old.name} is being deleted (its node cannot confirm)`);
      assert.equal(reason, 'DeletionByTaintManager');
      const waited = (Date.parse(at ?? '') - Date.parse(taintAdded)) / 1000;
      assert.ok(waited >= 2 && waited < 10, `${old.name} was evicted ${waited} s after the taint (tolerationSeconds 2)`);
      const events = s.k(['get', 'events', '--field-selector', `involvedObject.name=${old.name},reason=TaintManagerEviction`, '-o', 'jsonpath={.items[*].message}']);
      assert.equal(events, `Marking for deletion Pod default/${old.name}`);
    }
    // Within the node monitor grace period given to the server, not upstream's 40 s.
    assert.ok(unknownAfter < 15_000 && recoveredAfter < 25_000, `Unknown after ${unknownAfter} ms, replaced after ${recoveredAfter} ms`);

    // The patient pods tolerate the outage for 300 s: still bound to lone-0, only marked not Ready.
    for (const p of pods(s, 'app=patient')) {
      assert.deepEqual([p.node, p.deleting], ['lone-0', false], `${p.name} stays`);
      assert.equal(s.k(['get', 'pod', p.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']), 'False');
    }

    // The node comes back: Ready, untainted, and the evicted pods finally go.
    lone.child.kill('SIGUSR2');
    await eventually('lone-0 Ready again', () => s.k(['get', 'node', 'lone-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'True', 20_000);
    await eventually('the unreachable taints to go', () => s.k(['get', 'node', 'lone-0', '-o', 'jsonpath={.spec.taints}']) === '', 20_000);
    s.k(['wait', '--for=delete', ...quick.map((p) => `pod/${p.name}`), '--timeout=30s']);
    await eventually('the patient pods Ready again', () => patient.every((p) => s.k(['get', 'pod', p.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'True'), 20_000);

    s.k(['delete', 'deployments', 'quick', 'patient']);
    s.k(['wait', '--for=delete', 'pods', '-l', 'app in (quick,patient)', '--timeout=30s']);
  });
});
