// Logs and exec from a node that joined with `strata agent` (its own process, its own data dir):
// the agent gets its serving certificate through a CSR made with its own node credential, and
// the API server reaches it over HTTPS at the address and port the Node reports.

import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, freePort } from './harness.ts';
import { getJson, killAllWith, startAgentProcess, startUp, stopProcess, strataCli, type AgentProcess, type UpProcess } from './node-cluster.ts';

let up: UpProcess;
let agent: AgentProcess | undefined;
let dir: string;
let marker: string;
let agentPort: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-logs-joined-'));
  marker = `logs-joined-${randomBytes(4).toString('hex')}`;
  up = await startUp(join(dir, 'a'), await freePort(), ['--node-name', 'node-a']);
  const token = strataCli(['token', 'create', '--ttl', '10m', '--kubeconfig', up.kube.kubeconfig]);
  assert.equal(token.code, 0, token.stderr);
  const ca = new X509Certificate(up.kube.credentials().ca);
  const pin = `sha256:${createHash('sha256').update(ca.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
  agentPort = await freePort();
  agent = await startAgentProcess(['--server', up.kube.url, '--discovery-token-ca-cert-hash', pin, '--node-name', 'node-b', '--data-dir', join(dir, 'b'), '--kubelet-port', String(agentPort), '--token', token.stdout.trim()]);
});

after(async () => {
  if (agent) await stopProcess(agent.child, 'SIGTERM');
  if (up) await up.stop('SIGINT');
  killAllWith(marker);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('kubectl logs and exec reach a pod on a joined node through its agent', async () => {
  await eventually('node-b reports its agent port', () => getJson(up.kube, ['node', 'node-b'])?.status?.daemonEndpoints?.kubeletEndpoint?.Port === agentPort, 30_000);
  const csrs = getJson(up.kube, ['csr']).items as { spec: { signerName: string; username: string }; status: { certificate?: string } }[];
  const serving = csrs.filter((c) => c.spec.signerName === 'kubernetes.io/kubelet-serving');
  assert.ok(serving.some((c) => c.spec.username === 'system:node:node-b' && c.status.certificate), 'node-b has a signed serving certificate');

  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-b' },
    spec: { nodeName: 'node-b', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello-from-node-b; while true; do sleep 1; done', marker] }] },
  };
  up.kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  await eventually('on-b running', () => getJson(up.kube, ['pod', 'on-b'])?.status?.phase === 'Running', 60_000);
  const logs = await eventually('logs from node-b', () => {
    const r = up.kube.kubectl(['logs', 'on-b']);
    return r.code === 0 && r.stdout !== '' ? r.stdout : undefined;
  }, 20_000);
  assert.equal(logs, 'hello-from-node-b\n');
  const exec = up.kube.kubectl(['exec', 'on-b', '--', 'sh', '-c', 'echo exec-on-b']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.equal(exec.stdout, 'exec-on-b\n');
  assert.equal(up.kube.k(['get', '--raw', '/api/v1/nodes/node-b/proxy/healthz']), 'ok');
  up.kube.k(['delete', 'pod', 'on-b', '--wait=false']);
});
