// Join end to end in-process: a bootstrap token authenticates as system:bootstrap:<id>, the
// agent's CSR is approved and signed by the certificate controllers, and the issued certificate
// authenticates as system:node:<name>; the node registers and heartbeats with it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { startControlPlane } from '../../apiserver/index.ts';
import { bootstrapTokenSecret, formatBootstrapToken, generateBootstrapToken } from '../../apiserver/filters/bootstrap-token.ts';
import { RestClient, restLeaseClient, SharedInformerFactory, type Lease } from '../../client/index.ts';
import { CONTROLLERS, ControllerManager, defaultControllers } from '../../controllers/index.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { MemoryStore } from '../../store/index.ts';
import { caCertHash } from './bootstrap-ca-pin.ts';
import { ensureCredential } from './bootstrap.ts';
import { NodeHeartbeat } from './heartbeat.ts';
import { machineReader } from './machine.ts';
import { DEFAULT_RESOURCE_CONFIG } from './machine-status.ts';
import { machineAddresses, registerNode, type NodeFacts } from './registration.ts';

const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system' } as const;
const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;

async function whoami(client: RestClient): Promise<{ username: string; groups: string[] }> {
  const review = await client.request<{ status: { userInfo: { username: string; groups: string[] } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  return review.status.userInfo;
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (isStatusError(err)) return err.status.code ?? 0;
    throw err;
  }
}

test('join: bootstrap token → CSR approved and signed → node identity → registration and Lease', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-join-'));
  const logger = pino({ level: process.env['STRATA_TEST_LOG'] ?? 'silent' });
  const cp = await startControlPlane({
    dataDir: join(dir, 'server'), bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
    maxInflight: 1000, version: 'v1.33.0', logger, openStore: async () => new MemoryStore(),
  });
  const local = cp.localClient();
  const keep = ['csrapproving', 'csrsigning'];
  const manager = new ControllerManager({
    identity: 'join-test',
    leases: restLeaseClient(local),
    informers: () => new SharedInformerFactory(local),
    controllers: defaultControllers({ client: local, caPem: cp.pki.caCertPem, caKeyPem: cp.pki.caKeyPem, disabled: CONTROLLERS.map((c) => c.name).filter((n) => !keep.includes(n)), logger }),
    logger,
  });
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  const admin = await RestClient.fromKubeconfig(cp.kubeconfigPath);
  const clients: RestClient[] = [admin];
  t.after(async () => {
    ac.abort();
    await running;
    for (const c of clients) c.close();
    local.close();
    await cp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const token = generateBootstrapToken();
  await admin.create(SECRETS, bootstrapTokenSecret(token, { ttlMs: 3_600_000, now: new Date() }));
  const tokenClient = new RestClient({ server: cp.url, caPem: cp.pki.caCertPem, token: formatBootstrapToken(token) });
  clients.push(tokenClient);
  const bootstrapUser = await whoami(tokenClient);
  assert.equal(bootstrapUser.username, `system:bootstrap:${token.id}`);
  assert.ok(bootstrapUser.groups.includes('system:bootstrappers'));

  const agentDir = join(dir, 'agent');
  await assert.rejects(
    ensureCredential({ server: cp.url, nodeName: 'n1', dataDir: agentDir, token: formatBootstrapToken(token), caCertHash: `sha256:${'0'.repeat(64)}`, logger }),
    /does not match --discovery-token-ca-cert-hash/,
  );
  const credential = await ensureCredential({ server: cp.url, nodeName: 'n1', dataDir: agentDir, token: formatBootstrapToken(token), caCertHash: caCertHash(cp.pki.caCertPem), logger });
  assert.equal(credential.reused, false);
  const nodeClient = new RestClient(credential.config);
  clients.push(nodeClient);
  const nodeUser = await whoami(nodeClient);
  assert.equal(nodeUser.username, 'system:node:n1');
  assert.ok(nodeUser.groups.includes('system:nodes'));
  assert.notEqual(credential.config.certPem, (await RestClient.fromKubeconfig(cp.kubeconfigPath).then((c) => { clients.push(c); return c.config.certPem; })));

  const csrs = await admin.list<KubeObject>(CSRS);
  assert.equal(csrs.items.length, 1);
  const csr = csrs.items[0]!;
  const spec = csr['spec'] as { username: string; groups: string[] };
  assert.equal(spec.username, `system:bootstrap:${token.id}`, 'the server records the requester');
  const conditions = (csr['status'] as { conditions: { type: string; reason: string }[] }).conditions;
  assert.deepEqual(conditions.map((c) => [c.type, c.reason]), [['Approved', 'AutoApproved']]);

  // The requester is whoever authenticated, whatever the client claims.
  const spoofed = await admin.create<KubeObject>(CSRS, { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'spoofed' },
    spec: { request: (csr['spec'] as { request: string }).request, signerName: 'example.com/none', usages: ['client auth'], username: 'system:bootstrap:evil', groups: ['system:bootstrappers'] } });
  assert.notEqual((spoofed['spec'] as { username: string }).username, 'system:bootstrap:evil');
  assert.ok(!(spoofed['spec'] as { groups: string[] }).groups.includes('system:bootstrappers'));
  await admin.delete({ ...CSRS, name: 'spoofed' });

  // A restart reuses the certificate: no token needed, no second CSR.
  const again = await ensureCredential({ server: cp.url, nodeName: 'n1', dataDir: agentDir, logger });
  assert.equal(again.reused, true);
  assert.equal((await admin.list(CSRS)).items.length, 1);

  // Near expiry the node renews with its own certificate: a second CSR, requested by the node.
  const renewed = await ensureCredential({ server: cp.url, nodeName: 'n1', dataDir: agentDir, renewBeforeMs: 400 * 86_400_000, logger });
  assert.equal(renewed.renewed, true);
  assert.notEqual(renewed.config.certPem, credential.config.certPem);
  const all = (await admin.list<KubeObject>(CSRS)).items;
  assert.equal(all.length, 2);
  assert.ok(all.some((c) => (c['spec'] as { username: string }).username === 'system:node:n1'));
  const renewedClient = new RestClient(renewed.config);
  clients.push(renewedClient);
  assert.equal((await whoami(renewedClient)).username, 'system:node:n1');

  // Registration and heartbeat with the node's own credential.
  const reader = machineReader(agentDir);
  const identity = await reader.identity();
  const facts = async (): Promise<NodeFacts> => ({
    name: 'n1', identity, machine: await reader.snapshot(), resources: DEFAULT_RESOURCE_CONFIG, containerRuntimeVersion: 'sim://test',
    addresses: machineAddresses('n1'), ready: { ready: true }, now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const node = await registerNode(nodeClient, await facts());
  const heartbeat = new NodeHeartbeat({ client: nodeClient, nodeName: 'n1', facts });
  heartbeat.registered(node);
  const first = await heartbeat.renewLease();
  await new Promise((r) => setTimeout(r, 20));
  const second = await heartbeat.renewLease();
  assert.ok(second.spec?.renewTime !== undefined && second.spec.renewTime > (first.spec?.renewTime ?? ''));
  const lease = await admin.get<Lease>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name: 'n1' });
  assert.equal(lease.metadata.ownerReferences?.[0]?.uid, node.metadata.uid);
  assert.equal(await heartbeat.syncStatus(), false, 'unchanged conditions are not re-posted before the report interval');
  const stored = await admin.get({ group: '', version: 'v1', resource: 'nodes', name: 'n1' });
  const st = stored['status'] as { capacity: Record<string, string>; conditions: { type: string; status: string }[]; nodeInfo: Record<string, string> };
  assert.equal(st.capacity['cpu'], String(cpus().length));
  assert.equal(st.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(st.nodeInfo['kubeletVersion'], 'v1.33.0-strata');
  // Registering again (agent restart) takes the Node over instead of failing.
  assert.equal((await registerNode(nodeClient, await facts())).metadata.uid, node.metadata.uid);

  // Without a pin the agent refuses, unless told to trust the presented CA blindly.
  await assert.rejects(ensureCredential({ server: cp.url, nodeName: 'n3', dataDir: join(dir, 'agent3'), token: formatBootstrapToken(token), logger }), /--discovery-token-ca-cert-hash is required/);
  const unpinned = await ensureCredential({ server: cp.url, nodeName: 'n3', dataDir: join(dir, 'agent3'), token: formatBootstrapToken(token), unsafeSkipCaVerification: true, logger });
  assert.equal(unpinned.config.caPem?.trim(), cp.pki.caCertPem.trim());

  // Revocation and expiry: the token stops authenticating.
  const expired = generateBootstrapToken();
  await admin.create(SECRETS, bootstrapTokenSecret(expired, { ttlMs: 1000, now: new Date(Date.now() - 60_000) }));
  const expiredClient = new RestClient({ server: cp.url, caPem: cp.pki.caCertPem, token: formatBootstrapToken(expired) });
  clients.push(expiredClient);
  assert.equal(await status(whoami(expiredClient)), 401);
  await admin.delete({ ...SECRETS, name: `bootstrap-token-${token.id}` });
  assert.equal(await status(whoami(tokenClient)), 401);
  await assert.rejects(
    ensureCredential({ server: cp.url, nodeName: 'n2', dataDir: join(dir, 'agent2'), token: formatBootstrapToken(token), caCertHash: caCertHash(cp.pki.caCertPem), logger }),
    /rejected the join token/,
  );
});
