// Logs and the node proxy with real kubectl against `strata up`: the API server streams pods/log
// from the node agent's HTTPS endpoint (port from the Node's daemonEndpoints, serving certificate
// from a kubelet-serving CSR). Covers -c, --all-containers, --tail, --since, --timestamps,
// --limit-bytes, -f, --previous, deploy/x and job/x, errors for unknown containers, older kubectl,
// `kubectl get --raw …/nodes/N/proxy/…`, and the agent turning away callers without a cluster
// client certificate.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, freePort } from './harness.ts';
import { getJson, killAllWith, startUp, type UpProcess } from './node-cluster.ts';

const NODE = 'logs-e2e';
const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

let up: UpProcess;
let dir: string;
let marker: string;
let kubeletPort: number;

/** A shell loop as a container command, tagged with the marker so leftovers can be found. */
const sh = (script: string): string[] => ['sh', '-c', script, marker];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-logs-'));
  marker = `logs-e2e-${randomBytes(4).toString('hex')}`;
  kubeletPort = await freePort();
  up = await startUp(join(dir, 'up'), await freePort(), ['--node-name', NODE, '--kubelet-port', String(kubeletPort)]);
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'chatty' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'main', image: 'busybox', command: sh('for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2; i=1; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done') },
        { name: 'side', image: 'busybox', command: sh('echo side-says-hi; while true; do sleep 1; done') },
      ],
    },
  };
  up.kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  await eventually('chatty running', () => getJson(up.kube, ['pod', 'chatty'])?.status?.phase === 'Running', 60_000);
  await eventually('chatty has logged', () => up.kube.kubectl(['logs', 'chatty', '-c', 'main']).stdout.includes('tick-1'), 20_000);
});

after(async () => {
  if (up) await up.stop('SIGINT');
  killAllWith(marker);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the Node reports the agent port and kubectl logs reads each container', () => {
  const node = getJson(up.kube, ['node', NODE]);
  assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, kubeletPort);
  const main = up.kube.k(['logs', 'chatty', '-c', 'main']);
  assert.ok(main.startsWith('line-1\nline-2\nline-3\nline-4\nline-5\n'), main);
  // stderr goes into the same log (its order against stdout depends on which pipe is read first).
  assert.match(main, /\noops\n/);
  assert.equal(up.kube.k(['logs', 'chatty', '-c', 'side']), 'side-says-hi\n');
  // Without -c kubectl picks the default (first) container and says so.
  const defaulted = up.kube.kubectl(['logs', 'chatty']);
  assert.equal(defaulted.code, 0, defaulted.stderr);
  assert.ok(defaulted.stdout.startsWith('line-1\n'));
  const all = up.kube.k(['logs', 'chatty', '--all-containers']);
  assert.match(all, /line-1\n/);
  assert.match(all, /side-says-hi\n/);
});

test('--tail, --since, --timestamps and --limit-bytes shape the output like the kubelet', () => {
  assert.equal(up.kube.k(['logs', 'chatty', '-c', 'side', '--tail=1']), 'side-says-hi\n');
  const tail2 = up.kube.k(['logs', 'chatty', '-c', 'main', '--tail=2']).split('\n').filter(Boolean);
  assert.equal(tail2.length, 2);
  assert.ok(tail2.every((l) => l.startsWith('tick-')));
  assert.equal(up.kube.k(['logs', 'chatty', '-c', 'side', '--since=1h']), 'side-says-hi\n');
  assert.equal(up.kube.k(['logs', 'chatty', '-c', 'side', '--since-time=2100-01-01T00:00:00Z']), '');
  const stamped = up.kube.k(['logs', 'chatty', '-c', 'side', '--timestamps']);
  assert.match(stamped, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z side-says-hi\n$/);
  assert.equal(up.kube.k(['logs', 'chatty', '-c', 'main', '--limit-bytes=9']), 'line-1\nli');
});

test('kubectl logs -f streams new lines as the container writes them', async () => {
  const child = up.kube.spawnKubectl(['logs', '-f', 'chatty', '-c', 'main', '--tail=1']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const ticks = await eventually('three streamed lines', () => {
      const lines = out.split('\n').filter((l) => l.startsWith('tick-'));
      return lines.length >= 4 ? lines : undefined;
    }, 20_000);
    const n = ticks.map((l) => Number(l.slice('tick-'.length)));
    for (let i = 1; i < n.length; i++) assert.equal(n[i], n[i - 1]! + 1, `consecutive ticks: ${ticks.join(',')}`);
    assert.equal(child.exitCode, null, 'still following');
  } finally {
    child.kill('SIGINT');
  }
});

test('kubectl logs -f ends once the container exits', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'brief' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: sh('echo first; sleep 2; echo last') }] } };
  up.kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  await eventually('brief started', () => ['Running', 'Succeeded'].includes(getJson(up.kube, ['pod', 'brief'])?.status?.phase), 30_000);
  const child = up.kube.spawnKubectl(['logs', '-f', 'brief']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0);
  assert.equal(out, 'first\nlast\n');
  up.kube.k(['delete', 'pod', 'brief', '--wait=false']);
});

test('errors: an unknown container, a pod with no such name', () => {
  const unknown = up.kube.kubectl(['logs', 'chatty', '-c', 'nope']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /container nope is not valid for pod chatty/);
  const missing = up.kube.kubectl(['logs', 'ghost']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /pods "ghost" not found/);
  const noPrevious = up.kube.kubectl(['logs', 'chatty', '-c', 'side', '--previous']);
  assert.notEqual(noPrevious.code, 0);
  assert.match(noPrevious.stderr, /previous terminated container "side" in pod "chatty" not found/);
});

test('--previous shows the last terminated instance of a restarting container', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crashy' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: sh('echo started-at-$(date +%s%N); sleep 1; exit 3') }] } };
  up.kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  await eventually('crashy restarted', () => (getJson(up.kube, ['pod', 'crashy'])?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000);
  const previous = await eventually('previous logs', () => {
    const r = up.kube.kubectl(['logs', 'crashy', '--previous']);
    return r.code === 0 && r.stdout.startsWith('started-at-') ? r.stdout : undefined;
  }, 20_000);
  const current = await eventually('current logs', () => {
    const r = up.kube.kubectl(['logs', 'crashy']);
    return r.code === 0 && r.stdout.startsWith('started-at-') ? r.stdout : undefined;
  }, 20_000);
  // While the container waits to restart both name the instance that just died (as upstream);
  // otherwise the previous one started before the current one.
  const startedAt = (text: string): bigint => BigInt(text.trim().slice('started-at-'.length));
  assert.ok(startedAt(previous) <= startedAt(current), `${previous} / ${current}`);
  up.kube.k(['delete', 'pod', 'crashy', '--wait=false']);
});

test('kubectl logs deploy/x and job/x find the pods behind them', async () => {
  up.kube.k(['create', 'deployment', 'greeter', '--image=busybox', '--', 'sh', '-c', 'echo hello-from-deploy; while true; do sleep 1; done', marker]);
  const deployLogs = await eventually('deployment logs', () => {
    const r = up.kube.kubectl(['logs', 'deploy/greeter']);
    return r.code === 0 && r.stdout.includes('hello-from-deploy') ? r.stdout : undefined;
  }, 60_000);
  assert.equal(deployLogs, 'hello-from-deploy\n');
  up.kube.k(['create', 'job', 'once', '--image=busybox', '--', 'sh', '-c', 'echo job-did-its-work', marker]);
  await eventually('job complete', () => (getJson(up.kube, ['job', 'once'])?.status?.succeeded ?? 0) >= 1, 60_000);
  assert.equal(up.kube.k(['logs', 'job/once']), 'job-did-its-work\n');
  up.kube.k(['delete', 'deployment', 'greeter', '--wait=false']);
});

test('older kubectl (1.27) reads logs the same way', () => {
  assert.equal(up.kube.k(['logs', 'chatty', '-c', 'side'], { binary: KUBECTL_127 }), 'side-says-hi\n');
});

test('kubectl get --raw reaches the agent through nodes/proxy', () => {
  assert.equal(up.kube.k(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/healthz`]), 'ok');
  assert.equal(up.kube.k(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/containerLogs/default/chatty/side`]), 'side-says-hi\n');
  const summary = JSON.parse(up.kube.k(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/stats/summary`]));
  assert.equal(summary.node.nodeName, NODE);
  const pods = JSON.parse(up.kube.k(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/pods`]));
  assert.ok(pods.items.some((p: { metadata: { name: string } }) => p.metadata.name === 'chatty'));
  const missing = up.kube.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/no-such-thing`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFound/);
});

function agentStatus(opts: { cert?: Buffer; key?: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: kubeletPort, path: '/containerLogs/default/chatty/side', ca: up.kube.credentials().ca, ...opts }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the agent answers only callers with a cluster client certificate', async () => {
  assert.equal(await agentStatus({}), 401);
  const { cert, key } = up.kube.credentials();
  assert.equal(await agentStatus({ cert, key }), 200);
});
