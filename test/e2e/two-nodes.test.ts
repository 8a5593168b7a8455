// Two machines' worth of nodes on one: `strata up` (node-a) and a `strata agent` process joining
// with a token (node-b, its own data dir). A Deployment spread over both by a topology spread
// constraint runs real processes on each; when node-b's agent dies its node goes NotReady, its
// pods are evicted by the unreachable taint once their tolerationSeconds run out and come back
// on node-a; node-b's agent started again finishes off the evicted pods and the node is Ready.
// A pod bound to node-b survives a SIGKILL of its agent: the restarted agent re-adopts it.
// A frozen agent (SIGSTOP) makes its node NotReady; thawed, the node is Ready at its next heartbeat.
// `kubectl drain` cordons node-b and the evicted pod's processes stop.
// Each agent's HTTPS endpoint gets a free port of its own (node-cluster.ts).
// Short node lifecycle timings (Lease of 8 s renewed every 2 s, 10 s grace) keep it quick.

import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, freePort, parseTable } from './harness.ts';
import { removeRuntimeCgroups } from '../support/process-runtime-cleanup.ts';
import { getJson, killAllWith, pidsWith, startAgentProcess, startUp, stopProcess, strataCli, type AgentProcess, type UpProcess } from './node-cluster.ts';

let up: UpProcess;
let agent: AgentProcess | undefined;
let dir: string;
let marker: string;
let agentArgs: string[];

const LEASE = ['--node-lease-duration-seconds', '8'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-two-nodes-'));
  marker = join(dir, `m-${randomBytes(4).toString('hex')}`);
  mkdirSync(marker);
  up = await startUp(join(dir, 'a'), await freePort(), ['--node-name', 'node-a', '--node-monitor-period', '1s', '--node-monitor-grace-period', '10s', ...LEASE]);
  const token = strataCli(['token', 'create', '--ttl', '10m', '--kubeconfig', up.kube.kubeconfig]);
  assert.equal(token.code, 0, token.stderr);
  // The join pins the cluster CA as `strata server` prints it: sha256 of its public key (SPKI).
  const ca = new X509Certificate(up.kube.credentials().ca);
  const pin = `sha256:${createHash('sha256').update(ca.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
  agentArgs = ['--server', up.kube.url, '--discovery-token-ca-cert-hash', pin, '--node-name', 'node-b', '--data-dir', join(dir, 'b'), ...LEASE];
  agent = await startAgentProcess([...agentArgs, '--token', token.stdout.trim()]);
});

after(async () => {
  if (agent) await stopProcess(agent.child, 'SIGTERM');
  if (up) await up.stop('SIGINT');
  killAllWith(marker);
  if (dir) {
    await removeRuntimeCgroups(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

const nodeStatus = (): Record<string, string> =>
  Object.fromEntries(parseTable(up.kube.k(['get', 'nodes'])).map((r) => [r['NAME'], r['STATUS']]));

interface PodView {
  name: string;
  uid: string;
  node: string;
  phase: string;
  terminating: boolean;
}

const pods = (): PodView[] =>
  (getJson(up.kube, ['pods', '-l', 'app=spread'])?.items ?? []).map((p: any) => ({
    name: p.metadata.name, uid: p.metadata.uid, node: p.spec.nodeName ?? '', phase: p.status?.phase ?? '', terminating: p.metadata.deletionTimestamp !== undefined,
  }));

const perNode = (list: PodView[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of list) out[p.node] = (out[p.node] ?? 0) + 1;
  return out;
};

test('two nodes Ready, a Deployment spread over both, and node-b\'s pods evicted to node-a when its agent dies', async () => {
  await eventually('both nodes Ready', () => {
    const s = nodeStatus();
    return s['node-a'] === 'Ready' && s['node-b'] === 'Ready';
  }, 30_000, 250);
  const nodeB = getJson(up.kube, ['node', 'node-b']);
  assert.equal(nodeB.metadata.labels['kubernetes.io/hostname'], 'node-b');
  assert.match(nodeB.status.nodeInfo.containerRuntimeVersion, /^process:\/\//);

  up.kube.k(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'spread' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'spread' } },
        template: {
          metadata: { labels: { app: 'spread' } },
          spec: {
            terminationGracePeriodSeconds: 2,
            // Honor: a tainted (unreachable) node is no domain, so the pods may all go to node-a.
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: { app: 'spread' } } }],
            tolerations: [
              { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
              { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
            ],
            containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `sleep 3600 # ${marker}`] }],
          },
        },
      },
    }),
  });
  const spread = await eventually('4 pods Running, 2 per node', () => {
    const list = pods();
    const counts = perNode(list);
    return list.length === 4 && list.every((p) => p.phase === 'Running') && counts['node-a'] === 2 && counts['node-b'] === 2 && list;
  }, 45_000, 250);
  const rows = parseTable(up.kube.k(['get', 'pods', '-l', 'app=spread', '-o', 'wide']));
  assert.deepEqual(rows.map((r) => r['STATUS']), ['Running', 'Running', 'Running', 'Running']);
  assert.deepEqual(rows.map((r) => r['NODE']).sort(), ['node-a', 'node-a', 'node-b', 'node-b']);
  const onB = spread.filter((p) => p.node === 'node-b').map((p) => p.uid);

  // node-b's machine "dies": its agent is gone without a word.
  await stopProcess(agent!.child, 'SIGKILL');
  agent = undefined;
  await eventually('node-b NotReady', () => nodeStatus()['node-b'] === 'NotReady', 40_000, 250);
  assert.equal(nodeStatus()['node-a'], 'Ready', 'node-a keeps its Lease');
  const taints = getJson(up.kube, ['node', 'node-b']).spec.taints as { key: string; effect: string }[];
  assert.ok(taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'), JSON.stringify(taints));
  const ready = getJson(up.kube, ['node', 'node-b']).status.conditions.find((c: { type: string }) => c.type === 'Ready');
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');

  const moved = await eventually('4 live pods on node-a, node-b\'s evicted', () => {
    const list = pods();
    const live = list.filter((p) => !p.terminating);
    const evicted = list.filter((p) => onB.includes(p.uid));
    return live.length === 4 && live.every((p) => p.node === 'node-a' && p.phase === 'Running') && evicted.every((p) => p.terminating) && list;
  }, 45_000, 250);
  assert.equal(moved.filter((p) => !p.terminating && onB.includes(p.uid)).length, 0);
  const reasons = (getJson(up.kube, ['events', '--field-selector', 'reason=TaintManagerEviction'])?.items ?? []).map((e: any) => e.involvedObject.uid);
  for (const uid of onB) if (moved.some((p) => p.uid === uid)) assert.ok(reasons.includes(uid), `a TaintManagerEviction event for ${uid}`);

  // node-b comes back: its agent stops the evicted pods' containers and lets them go.
  agent = await startAgentProcess(agentArgs);
  await eventually('node-b Ready again', () => nodeStatus()['node-b'] === 'Ready', 30_000, 250);
  const settled = await eventually('the evicted pods gone', () => {
    const list = pods();
    return list.length === 4 && list.every((p) => !onB.includes(p.uid)) && list;
  }, 30_000, 250);
  assert.deepEqual(perNode(settled), { 'node-a': 4 });
});

test('strata agent killed with SIGKILL and started again re-adopts its pod: same uid, same process, no restart', async () => {
  const starts = join(marker, 'solo-starts');
  up.kube.k(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'solo' },
      spec: { nodeName: 'node-b', terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `echo x >> ${starts}; sleep 3600 # ${marker} solo`] }] },
    }),
  });
  const view = (): { uid: string; restarts: number; id: string; phase: string } | undefined => {
    const p = getJson(up.kube, ['pod', 'solo']);
    const cs = p?.status?.containerStatuses?.[0];
    return p && { uid: p.metadata.uid, restarts: cs?.restartCount, id: cs?.containerID, phase: p.status.phase };
  };
  const before = await eventually('solo Running on node-b', () => view()?.phase === 'Running' && view(), 30_000, 250);
  const pids = pidsWith(`# ${marker} solo`).sort();
  assert.ok(pids.length > 0);

  await stopProcess(agent!.child, 'SIGKILL');
  agent = await startAgentProcess(agentArgs);
  // A resync after the restart has looked at the container: the status is written again.
  await new Promise((r) => setTimeout(r, 3000));
  const after = await eventually('solo Running again', () => view()?.phase === 'Running' && view(), 30_000, 250);
  assert.deepEqual(after, before, 'the same pod and container, not restarted');
  assert.deepEqual(pidsWith(`# ${marker} solo`).sort(), pids, 'the same processes');
  assert.equal(readFileSync(starts, 'utf8'), 'x\n', 'the container started once');
  const podsOnB = (getJson(up.kube, ['pods', '--field-selector', 'spec.nodeName=node-b'])?.items ?? []).length;
  assert.equal(podsOnB, 1);
});

test('a frozen agent (SIGSTOP, as if cut off) makes its node NotReady; thawed, it reports Ready again at its next heartbeat', async () => {
  const solo = getJson(up.kube, ['pod', 'solo']);
  assert.equal(solo?.status?.phase, 'Running');
  agent!.child.kill('SIGSTOP');
  try {
    await eventually('node-b NotReady', () => nodeStatus()['node-b'] === 'NotReady', 40_000, 250);
  } finally {
    agent!.child.kill('SIGCONT');
  }
  // Its Lease and status go out within a renew interval (2 s here), not the 5 min status report.
  await eventually('node-b Ready again', () => nodeStatus()['node-b'] === 'Ready', 15_000, 250);
  const ready = getJson(up.kube, ['node', 'node-b']).status.conditions.find((c: { type: string }) => c.type === 'Ready');
  assert.equal(ready.status, 'True');
  assert.equal(ready.reason, 'KubeletReady');
  // The pod tolerates unreachable for the default 300 s: it was not evicted and never restarted.
  const after = getJson(up.kube, ['pod', 'solo']);
  assert.equal(after.metadata.uid, solo.metadata.uid);
  assert.equal(after.metadata.deletionTimestamp, undefined);
  assert.equal(after.status.containerStatuses[0].restartCount, 0);
});

test('kubectl drain cordons node-b and its agent stops the evicted pod\'s processes', async () => {
  assert.ok(pidsWith(`# ${marker} solo`).length > 0, 'solo still runs on node-b');
  const drain = up.kube.kubectl(['drain', 'node-b', '--force', '--grace-period=2', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(drain.code, 0, drain.stderr);
  assert.match(drain.stdout + drain.stderr, /evicting pod default\/solo/);
  assert.match(drain.stdout, /node\/node-b drained/);
  assert.equal(getJson(up.kube, ['pod', 'solo']), undefined, 'the evicted pod is gone');
  await eventually('solo\'s processes gone', () => pidsWith(`# ${marker} solo`).length === 0, 15_000, 250);
  assert.equal(nodeStatus()['node-b'], 'Ready,SchedulingDisabled');
});
