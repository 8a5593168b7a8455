// `strata agent` joins a cluster black-box: `strata server` prints a join command on first start,
// `strata token create` makes a token, and the agent (a child process) gets its own certificate
// through a CSR, registers its Node with the machine's real capacity, renews its Lease, and on
// restart reuses its certificate. A wrong token fails with a clear message.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { eventually, REPO, startStrata, waitForExit } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;
const MAIN = join(REPO, 'src/cmd/main.ts');

let strata: Strata;
let work: string;
const children: ChildProcess[] = [];

before(async () => {
  strata = await startStrata();
  work = mkdtempSync(join(tmpdir(), 'strata-agent-e2e-'));
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await strata?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

function strataCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function startAgent(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN, 'agent', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function nodeJson(name: string): Record<string, any> | undefined {
  const r = strata.kubectl(['get', 'node', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

test('strata server prints a join command; an agent joins with a created token and reuses its certificate', async () => {
  const printed = await eventually('the join command', () => /strata agent --server (\S+) --token ([a-z0-9]{6}\.[a-z0-9]{16}) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(strata.log));
  const [, server, printedToken, caHash] = printed as unknown as [string, string, string, string];
  assert.equal(server, strata.url);
  // The printed token is a real one (kubectl sees its Secret).
  assert.equal(strata.kubectl(['-n', 'kube-system', 'get', 'secret', `bootstrap-token-${printedToken.split('.')[0]}`]).code, 0);

  const created = strataCli(['token', 'create', '--ttl', '1h', '--kubeconfig', strata.kubeconfig]);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  const listed = strataCli(['token', 'list', '--kubeconfig', strata.kubeconfig]);
  assert.ok(listed.stdout.includes(token.split('.')[0]!) && !listed.stdout.includes(token.split('.')[1]!), 'list shows ids, never secrets');

  const dataDir = join(work, 'n1');
  const agentArgs = ['--server', server, '--discovery-token-ca-cert-hash', caHash, '--node-name', 'n1', '--data-dir', dataDir, '--runtime', 'sim', '--kubelet-port', '0'];
  const first = startAgent([...agentArgs, '--token', token]);
  await eventually('the agent to join', () => first.output().includes('joined') || first.child.exitCode !== null, 30_000);
  assert.match(first.output(), /node n1 joined/, first.output());

  const node = await eventually('node n1 Ready', () => {
    const n = nodeJson('n1');
    return n?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ? n : undefined;
  });
  assert.equal(node.status.capacity.cpu, String(cpus().length));
  assert.match(node.status.capacity.memory, /^\d+Ki$/);
  assert.ok(Number(node.status.capacity.memory.slice(0, -2)) > 0);
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'n1');
  assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.33.0-strata');
  assert.match(node.status.nodeInfo.containerRuntimeVersion, /^sim:\/\//);
  const table = strata.k(['get', 'nodes']);
  assert.match(table, /^n1\s+Ready\s/m);

  // The agent's kubeconfig is its own: a node certificate, not the admin's.
  const kubeconfig = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as { users: { user: Record<string, string> }[] };
  const certPem = Buffer.from(kubeconfig.users[0]!.user['client-certificate-data']!, 'base64').toString();
  const cert = new X509Certificate(certPem);
  assert.ok(cert.subject.split('\n').includes('CN=system:node:n1'), cert.subject);
  assert.ok(cert.subject.split('\n').includes('O=system:nodes'), cert.subject);
  assert.notEqual(certPem, strata.credentials().cert.toString());

  // The Lease renews (every 10 s).
  const renewTime = (): string | undefined => {
    const r = strata.kubectl(['-n', 'kube-node-lease', 'get', 'lease', 'n1', '-o', 'jsonpath={.spec.renewTime}']);
    return r.code === 0 && r.stdout !== '' ? r.stdout : undefined;
  };
  const firstRenew = await eventually('the node Lease', renewTime);
  await eventually('a Lease renewal', () => (renewTime() ?? firstRenew) > firstRenew, 25_000, 500);

  // One CSR for the client certificate, one for the agent's serving certificate (port 10250).
  const csrCount = (signer = 'kubernetes.io/kube-apiserver-client-kubelet'): number =>
    JSON.parse(strata.k(['get', 'csr', '-o', 'json'])).items.filter((c: { spec: { signerName: string } }) => c.spec.signerName === signer).length;
  assert.equal(csrCount(), 1);
  assert.equal(csrCount('kubernetes.io/kubelet-serving'), 1);

  // Restart without a token: the certificate is reused, no second CSR.
  await stop(first.child);
  const second = startAgent(agentArgs);
  await eventually('the agent to rejoin', () => second.output().includes('joined') || second.child.exitCode !== null, 30_000);
  assert.match(second.output(), /reused/, second.output());
  assert.equal(csrCount(), 1);
  assert.equal(csrCount('kubernetes.io/kubelet-serving'), 1, 'the serving certificate is reused too');
  await stop(second.child);
});

test('a wrong token fails with a clear error', async () => {
  const caHash = /--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(strata.log)?.[1];
  assert.ok(caHash);
  const bad = startAgent(['--server', strata.url, '--token', 'zzzzzz.zzzzzzzzzzzzzzzz', '--discovery-token-ca-cert-hash', caHash, '--node-name', 'bad', '--data-dir', join(work, 'bad'), '--runtime', 'sim']);
  const result = await waitForExit(bad.child);
  assert.notEqual(result.code, 0);
  assert.match(bad.output(), /rejected the join token/);
  assert.equal(nodeJson('bad'), undefined);

  const wrongPin = startAgent(['--server', strata.url, '--token', 'zzzzzz.zzzzzzzzzzzzzzzz', '--discovery-token-ca-cert-hash', `sha256:${'1'.repeat(64)}`, '--node-name', 'bad', '--data-dir', join(work, 'bad2'), '--runtime', 'sim']);
  assert.notEqual((await waitForExit(wrongPin.child)).code, 0);
  assert.match(wrongPin.output(), /does not match --discovery-token-ca-cert-hash/);
});
