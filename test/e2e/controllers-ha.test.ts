// The controller manager as separate processes (`strata controllers`) against one
// `strata server --disable-controllers`:
// - leader election: two managers, only the Lease holder acts (every Event names it as
//   reportingInstance); SIGKILL the leader and the other takes over within the lease duration;
// - restart safety: a rollout of 50 replicas while the manager is SIGKILLed at random points and
//   restarted; no sample ever sees more pods than replicas + maxSurge, and the rollout completes
//   with exactly 50 pods of the new template.
// A PodDriver (test/support) binds pods and marks them Running/Ready in place of nodes.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { PodDriver } from '../support/pod-driver.ts';
import { eventually, type KubectlResult, REPO, startStrata, waitForExit } from './harness.ts';
import { seededRandom } from './prng.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const LEASE = ['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'];
const LEASE_MS = 3000;

interface ManagerProcess {
  child: ChildProcess;
  identity: Promise<string>;
}

/** Starts `strata controllers`; its identity is read from its first structured log line naming one. */
function startManager(kubeconfig: string): ManagerProcess {
  const child = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'controllers', '--kubeconfig', kubeconfig, '--log-level', 'info', ...LEASE], { stdio: ['ignore', 'ignore', 'pipe'] });
  const identity = new Promise<string>((resolve, reject) => {
    let buffered = '';
    // The log goes to stderr.
    child.stderr?.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const id = (JSON.parse(line) as { identity?: string }).identity;
          if (id) resolve(id);
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`strata controllers exited (${code}) before logging its identity`)));
  });
  identity.catch(() => undefined);
  return { child, identity };
}

async function kill(p: ManagerProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}

const deployment = (name: string, replicas: number, image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: web, image: ${image}}]}
`;

describe('controller managers as separate processes', { timeout: 240_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let driver: PodDriver;
  const managers: ManagerProcess[] = [];

  before(async () => {
    s = await startStrata(['--disable-controllers']);
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    driver = new PodDriver(client, { bind: false, readyDelayMs: 50 });
    await driver.start();
  });
  after(async () => {
    for (const m of managers) await kill(m);
    await driver?.stop();
    client?.close();
    await s?.cleanup();
  });

  // kubectl commands that wait on pods run in the background: the PodDriver lives in this process.
  const kubectlAsync = (args: string[], timeoutMs = 150_000): Promise<KubectlResult> => waitForExit(s.spawnKubectl(args), timeoutMs);
  const rolloutStatus = async (name: string): Promise<void> => {
    const r = await kubectlAsync(['rollout', 'status', `deployment/${name}`, '--timeout=120s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /successfully rolled out/);
  };

  const holder = (): string | undefined => {
    const r = s.kubectl(['get', 'lease', 'strata-controller-manager', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
    return r.code === 0 && r.stdout ? r.stdout : undefined;
  };

  const reportingInstances = (name: string): Set<string> => {
    // The controller manager's Events (about Deployments and ReplicaSets); the scheduler, a
    // separate component, reports on pods with its own identity.
    const out = s.k(['get', 'events', '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}{"\\t"}{.involvedObject.name}{"\\t"}{.reportingInstance}{"\\n"}{end}']);
    const rows = out.split('\n').map((l) => l.split('\t'));
    return new Set(rows.filter(([kind, obj]) => (kind === 'Deployment' || kind === 'ReplicaSet') && obj?.startsWith(name)).map((r) => r[2] ?? ''));
  };

  test('two managers: only the Lease holder acts; when it is killed the other takes over within the lease duration', async () => {
    const a = startManager(s.kubeconfig);
    managers.push(a);
    const idA = await a.identity;
    await eventually('manager A to lead', () => holder() === idA);
    const b = startManager(s.kubeconfig);
    managers.push(b);
    const idB = await b.identity;
    assert.notEqual(idA, idB);

    s.k(['apply', '-f', '-'], { input: deployment('ha', 3, 'nginx:1.27') });
    await rolloutStatus('ha');
    await eventually('events about ha', () => reportingInstances('ha').size > 0);
    assert.deepEqual([...reportingInstances('ha')], [idA], 'every Event comes from the leader');
    assert.equal(holder(), idA, 'B stays a follower while A renews');

    await kill(a);
    const killedAt = Date.now();
    await eventually('manager B to take over', () => holder() === idB, LEASE_MS + 10_000);
    const takeover = Date.now() - killedAt;
    assert.ok(takeover <= LEASE_MS + 2500, `took over after ${takeover} ms (lease ${LEASE_MS} ms)`);

    s.k(['scale', 'deployment/ha', '--replicas=5']);
    await rolloutStatus('ha');
    await eventually('events from B', () => reportingInstances('ha').has(idB));
    assert.ok([...reportingInstances('ha')].every((id) => id === idA || id === idB));
    await kill(b);
  });

  test('restart safety: SIGKILL the manager at random points of a 50-replica rollout; no extra pods, the rollout completes', async () => {
    const random = seededRandom(Number(process.env['STRATA_SEED'] ?? 20261124));
    let m = startManager(s.kubeconfig);
    managers.push(m);
    s.k(['apply', '-f', '-'], { input: deployment('safe', 50, 'nginx:1.27') });
    await rolloutStatus('safe');

    // Sample the pod count all along: a double-create shows up as more than replicas + maxSurge.
    let maxSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await client.list({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, { labelSelector: 'app=safe' });
        maxSeen = Math.max(maxSeen, pods.items.filter((p) => !p.metadata.deletionTimestamp).length);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    s.k(['set', 'image', 'deployment/safe', 'web=nginx:1.28']);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 1500)));
      await kill(m);
      m = startManager(s.kubeconfig);
      managers.push(m);
    }
    await rolloutStatus('safe').finally(() => (sampling = false));
    await sampler;

    const pods = await client.list({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, { labelSelector: 'app=safe' });
    const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(live.length, 50, 'exactly the replicas remain');
    const images = new Set(live.map((p) => ((p['spec'] as { containers: { image: string }[] }).containers[0]?.image)));
    assert.deepEqual([...images], ['nginx:1.28']);
    assert.ok(maxSeen <= 50 + 13, `at most replicas + maxSurge pods at any time (saw ${maxSeen})`);
    const rs = JSON.parse(s.k(['get', 'rs', '-l', 'app=safe', '-o', 'json'])) as { items: { spec: { replicas: number } }[] };
    assert.deepEqual(rs.items.map((r) => r.spec.replicas).sort((x, y) => x - y), [0, 50], 'one new ReplicaSet at 50, the old one at 0');
    await kill(m);
  });
});
