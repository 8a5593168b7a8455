// `strata up --runtime cri` on a private containerd (scripts/containerd.sh: its own socket,
// offline busybox images) with real kubectl: a busybox Deployment becomes available (its exec
// readiness probe runs through CRI ExecSync), `kubectl logs` reads what containerd wrote, the
// Node names containerd as its runtime, and a pod whose image cannot be pulled says
// ErrImagePull with the runtime's reason.

import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { containerdSkipReason, MISSING_IMAGE, startPrivateContainerd, type PrivateContainerd } from '../../src/node/runtime/cri/testing/private-containerd.ts';
import { eventually, freePort } from './harness.ts';
import { eventsFor, getJson, startAgentProcess, startUp, stopProcess, strataCli, type UpProcess } from './node-cluster.ts';

const NODE = 'cri-e2e';
const skip = containerdSkipReason();

test('strata up --runtime cri says so at once when nothing answers on the endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cri-none-'));
  try {
    const r = strataCli(['up', '--data-dir', dir, '--port', '0', '--runtime', 'cri', '--container-runtime-endpoint', `unix://${dir}/none.sock`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no CRI runtime answers on unix:\/\/.*none\.sock/);
    assert.doesNotMatch(r.stdout, /API server ready/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('strata up --runtime cri', { skip }, () => {
  let containerd: PrivateContainerd;
  let up: UpProcess | undefined;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-cri-e2e-'));
    containerd = await startPrivateContainerd();
    up = await startUp(join(dir, 'up'), await freePort(), ['--runtime', 'cri', '--container-runtime-endpoint', containerd.endpoint, '--node-name', NODE]);
  });

  after(async () => {
    // Ctrl-C stops the pods (their containers stop in containerd), then containerd itself goes.
    if (up) await up.stop('SIGINT');
    await containerd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the Node names containerd and its version as its runtime', () => {
    const node = getJson(up!.kube, ['node', NODE]);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/\d+\.\d+/);
    assert.equal(node.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status, 'True');
  });

  test('a busybox Deployment becomes available and kubectl logs shows its output', async () => {
    const kube = up!.kube;
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hello' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'hello' } },
        template: {
          metadata: { labels: { app: 'hello' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{
              name: 'main',
              image: 'busybox',
              command: ['sh', '-c', 'echo "hello from $(hostname) in containerd"; touch /tmp/ready; while true; do sleep 1; done'],
              // Ready only through CRI ExecSync in the container's own filesystem.
              readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
            }],
          },
        },
      },
    };
    kube.k(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
    const rollout = kube.kubectl(['rollout', 'status', 'deployment/hello', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal(rollout.code, 0, `${rollout.stdout}${rollout.stderr}`);
    const d = getJson(kube, ['deployment', 'hello']);
    assert.equal(d.status.availableReplicas, 2);

    const pods = getJson(kube, ['pods', '-l', 'app=hello']).items;
    assert.equal(pods.length, 2);
    for (const pod of pods) {
      const status = pod.status.containerStatuses[0];
      assert.equal(status.ready, true);
      assert.match(status.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
      // The container really is containerd's: ctr sees it in the CRI namespace.
      const listed = execFileSync('ctr', ['--address', containerd.endpoint.slice('unix://'.length), '--namespace', 'k8s.io', 'containers', 'ls', '-q'], { encoding: 'utf8' });
      assert.ok(listed.split('\n').includes(status.containerID.slice('containerd://'.length)), listed);
    }
    const logs = await eventually('logs of the pod', () => {
      const r = kube.kubectl(['logs', pods[0].metadata.name]);
      return r.code === 0 && r.stdout.includes('in containerd') ? r.stdout : undefined;
    }, 20_000);
    // A host-network sandbox keeps the node's hostname.
    assert.match(logs, /^hello from \S+ in containerd\n$/);
    assert.match(kube.k(['logs', 'deploy/hello']), /in containerd\n/);

    // The node's /stats/summary reads the containers' cgroups through CRI ListContainerStats.
    const summary = await eventually('stats of the hello pods', () => {
      const r = kube.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/stats/summary`]);
      if (r.code !== 0) return undefined;
      const pods = (JSON.parse(r.stdout).pods ?? []) as { podRef: { name: string }; containers?: { name: string; memory?: { workingSetBytes?: number } }[] }[];
      const hello = pods.filter((p) => p.podRef.name.startsWith('hello-'));
      return hello.length === 2 && hello.every((p) => (p.containers?.[0]?.memory?.workingSetBytes ?? 0) > 0) ? hello : undefined;
    }, 30_000);
    assert.deepEqual(summary.map((p) => p.containers![0]!.name), ['main', 'main']);
  });

  test('kubectl exec runs in the container through the runtime and returns its exit code', () => {
    const kube = up!.kube;
    const r = kube.kubectl(['exec', 'deploy/hello', '--', 'sh', '-c', 'cat /tmp/ready && echo "in $(cat /proc/1/cmdline | tr "\\0" " ")"; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    // PID 1 of the container's own PID namespace is its command, not the node's init.
    assert.match(r.stdout, /^in sh -c echo "hello from/);
    const piped = kube.kubectl(['exec', '-i', 'deploy/hello', '--', 'head', '-c', '4'], { input: 'ping-pong' });
    assert.equal(piped.stdout, 'ping');
  });

  test('a container that ends reports its exit code and termination message, and sees its volumes', async () => {
    const kube = up!.kube;
    kube.k(['create', 'configmap', 'greeting', '--from-literal=text=from a configmap']);
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once' },
      spec: {
        restartPolicy: 'Never',
        volumes: [{ name: 'cfg', configMap: { name: 'greeting' } }],
        containers: [{
          name: 'main', image: 'busybox',
          command: ['sh', '-c', 'cat /etc/greeting/text; cat /etc/greeting/text > /dev/termination-log; exit 4'],
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/greeting', readOnly: true }],
        }],
      },
    };
    kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const terminated = await eventually('once terminated', () => getJson(kube, ['pod', 'once'])?.status?.containerStatuses?.[0]?.state?.terminated, 60_000);
    assert.equal(terminated.exitCode, 4);
    assert.equal(terminated.reason, 'Error');
    assert.equal(terminated.message, 'from a configmap');
    assert.equal(getJson(kube, ['pod', 'once']).status.phase, 'Failed');
    assert.equal(kube.k(['logs', 'once']), 'from a configmap');
  });

  test('strata agent --runtime cri joins with its own containerd and runs pods there', async () => {
    const kube = up!.kube;
    // A containerd of its own: two nodes on one containerd would each see the other's pods.
    const second = await startPrivateContainerd();
    let agent: Awaited<ReturnType<typeof startAgentProcess>> | undefined;
    try {
      const token = strataCli(['token', 'create', '--ttl', '10m', '--kubeconfig', kube.kubeconfig]);
      assert.equal(token.code, 0, token.stderr);
      const ca = new X509Certificate(kube.credentials().ca);
      const pin = `sha256:${createHash('sha256').update(ca.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
      agent = await startAgentProcess(['--server', kube.url, '--discovery-token-ca-cert-hash', pin, '--token', token.stdout.trim(), '--node-name', 'cri-agent',
        '--data-dir', join(dir, 'agent'), '--runtime', 'cri', '--container-runtime-endpoint', second.endpoint]);
      const node = await eventually('cri-agent Ready', () => {
        const n = getJson(kube, ['node', 'cri-agent']);
        return n?.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready')?.status === 'True' ? n : undefined;
      }, 30_000);
      assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-agent' }, spec: { nodeName: 'cri-agent', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello-from-the-agent; sleep 3600'] }] } };
      kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
      await eventually('on-agent running', () => getJson(kube, ['pod', 'on-agent'])?.status?.phase === 'Running', 60_000);
      const logs = await eventually('logs from the agent', () => {
        const r = kube.kubectl(['logs', 'on-agent']);
        return r.code === 0 && r.stdout !== '' ? r.stdout : undefined;
      }, 20_000);
      assert.equal(logs, 'hello-from-the-agent\n');
      const id = getJson(kube, ['pod', 'on-agent']).status.containerStatuses[0].containerID.slice('containerd://'.length);
      const listed = execFileSync('ctr', ['--address', second.endpoint.slice('unix://'.length), '--namespace', 'k8s.io', 'containers', 'ls', '-q'], { encoding: 'utf8' });
      assert.ok(listed.split('\n').includes(id), 'the pod runs in the agent\'s containerd');

      // containerd goes away under the agent: its Node turns NotReady and says why.
      await second.stop();
      const notReady = await eventually('cri-agent NotReady', () => {
        const ready = getJson(kube, ['node', 'cri-agent'])?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        return ready?.status === 'False' ? ready : undefined;
      }, 40_000);
      assert.match(notReady.message, /container runtime is down/);
      assert.equal(agent.child.exitCode, null, 'the agent keeps running');
      kube.k(['delete', 'pod', 'on-agent', '--wait=false']);
    } finally {
      if (agent) await stopProcess(agent.child, 'SIGTERM');
      await second.stop();
      // Gone for good: later pods must not be scheduled to it.
      kube.kubectl(['delete', 'node', 'cri-agent', '--wait=false']);
    }
  });

  test('a pod whose image is not there fails with ErrImagePull, backs off with ImagePullBackOff, and says why', async () => {
    const kube = up!.kube;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-image' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: MISSING_IMAGE }] } };
    kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const waitingAs = (reason: string) => eventually(reason, () => {
      const w = getJson(kube, ['pod', 'no-image'])?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === reason ? w : undefined;
    }, 60_000);
    // ErrImagePull right after the failed pull (briefly), then ImagePullBackOff until the next
    // attempt, as the kubelet says it; the pull's own error is in the Failed event.
    const backOff = await waitingAs('ImagePullBackOff');
    assert.equal(backOff.message, `Back-off pulling image "${MISSING_IMAGE}"`);
    const failed = eventsFor(kube, 'no-image').find((e) => e.reason === 'Failed');
    assert.ok(failed?.message.startsWith(`Error: Failed to pull image "${MISSING_IMAGE}": `), failed?.message);
    assert.ok(eventsFor(kube, 'no-image').some((e) => e.reason === 'BackOff' && e.message === `Back-off pulling image "${MISSING_IMAGE}"`));
    assert.equal(getJson(kube, ['pod', 'no-image']).status.phase, 'Pending');
    const table = kube.k(['get', 'pod', 'no-image', '--no-headers']);
    assert.match(table, /\b(ErrImagePull|ImagePullBackOff)\b/);
    kube.k(['delete', 'pod', 'no-image', '--wait=false']);
  });

  test('after Ctrl-C and strata up again the Deployment runs again in containerd', async () => {
    const kube = up!.kube;
    const before = new Set((getJson(kube, ['pods', '-l', 'app=hello']).items as { status: { containerStatuses: { containerID: string }[] } }[]).map((p) => p.status.containerStatuses[0]!.containerID));
    assert.equal(await up!.stop('SIGINT'), 0);
    await up!.restart();
    const rollout = kube.kubectl(['rollout', 'status', 'deployment/hello', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal(rollout.code, 0, `${rollout.stdout}${rollout.stderr}`);
    const pods = await eventually('both pods ready again', () => {
      const items = getJson(kube, ['pods', '-l', 'app=hello'])?.items as { status: { containerStatuses?: { ready: boolean; containerID?: string; restartCount: number }[] } }[] | undefined;
      return items?.length === 2 && items.every((p) => p.status.containerStatuses?.[0]?.ready) ? items : undefined;
    }, 60_000);
    for (const p of pods) {
      const s = p.status.containerStatuses![0]!;
      // The stopped containers are not reused: new ones run, counted as restarts.
      assert.ok(!before.has(s.containerID!), `${s.containerID} is new`);
      assert.ok(s.restartCount >= 1);
    }
    assert.match(kube.k(['logs', 'deploy/hello']), /in containerd\n/);
  });
});
