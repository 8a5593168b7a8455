// Volumes and env end to end on the process runtime (needs root: mounts are made in each
// container's own mount namespace), against an in-process control plane: the agent reads
// ConfigMaps and Secrets, sets up volumes, and containers see them at their mount paths.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { podManagerFor, startAgent, type RunningAgent } from '../../cmd/agent.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiContainerStatus } from '../agent/pod-status.ts';

const NODE = 'vol-node';
const NS = 'default';
const core = (resource: string, name?: string) => ({ group: '', version: 'v1', resource, namespace: NS, ...(name ? { name } : {}) });
const logger = pino({ level: process.env['STRATA_TEST_LOG'] ?? 'silent' });
const root = process.getuid?.() === 0;
// Container paths under one folder of the host that the runtime creates and removes as mount points.
const C = '/srv/strata-volumes-test';

let cluster: TestCluster;
let dataDir: string;
let out: string;
let agent: RunningAgent | undefined;

before(async () => {
  if (!root) return;
  // The default ServiceAccount and kube-root-ca.crt come from their controllers, as in a real cluster.
  cluster = await startTestCluster({ controllers: ['serviceaccount', 'root-ca-cert-publisher'], driver: false });
  dataDir = await mkdtemp(join(tmpdir(), 'strata-volumes-'));
  out = await mkdtemp(join(tmpdir(), 'strata-volumes-out-'));
  agent = await startAgent({
    server: cluster.cp.url,
    client: cluster.cp.localClient({ username: `system:node:${NODE}`, groups: ['system:nodes', 'system:authenticated'] }),
    nodeName: NODE, dataDir, runtime: 'process', logger, renewIntervalMs: 500,
    podManager: podManagerFor(),
  });
  await cluster.client.create(core('configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: NS }, data: { color: 'blue', 'app.conf': 'mode=fast\n' } } as KubeObject);
  await cluster.client.create(core('secrets'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: NS }, data: { password: b64('s3cret') } } as KubeObject);
});

after(async () => {
  if (!root) return;
  for (const p of (await cluster.client.list(core('pods'))).items) {
    await cluster.client.delete(core('pods', p.metadata.name ?? ''), { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  await until('pods gone', async () => (await cluster.client.list(core('pods'))).items.length === 0, 20_000).catch(() => undefined);
  await agent?.stop();
  await cluster.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

function pod(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { nodeName: NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1, ...spec } };
}

const statusOf = async (name: string): Promise<Record<string, unknown>> => ((await cluster.client.get(core('pods', name)))['status'] ?? {}) as Record<string, unknown>;
const containerStatuses = async (name: string): Promise<ApiContainerStatus[]> => ((await statusOf(name))['containerStatuses'] as ApiContainerStatus[] | undefined) ?? [];
const terminated = (name: string, container = 'app') => until(`${name}/${container} terminated`, async () =>
  (await containerStatuses(name)).find((c) => c.name === container)?.state.terminated, 30_000);
const events = async (reason: string): Promise<string[]> =>
  (await cluster.client.list(core('events'))).items.filter((e) => e['reason'] === reason).map((e) => String(e['message']));

test('env from a ConfigMap and Secret, $(VAR) expansion and a configMap volume reach the container', { skip: !root && 'needs root' }, async () => {
  await cluster.client.create(core('pods'), pod('reader', {
    containers: [{
      name: 'app', image: 'busybox',
      command: ['/bin/sh', '-c', 'echo "$COLOR $PASSWORD $GREETING $(COLOR) $CFG_color $(cat ' + C + '/config/app.conf)" > /dev/termination-log'],
      env: [
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'color' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
        { name: 'GREETING', value: 'hello-$(COLOR)' },
      ],
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app-config' } }],
      volumeMounts: [{ name: 'config', mountPath: `${C}/config` }],
    }],
    volumes: [{ name: 'config', configMap: { name: 'app-config' } }],
  }));
  const t = await terminated('reader');
  assert.equal(t.exitCode, 0);
  assert.equal(t.message, 'blue s3cret hello-blue blue blue mode=fast\n');
});

test('a missing ConfigMap key is CreateContainerConfigError until it exists; a missing volume source is FailedMount', { skip: !root && 'needs root' }, async () => {
  await cluster.client.create(core('pods'), pod('needs-key', {
    containers: [{ name: 'app', image: 'busybox', command: ['/bin/sh', '-c', 'echo "$LATE" > /dev/termination-log'], env: [{ name: 'LATE', valueFrom: { configMapKeyRef: { name: 'late', key: 'k' } } }] }],
  }));
  const waiting = await until('CreateContainerConfigError', async () => {
    const w = (await containerStatuses('needs-key'))[0]?.state.waiting;
    return w?.reason === 'CreateContainerConfigError' ? w : undefined;
  });
  assert.equal(waiting.message, 'configmap "late" not found');
  await cluster.client.create(core('configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: NS }, data: { k: 'arrived' } } as KubeObject);
  assert.equal((await terminated('needs-key')).message, 'arrived\n');

  await cluster.client.create(core('pods'), pod('needs-volume', {
    containers: [{ name: 'app', image: 'busybox', command: ['/bin/true'], volumeMounts: [{ name: 's', mountPath: `${C}/s` }] }],
    volumes: [{ name: 's', secret: { secretName: 'absent' } }],
  }));
  const message = await until('FailedMount event', async () => (await events('FailedMount')).find((m) => m.includes('"s"')));
  assert.equal(message, 'MountVolume.SetUp failed for volume "s" : secret "absent" not found');
  const cs = (await containerStatuses('needs-volume'))[0];
  assert.equal(cs?.state.waiting?.reason, 'ContainerCreating', 'no container starts while a volume is missing');
});

test('a Secret update reaches the running container\'s file; a readOnly mount refuses writes', { skip: !root && 'needs root' }, async () => {
  await cluster.client.create(core('pods'), pod('watcher', {
    containers: [{
      name: 'app', image: 'busybox',
      command: ['/bin/sh', '-c', `if echo x > ${C}/ro/f 2>/dev/null; then echo writable; else echo refused; fi > ${C}/out/ro; while true; do cat ${C}/secret/password > ${C}/out/pw.tmp; mv ${C}/out/pw.tmp ${C}/out/pw; sleep 0.2; done`],
      volumeMounts: [
        { name: 'secret', mountPath: `${C}/secret` },
        { name: 'out', mountPath: `${C}/out` },
        { name: 'out', mountPath: `${C}/ro`, readOnly: true },
      ],
    }],
    volumes: [{ name: 'secret', secret: { secretName: 'app-secret' } }, { name: 'out', hostPath: { path: out } }],
  }));
  await until('the first password', async () => existsSync(join(out, 'pw')) && (await readFile(join(out, 'pw'), 'utf8')) === 's3cret');
  assert.equal((await readFile(join(out, 'ro'), 'utf8')).trim(), 'refused');
  assert.equal(existsSync(join(out, 'f')), false);
  const secret = await cluster.client.get(core('secrets', 'app-secret'));
  await cluster.client.update(core('secrets', 'app-secret'), { ...secret, data: { password: b64('rotated') } } as KubeObject);
  await until('the rotated password', async () => (await readFile(join(out, 'pw'), 'utf8')) === 'rotated', 30_000);
});

test('an emptyDir is shared by the containers of a pod and removed with it', { skip: !root && 'needs root' }, async () => {
  await cluster.client.create(core('pods'), pod('sharing', {
    containers: [
      { name: 'writer', image: 'busybox', command: ['/bin/sh', '-c', `echo from-writer > ${C}/cache/note`], volumeMounts: [{ name: 'cache', mountPath: `${C}/cache` }] },
      // Its working directory lies in the volume: entered after the mounts, so relative paths land there.
      { name: 'app', image: 'busybox', workingDir: `${C}/shared`, command: ['/bin/sh', '-c', 'until [ -f note ]; do sleep 0.1; done; cat note > /dev/termination-log'], volumeMounts: [{ name: 'cache', mountPath: `${C}/shared` }] },
    ],
    volumes: [{ name: 'cache', emptyDir: {} }],
  }));
  assert.equal((await terminated('sharing')).message, 'from-writer\n');
  const uid = (await cluster.client.get(core('pods', 'sharing'))).metadata.uid ?? '';
  const podDir = join(dataDir, 'pods', uid);
  assert.ok(existsSync(join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'cache', 'note')));
  await cluster.client.delete(core('pods', 'sharing'), { gracePeriodSeconds: 0 });
  await until('the pod directory removed', async () => !existsSync(podDir), 20_000);
});

test('the kube-api-access projected volume: a pod-bound token the API server accepts, the cluster CA and the namespace', { skip: !root && 'needs root' }, async () => {
  await until('the default ServiceAccount and kube-root-ca.crt', async () =>
    (await cluster.client.get(core('serviceaccounts', 'default')).catch(() => undefined)) && cluster.client.get(core('configmaps', 'kube-root-ca.crt')).catch(() => undefined));
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  await cluster.client.create(core('pods'), pod('token', {
    serviceAccountName: 'default',
    containers: [{
      name: 'app', image: 'busybox',
      command: ['/bin/sh', '-c', `mkdir -p ${C}/out/sa && cp ${sa}/token ${sa}/ca.crt ${sa}/namespace ${C}/out/sa/`],
      volumeMounts: [{ name: 'kube-api-access-x1y2z', mountPath: sa, readOnly: true }, { name: 'out', mountPath: `${C}/out` }],
    }],
    // The volume upstream's ServiceAccount admission adds to every pod.
    volumes: [
      { name: 'kube-api-access-x1y2z', projected: { defaultMode: 420, sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ] } },
      { name: 'out', hostPath: { path: out } },
    ],
  }));
  assert.equal((await terminated('token')).exitCode, 0);
  const token = await readFile(join(out, 'sa', 'token'), 'utf8');
  assert.equal(await readFile(join(out, 'sa', 'namespace'), 'utf8'), NS);
  assert.equal(await readFile(join(out, 'sa', 'ca.crt'), 'utf8'), cluster.client.config.caPem);
  assert.match(token, /^ey/);
  const review = await cluster.client.create({ group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' },
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token } } as KubeObject);
  const status = review['status'] as { authenticated?: boolean; user?: { username?: string; extra?: Record<string, string[]> } };
  assert.equal(status.authenticated, true);
  assert.equal(status.user?.username, 'system:serviceaccount:default:default');
  assert.deepEqual(status.user?.extra?.['authentication.kubernetes.io/pod-name'], ['token']);
});

test('a custom terminationMessagePath is a file the runtime mounts, and its mount point leaves with the container', { skip: !root && 'needs root' }, async () => {
  // Under a folder of its own: the other tests' running containers keep theirs.
  const path = `${C}-message/here.txt`;
  await cluster.client.create(core('pods'), pod('message', {
    containers: [{ name: 'app', image: 'busybox', terminationMessagePath: path, command: ['/bin/sh', '-c', `echo -n "left at $(dirname ${path})" > ${path}`] }],
  }));
  assert.equal((await terminated('message')).message, `left at ${C}-message`);
  await until('the mount point removed from the host', async () => !existsSync(`${C}-message`));
});
