// The agent's HTTPS endpoint with a real control plane and the process runtime: the serving
// certificate comes through a kubelet-serving CSR, pods/log streams through the API server from
// the agent's containerLogs route, only cluster-CA client certificates get in, nodes/proxy relays
// plain requests, and exec/attach/portforward upgrades are tunnelled (here to a test echo route).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { pino } from 'pino';
import { startControlPlane, type ControlPlane } from '../../apiserver/index.ts';
import { createCertificateAuthority, issueCertificate } from '../../apiserver/pki/certificates.ts';
import { restLeaseClient, SharedInformerFactory, type RestClient } from '../../client/index.ts';
import { CONTROLLERS, ControllerManager, defaultControllers } from '../../controllers/index.ts';
import { MemoryStore } from '../../store/index.ts';
import { podManagerFor, startAgent, type RunningAgent } from '../../cmd/agent.ts';
import { until } from '../../../test/support/cluster.ts';
import type { AgentRoute } from './routes.ts';
import { ensureServingCertificate, servingCertPaths } from './serving-cert.ts';

const NODE = 'logs-node';
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
const logger = pino({ level: process.env['STRATA_TEST_LOG'] ?? 'silent' });

let dir: string;
let cp: ControlPlane;
let local: RestClient;
let agent: RunningAgent;
const ac = new AbortController();
let running: Promise<void>;

/** A stand-in for the streaming engineer's exec route: switches protocols, then echoes. */
const echoExec: AgentRoute = {
  prefix: 'exec',
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, parts: string[]) {
    const proto = req.headers['upgrade'] ?? '';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${proto}\r\nX-Echo-Path: ${parts.join('/')}\r\nX-Echo-Query: ${new URL(req.url ?? '/', 'https://x').searchParams.get('command') ?? ''}\r\n\r\n`);
    if (head.length) socket.write(head);
    socket.pipe(socket);
  },
};

/** Echoes the method and body of plain requests (nodes/proxy relays them as they are). */
const echoHttp: AgentRoute = {
  prefix: 'echo',
  async http(req, res) {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    res.writeHead(201, { 'content-type': 'text/plain' });
    res.end(`${req.method} ${Buffer.concat(chunks).toString()}`);
  },
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-agent-server-'));
  cp = await startControlPlane({
    dataDir: join(dir, 'server'), bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
    maxInflight: 1000, version: 'v1.33.0', logger, openStore: async () => new MemoryStore(),
  });
  local = cp.localClient();
  const manager = new ControllerManager({
    identity: 'agent-server-test',
    leases: restLeaseClient(local),
    informers: () => new SharedInformerFactory(local),
    controllers: defaultControllers({ client: local, caPem: cp.pki.caCertPem, caKeyPem: cp.pki.caKeyPem, disabled: CONTROLLERS.map((c) => c.name).filter((n) => !n.startsWith('csr')), logger }),
    logger,
  });
  running = manager.run(ac.signal);
  agent = await startAgent({
    server: cp.url,
    client: cp.localClient({ username: `system:node:${NODE}`, groups: ['system:nodes', 'system:authenticated'] }),
    nodeName: NODE, dataDir: join(dir, 'agent'), runtime: 'process', logger, renewIntervalMs: 500,
    podManager: podManagerFor({ stopContainersOnStop: { maxGraceSeconds: 2 } }),
    kubeletPort: 0,
    extraRoutes: [echoExec, echoHttp],
  });
  await local.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'two', namespace: 'default' },
    spec: {
      nodeName: NODE, automountServiceAccountToken: false, terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'a', image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo a-$i; done; i=6; while true; do echo a-$i; i=$((i+1)); sleep 0.2; done'] },
        { name: 'b', image: 'busybox', command: ['sh', '-c', 'echo b-out; echo b-err >&2; sleep 3600'] },
      ],
    },
  });
  await until('pod two running', async () => ((await local.get({ ...PODS, name: 'two' }))['status'] as { phase?: string }).phase === 'Running', 30_000);
});

after(async () => {
  await local.delete({ ...PODS, name: 'two' }, { gracePeriodSeconds: 0 }).catch(() => undefined);
  await agent?.stop();
  ac.abort();
  await running;
  local.close();
  await cp.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

function call(port: number, path: string, opts: RequestOptions & { body?: string } = {}, maxMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca: cp.pki.caCertPem, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(maxMs, () => req.destroy(new Error(`timed out: ${path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

const admin = (): RequestOptions => ({ cert: cp.pki.adminCertPem, key: cp.pki.adminKeyPem });
const apiPort = (): number => Number(new URL(cp.url).port);
const api = (path: string, opts: RequestOptions & { body?: string } = {}): Promise<Answer> => call(apiPort(), path, { ...admin(), ...opts });

test('the agent serves with a kubelet-serving certificate from the cluster CA and reports its port', async () => {
  const node = await local.get({ group: '', version: 'v1', resource: 'nodes', name: NODE });
  const port = (node['status'] as { daemonEndpoints: { kubeletEndpoint: { Port: number } } }).daemonEndpoints.kubeletEndpoint.Port;
  assert.equal(port, agent.kubeletPort);
  assert.ok(port > 0);
  const csrs = await local.list({ group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' });
  assert.ok(csrs.items.some((c) => (c['spec'] as { signerName: string }).signerName === 'kubernetes.io/kubelet-serving'));
  const { readFile } = await import('node:fs/promises');
  const cert = new X509Certificate(await readFile(servingCertPaths(join(dir, 'agent')).cert));
  assert.equal(cert.subject, 'CN=system:node:logs-node\nO=system:nodes');
  assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.equal((await call(port, '/healthz', admin())).body, 'ok');
  // A later start reuses the certificate in the data dir: no new CSR.
  const again = await ensureServingCertificate({ client: agent.client, nodeName: NODE, dataDir: join(dir, 'agent'), names: [NODE, '127.0.0.1'] });
  assert.equal(again.reused, true);
});

test('only client certificates from the cluster CA get into the agent', async () => {
  const port = agent.kubeletPort as number;
  assert.equal((await call(port, '/containerLogs/default/two/a')).status, 401, 'anonymous');
  const otherCa = await createCertificateAuthority('other-ca', 1, new Date());
  const stranger = await issueCertificate(otherCa, { commonName: 'admin', organizations: ['system:masters'], usage: 'client', days: 1, now: new Date() });
  assert.equal((await call(port, '/healthz', { cert: stranger.certPem, key: stranger.keyPem })).status, 401, 'foreign CA');
  const alice = await cp.pki.issueClientCertificate('alice', [], 1);
  // Not a master: decided by a SubjectAccessReview (this cluster's authorizer allows the authenticated).
  assert.equal((await call(port, '/healthz', { cert: alice.certPem, key: alice.keyPem })).status, 200);
  assert.equal((await call(port, '/nothing-here', admin())).status, 404);
});

test('pods/log streams a container log through the API server with the kubelet options', async () => {
  const base = '/api/v1/namespaces/default/pods/two/log';
  const all = await api(`${base}?container=a`);
  assert.equal(all.status, 200);
  assert.match(String(all.headers['content-type']), /^text\/plain/);
  assert.ok(all.body.startsWith('a-1\na-2\na-3\na-4\na-5\n'), all.body);
  const b = await api(`${base}?container=b`);
  assert.equal(b.body.split('\n').filter(Boolean).sort().join(','), 'b-err,b-out', 'stdout and stderr both');
  const tail = await api(`${base}?container=b&tailLines=1`);
  assert.equal(tail.body.split('\n').filter(Boolean).length, 1);
  const stamped = await api(`${base}?container=b&timestamps=true`);
  assert.match(stamped.body, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z b-/);
  assert.equal((await api(`${base}?container=a&limitBytes=6`)).body, 'a-1\na-');
  assert.equal((await api(`${base}?container=b&sinceTime=2100-01-01T00:00:00Z`)).body, '');
});

test('pods/log -f keeps streaming as the container writes, until the caller goes away', async () => {
  const lines = await new Promise<string[]>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: apiPort(), path: '/api/v1/namespaces/default/pods/two/log?container=a&follow=true&tailLines=1', ca: cp.pki.caCertPem, ...admin() }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        const got = text.split('\n').filter(Boolean);
        // Three lines arrive one after another: the stream is live, not a snapshot.
        if (got.length >= 3) {
          req.destroy();
          resolve(got);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => reject(err));
    req.setTimeout(10_000, () => req.destroy(new Error('follow did not stream')));
    req.end();
  });
  const numbers = lines.map((l) => Number(l.replace('a-', '')));
  assert.deepEqual(numbers, [numbers[0]!, numbers[0]! + 1, numbers[0]! + 2]);
});

test('pods/log refuses what upstream refuses, with Status errors', async () => {
  const base = '/api/v1/namespaces/default/pods/two/log';
  const noContainer = await api(base);
  assert.equal(noContainer.status, 400);
  assert.equal(JSON.parse(noContainer.body).message, 'a container name must be specified for pod two, choose one of: [a b]');
  const unknown = await api(`${base}?container=zzz`);
  assert.equal(unknown.status, 400);
  assert.equal(JSON.parse(unknown.body).message, 'container zzz is not valid for pod two');
  const negative = await api(`${base}?container=a&tailLines=-1`);
  assert.equal(negative.status, 422);
  assert.equal(JSON.parse(negative.body).details.causes[0].field, 'tailLines');
  const previous = await api(`${base}?container=a&previous=true`);
  assert.equal(previous.status, 400);
  assert.match(JSON.parse(previous.body).message, /previous terminated container "a" in pod "two" not found/);
  assert.equal((await api('/api/v1/namespaces/default/pods/nope/log')).status, 404);
});

test('nodes/proxy relays plain requests to the agent', async () => {
  const ok = await api(`/api/v1/nodes/${NODE}/proxy/healthz`);
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'ok');
  const logs = await api(`/api/v1/nodes/${NODE}/proxy/containerLogs/default/two/b?tailLines=1`);
  assert.equal(logs.status, 200);
  assert.equal(logs.body.split('\n').filter(Boolean).length, 1);
  assert.equal((await api('/api/v1/nodes/ghost/proxy/healthz')).status, 404);
  const posted = await api(`/api/v1/nodes/${NODE}/proxy/echo`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
  assert.deepEqual([posted.status, posted.body], [201, 'POST payload']);
  const pods = JSON.parse((await api(`/api/v1/nodes/${NODE}/proxy/pods`)).body);
  assert.equal(pods.kind, 'PodList');
  assert.deepEqual(pods.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['two']);
});

function upgrade(path: string, method: string, headers: Record<string, string>): Promise<{ res: IncomingMessage; socket?: Duplex }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: apiPort(), path, method, ca: cp.pki.caCertPem, ...admin(), headers: { connection: 'Upgrade', 'content-length': '0', ...headers } });
    req.on('upgrade', (res, socket) => resolve({ res, socket }));
    req.on('response', (res) => {
      res.resume();
      resolve({ res });
    });
    req.on('error', reject);
    req.end();
  });
}

async function echoes(socket: Duplex, text: string): Promise<string> {
  socket.write(text);
  const got = await new Promise<string>((resolve) => socket.once('data', (c: Buffer) => resolve(c.toString())));
  socket.destroy();
  return got;
}

test('exec upgrades are tunnelled to the agent: WebSocket GETs and SPDY POSTs', async () => {
  const ws = await upgrade('/api/v1/namespaces/default/pods/two/exec?container=b&command=ls&stdout=true', 'GET', {
    upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', 'sec-websocket-protocol': 'v5.channel.k8s.io',
  });
  assert.equal(ws.res.statusCode, 101);
  assert.equal(ws.res.headers['x-echo-path'], 'default/two/b');
  assert.equal(ws.res.headers['x-echo-query'], 'ls');
  assert.equal(await echoes(ws.socket!, 'ping'), 'ping');

  const spdy = await upgrade('/api/v1/namespaces/default/pods/two/exec?container=a&command=ls', 'POST', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' });
  assert.equal(spdy.res.statusCode, 101);
  assert.equal(spdy.res.headers['upgrade'], 'SPDY/3.1');
  assert.equal(await echoes(spdy.socket!, 'pong'), 'pong');

  // An agent that does not switch protocols has its answer relayed instead of a tunnel.
  const refused = await upgrade(`/api/v1/nodes/${NODE}/proxy/no-such-route`, 'POST', { upgrade: 'SPDY/3.1' });
  assert.equal(refused.res.statusCode, 404);
  // Bad requests are refused before reaching the agent.
  const noContainer = await upgrade('/api/v1/namespaces/default/pods/two/exec?command=ls', 'POST', { upgrade: 'SPDY/3.1' });
  assert.equal(noContainer.res.statusCode, 400);
});

test('upgrade requests are authenticated like any other', async () => {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: apiPort(), path: '/api/v1/namespaces/default/pods/two/exec?container=a&command=ls', method: 'POST', ca: cp.pki.caCertPem, headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1' } });
    req.on('upgrade', (r, socket) => {
      socket.destroy();
      resolve(r);
    });
    req.on('response', (r) => {
      r.resume();
      resolve(r);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(res.statusCode, 401);
});

test('a plain exec request without an upgrade is refused', async () => {
  const plain = await api('/api/v1/namespaces/default/pods/two/exec?container=a&command=ls', { method: 'POST' });
  assert.equal(plain.status, 400);
  assert.equal(JSON.parse(plain.body).message, 'Upgrade request required');
});

