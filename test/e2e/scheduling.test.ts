// The in-process scheduler of `strata server` against simulated nodes (`strata sim` child
// processes), driven by real kubectl: a pod that fits nowhere shows upstream's exact reasons in
// `kubectl describe` and is scheduled once a node with room joins; a NoSchedule taint keeps pods
// without the toleration off its node; required and preferred node affinity on the zone label;
// a zone topology spread constraint gives 2/2/2 over three zones where plain scoring would not;
// required pod anti-affinity on the hostname; and a high-priority pod preempts a low-priority one
// (DisruptionTarget condition, Preempted event, the preemptor runs on the victim's node).
//
// Cluster: sim-0/1/2 (2 CPU, 4Gi, one per zone sim-region-a/b/c), and from the first test on
// big-0 (16 CPU, 32Gi, instance type sim.large, zone sim-region-a).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, parseTable, startStrata, stopChild, waitForExit, startSim, type SimProcess } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;



const podScheduledMessage = (s: Strata, name: string): string => s.k(['get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']);

/** Waits for the pod's FailedScheduling event in `kubectl describe pod` and returns its message. */
async function failedScheduling(s: Strata, name: string): Promise<string> {
  return eventually(`FailedScheduling for ${name}`, () => {
    // The age column reads "3s", or "3s (x2 over 5s)" once the scheduler has retried.
    const m = /^\s+Warning\s+FailedScheduling\s+\S+(?: \(x\d+ over \S+\))?\s+default-scheduler\s+(.*)$/m.exec(s.k(['describe', 'pod', name]));
    return m?.[1]?.trim();
  });
}

/** Pod name → node name, for the pods `selector` picks (from `kubectl get pods -o wide`). */
function podNodes(s: Strata, selector: string): Map<string, string> {
  return new Map(parseTable(s.k(['get', 'pods', '-l', selector, '-o', 'wide'])).map((r) => [r['NAME'] ?? '', r['NODE'] ?? '']));
}

function runningPods(s: Strata, selector: string): Record<string, string>[] {
  return parseTable(s.k(['get', 'pods', '-l', selector, '-o', 'wide'])).filter((r) => r['STATUS'] === 'Running');
}

describe('scheduling on simulated nodes', { timeout: 240_000 }, () => {
  let s: Strata;
  const sims: SimProcess[] = [];
  let zoneOf = new Map<string, string>();

  const readZones = (): void => {
    zoneOf = new Map(parseTable(s.k(['get', 'nodes', '-L', 'topology.kubernetes.io/zone'])).map((r) => [r['NAME'] ?? '', r['ZONE'] ?? '']));
  };

  /** Deletes what a test made and waits until its pods are gone (the garbage collector takes a workload's), so the next test starts on empty nodes. */
  const clean = (kinds: string, selector: string, pods = selector): void => {
    s.k(['delete', kinds, '-l', selector, '--timeout=30s']);
    s.k(['wait', '--for=delete', 'pods', '-l', pods, '--timeout=30s']);
  };

  before(async () => {
    s = await startStrata();
    sims.push(await startSim(s, 3, ['--zones', '3', '--cpu', '2', '--memory', '4Gi']));
    readZones();
    assert.deepEqual([...zoneOf.entries()], [['sim-0', 'sim-region-a'], ['sim-1', 'sim-region-b'], ['sim-2', 'sim-region-c']]);
  });

  after(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
    await s?.cleanup();
  });

  test('a pod that fits nowhere shows the reasons in describe and is scheduled once a node with room joins', async () => {
    s.k(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: big, labels: {test: big}}\nspec:\n  containers: [{name: app, image: busybox, resources: {requests: {cpu: "8"}}}]\n',
    });
    const message = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    assert.equal(await failedScheduling(s, 'big'), message);
    const described = s.k(['describe', 'pod', 'big']);
    assert.match(described, /^Status:\s+Pending$/m);
    assert.match(described, /^\s+PodScheduled\s+False\s*$/m);
    assert.equal(podScheduledMessage(s, 'big'), message);
    assert.equal(s.k(['get', 'pod', 'big', '-o', 'jsonpath={.spec.nodeName}']), '');

    // A bigger machine joins: another simulator process, its own instance type and pod range.
    sims.push(await startSim(s, 1, ['--prefix', 'big-', '--cpu', '16', '--memory', '32Gi', '--instance-type', 'sim.large', '--cluster-cidr', '10.200.0.0/16']));
    s.k(['wait', '--for=condition=Ready', 'pod/big', '--timeout=30s']);
    const [node, phase, ip] = s.k(['get', 'pod', 'big', '-o', 'jsonpath={.spec.nodeName} {.status.phase} {.status.podIP}']).split(' ');
    assert.equal(node, 'big-0');
    assert.equal(phase, 'Running');
    // Inside the simulator's --cluster-cidr (its node's /24 starts at an offset derived from the prefix).
    assert.match(ip ?? '', /^10\.200\.\d+\.\d+$/);
    const events = s.k(['describe', 'pod', 'big']);
    assert.match(events, /^\s+Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/big to big-0$/m);
    assert.match(events, /^\s+PodScheduled\s+True\s*$/m);
    readZones();
    assert.equal(zoneOf.get('big-0'), 'sim-region-a');
    clean('pods', 'test=big');
  });

  test('node affinity: required zones are never left; the preferred zone wins; no matching zone stays Pending', async () => {
    const pod = (name: string, affinity: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {test: affinity}}
spec:
  affinity:
    nodeAffinity:
${affinity}
  containers: [{name: app, image: nginx, resources: {requests: {cpu: 100m}}}]
`;
    const required = (zones: string[]): string => `      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [${zones.join(', ')}]}]
`;
    const preferred = `      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [sim-region-c]}]
`;
    const docs: string[] = [pod('nowhere', required(['sim-region-x']))];
    for (let i = 0; i < 4; i++) docs.push(pod(`req-${i}`, required(['sim-region-b', 'sim-region-c'])));
    for (let i = 0; i < 4; i++) docs.push(pod(`pref-${i}`, required(['sim-region-b', 'sim-region-c']) + preferred));
    s.k(['apply', '-f', '-'], { input: docs.join('---\n') });

    await eventually('the req and pref pods to run', () => runningPods(s, 'test=affinity').length === 8);
    const nodes = podNodes(s, 'test=affinity');
    for (let i = 0; i < 4; i++) {
      const zone = zoneOf.get(nodes.get(`req-${i}`) ?? '');
      assert.ok(zone === 'sim-region-b' || zone === 'sim-region-c', `req-${i} runs in zone b or c, not ${zone}`);
      assert.equal(nodes.get(`pref-${i}`), 'sim-2', `pref-${i} runs in the preferred zone's only node`);
    }
    assert.equal(nodes.get('nowhere'), '<none>');
    assert.equal(
      await failedScheduling(s, 'nowhere'),
      "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    clean('pods', 'test=affinity');
  });

  test('taints: pods without the toleration never land on a tainted node; one with it and a nodeSelector does', async () => {
    s.k(['taint', 'nodes', 'sim-1', 'dedicated=gpu:NoSchedule']);
    assert.match(s.k(['describe', 'node', 'sim-1']), /^Taints:\s+dedicated=gpu:NoSchedule$/m);
    s.k(['create', 'deployment', 'plain', '--image=nginx', '--replicas=8']);
    s.k(['label', 'deployment', 'plain', 'test=taints']);
    const rolled = await waitForExit(s.spawnKubectl(['rollout', 'status', 'deployment/plain', '--timeout=60s']), 65_000);
    assert.equal(rolled.code, 0, rolled.stderr);
    const plain = podNodes(s, 'app=plain');
    assert.equal(plain.size, 8);
    for (const [name, node] of plain) assert.notEqual(node, 'sim-1', `${name} kept off the tainted node`);
    assert.ok(new Set(plain.values()).size >= 3, `spread over the untainted nodes: ${[...plain.values()]}`);

    s.k(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: untolerated, labels: {test: taints}}
spec:
  nodeSelector: {kubernetes.io/hostname: sim-1}
  containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: gpu, labels: {test: taints}}
spec:
  nodeSelector: {kubernetes.io/hostname: sim-1}
  tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]
  containers: [{name: app, image: nginx}]
`,
    });
    s.k(['wait', '--for=condition=Ready', 'pod/gpu', '--timeout=30s']);
    assert.equal(s.k(['get', 'pod', 'gpu', '-o', 'jsonpath={.spec.nodeName}']), 'sim-1');
    assert.equal(
      await failedScheduling(s, 'untolerated'),
      "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    assert.equal(s.k(['get', 'pod', 'untolerated', '-o', 'jsonpath={.spec.nodeName}']), '');

    // Without the taint the waiting pod is scheduled there.
    s.k(['taint', 'nodes', 'sim-1', 'dedicated=gpu:NoSchedule-']);
    s.k(['wait', '--for=condition=Ready', 'pod/untolerated', '--timeout=30s']);
    assert.equal(s.k(['get', 'pod', 'untolerated', '-o', 'jsonpath={.spec.nodeName}']), 'sim-1');
    clean('deployments,pods', 'test=taints', 'app=plain');
  });

  test('topology spread: 6 replicas with a zone constraint of maxSkew 1 run 2/2/2 over the three zones', async () => {
    // Zone a holds sim-0 and the nearly empty 16-CPU big-0: scoring alone would put more there.
    s.k(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: spread, labels: {test: spread}}
spec:
  replicas: 6
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: spread}}
      containers: [{name: app, image: nginx, resources: {requests: {cpu: 500m}}}]
`,
    });
    const rolled = await waitForExit(s.spawnKubectl(['rollout', 'status', 'deployment/spread', '--timeout=60s']), 65_000);
    assert.equal(rolled.code, 0, rolled.stderr);
    const perZone = new Map<string, number>();
    for (const node of podNodes(s, 'app=spread').values()) {
      const zone = zoneOf.get(node);
      assert.ok(zone, `pod on a known node, not ${node}`);
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    assert.deepEqual([...perZone.entries()].sort(), [['sim-region-a', 2], ['sim-region-b', 2], ['sim-region-c', 2]]);
    clean('deployments', 'test=spread', 'app=spread');
  });

  test('pod anti-affinity on the hostname: one pod per node, the fifth replica waits', async () => {
    s.k(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: anti, labels: {test: anti}}
spec:
  replicas: 5
  selector: {matchLabels: {app: anti}}
  template:
    metadata: {labels: {app: anti}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: anti}}
            topologyKey: kubernetes.io/hostname
      containers: [{name: app, image: nginx, resources: {requests: {cpu: 100m}}}]
`,
    });
    await eventually('four replicas running', () => runningPods(s, 'app=anti').length === 4);
    const rows = parseTable(s.k(['get', 'pods', '-l', 'app=anti', '-o', 'wide']));
    assert.equal(rows.length, 5);
    const running = rows.filter((r) => r['STATUS'] === 'Running');
    assert.deepEqual(running.map((r) => r['NODE']).sort(), ['big-0', 'sim-0', 'sim-1', 'sim-2']);
    const pending = rows.filter((r) => r['STATUS'] === 'Pending');
    assert.equal(pending.length, 1);
    assert.equal(
      await failedScheduling(s, pending[0]?.['NAME'] ?? ''),
      "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
    );
    clean('deployments', 'test=anti', 'app=anti');
  });

  test('preemption: a high-priority pod evicts a low-priority one and runs on its node', async () => {
    s.k(['apply', '-f', '-'], {
      input: `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: low, labels: {test: preemption}}
value: 1000
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high, labels: {test: preemption}}
value: 1000000
`,
    });
    // Each low pod takes most of a small node; the sim.large node is out of reach for all of them.
    const pod = (name: string, tier: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {test: preemption, tier: ${tier}}}
spec:
  priorityClassName: ${tier}
  nodeSelector: {node.kubernetes.io/instance-type: sim.standard}
  containers: [{name: app, image: busybox, resources: {requests: {cpu: 1500m, memory: 1Gi}}}]
`;
    s.k(['apply', '-f', '-'], { input: [0, 1, 2].map((i) => pod(`low-${i}`, 'low')).join('---\n') });
    await eventually('the low pods to run', () => runningPods(s, 'tier=low').length === 3);
    const lowBefore = podNodes(s, 'tier=low');
    assert.deepEqual([...lowBefore.values()].sort(), ['sim-0', 'sim-1', 'sim-2']);

    // The victim is gone soon after it is marked: watch for the condition while it happens.
    const watch = s.spawnKubectl(['get', 'pods', '-l', 'tier=low', '--watch', '-o', 'jsonpath={.metadata.name} {.status.conditions[?(@.type=="DisruptionTarget")].reason}{"\\n"}']);
    let watched = '';
    watch.stdout?.on('data', (d: Buffer) => (watched += d.toString()));
    try {
      await eventually('the watch to list the low pods', () => /^low-2 $/m.test(watched));
      s.k(['apply', '-f', '-'], { input: pod('high', 'high') });
      const victim = await eventually('a low pod marked DisruptionTarget (PreemptionByScheduler)', () => /^(low-\d) PreemptionByScheduler$/m.exec(watched)?.[1]);

      s.k(['wait', '--for=condition=Ready', 'pod/high', '--timeout=30s']);
      const node = s.k(['get', 'pod', 'high', '-o', 'jsonpath={.spec.nodeName}']);
      assert.equal(node, lowBefore.get(victim), 'the high pod runs where the victim ran');
      assert.equal(s.k(['get', 'pod', 'high', '-o', 'jsonpath={.status.nominatedNodeName}']), node);
      const highUid = s.k(['get', 'pod', 'high', '-o', 'jsonpath={.metadata.uid}']);

      s.k(['wait', '--for=delete', `pod/${victim}`, '--timeout=30s']);
      const survivors = podNodes(s, 'tier=low');
      assert.deepEqual([...survivors.keys()].sort(), ['low-0', 'low-1', 'low-2'].filter((n) => n !== victim));
      for (const [name, n] of survivors) assert.equal(n, lowBefore.get(name), `${name} stays where it was`);
      assert.deepEqual([...new Set(watched.match(/^low-\d(?= PreemptionByScheduler$)/gm))], [victim], `one victim:\n${watched}`);

      const preempted = s.k(['get', 'events', '--field-selector', `involvedObject.name=${victim},reason=Preempted`, '-o', 'jsonpath={.items[*].message}']);
      assert.equal(preempted, `Preempted by pod ${highUid} on node ${node}`);
      const described = s.k(['describe', 'pod', 'high']);
      assert.match(described, /^Priority Class Name:\s+high$/m);
      assert.match(described, /^Priority:\s+1000000$/m, 'the Priority admission step filled spec.priority from the class');
      assert.match(described, /^\s+Warning\s+FailedScheduling\s+\S+(?: \(x\d+ over \S+\))?\s+default-scheduler\s+0\/4 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 3 Insufficient cpu\.$/m);
      assert.match(described, new RegExp(`^\\s+Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/high to ${node}$`, 'm'));
    } finally {
      stopChild(watch);
    }
    clean('pods,priorityclasses', 'test=preemption');
  });
});
