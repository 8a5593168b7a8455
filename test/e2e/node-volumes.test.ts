// Volumes and env on `strata up` with real kubectl: a pod reads a ConfigMap and a Secret through
// env, envFrom and volumes and leaves what it saw in a hostPath volume and its termination
// message; a missing ConfigMap key holds a container in CreateContainerConfigError and a missing
// Secret volume holds a pod in ContainerCreating with a FailedMount event, until they exist.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, freePort, parseTable } from './harness.ts';
import { eventsFor, getJson, killAllWith, startUp, type UpProcess } from './node-cluster.ts';

const root = process.getuid?.() === 0;
let up: UpProcess;
let dir: string;
let marker: string;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

before(async () => {
  if (!root) return;
  dir = mkdtempSync(join(tmpdir(), 'strata-volumes-e2e-'));
  marker = join(dir, `out-${randomBytes(4).toString('hex')}`);
  mkdirSync(marker);
  up = await startUp(join(dir, 'data'), await freePort());
});

after(async () => {
  if (up) await up.stop('SIGINT');
  if (marker) killAllWith(marker);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const apply = (...objects: object[]): void => void up.kube.k(['apply', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });

test('a pod sees its ConfigMap and Secret through env, envFrom and volumes', { skip: !root && 'needs root (mount namespaces)' }, async () => {
  apply(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { greeting: 'hello', 'app.conf': 'mode=fast' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret' }, data: { password: b64('s3cret') } },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' },
      spec: {
        restartPolicy: 'Never', terminationGracePeriodSeconds: 2,
        containers: [{
          name: 'main', image: 'busybox',
          command: ['sh', '-c', `echo "$GREETING $PASSWORD $CFG_greeting $(cat /etc/app/app.conf) $(cat /etc/creds/password) $(GREETING)" | tee /out/result > /dev/termination-log; env > /out/env # ${marker}`],
          env: [
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app-config' } }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/app' },
            { name: 'creds', mountPath: '/etc/creds', readOnly: true },
            { name: 'out', mountPath: '/out' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          { name: 'creds', secret: { secretName: 'app-secret' } },
          { name: 'out', hostPath: { path: marker, type: 'Directory' } },
        ],
      },
    },
  );
  const expected = 'hello s3cret hello mode=fast s3cret hello\n';
  const terminated = await eventually('reader to finish', () => getJson(up.kube, ['pod', 'reader'])?.status?.containerStatuses?.[0]?.state?.terminated, 60_000, 250);
  assert.equal(terminated.exitCode, 0);
  assert.equal(terminated.message, expected);
  assert.equal(readFileSync(join(marker, 'result'), 'utf8'), expected);
  const env = readFileSync(join(marker, 'env'), 'utf8');
  assert.match(env, /^KUBERNETES_SERVICE_HOST=\d+\.\d+\.\d+\.\d+$/m, 'the kubernetes Service env vars');
  assert.match(env, /^KUBERNETES_PORT=tcp:\/\/[\d.]+:\d+$/m);
  assert.equal(up.kube.k(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}']), 'Succeeded');
  // The runtime made these mount points on the host for the container; they go once it has ended.
  await eventually('the mount points removed from the host', () => ['/etc/app', '/etc/creds', '/out'].every((p) => !existsSync(p)), 15_000, 250);
});

test('a missing key waits in CreateContainerConfigError and a missing Secret volume in ContainerCreating, until they exist', { skip: !root && 'needs root (mount namespaces)' }, async () => {
  apply(
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'needs-key' },
      spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `echo "$LATE" > /dev/termination-log # ${marker}`], env: [{ name: 'LATE', valueFrom: { configMapKeyRef: { name: 'late', key: 'value' } } }] }] },
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'needs-secret' },
      spec: {
        restartPolicy: 'Never', terminationGracePeriodSeconds: 2,
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `cat /etc/late/token > /dev/termination-log # ${marker}`], volumeMounts: [{ name: 'late', mountPath: '/etc/late' }] }],
        volumes: [{ name: 'late', secret: { secretName: 'late-secret' } }],
      },
    },
  );
  const status = (name: string): string | undefined => parseTable(up.kube.k(['get', 'pod', name]))[0]?.['STATUS'];
  await eventually('needs-key in CreateContainerConfigError', () => status('needs-key') === 'CreateContainerConfigError', 30_000, 250);
  const waiting = getJson(up.kube, ['pod', 'needs-key']).status.containerStatuses[0].state.waiting;
  assert.equal(waiting.message, 'configmap "late" not found');
  const mount = await eventually('a FailedMount event', () => eventsFor(up.kube, 'needs-secret').find((e) => e.reason === 'FailedMount'), 30_000, 250);
  assert.equal(mount.message, 'MountVolume.SetUp failed for volume "late" : secret "late-secret" not found');
  assert.equal(status('needs-secret'), 'ContainerCreating');

  apply(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' }, data: { value: 'arrived' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'late-secret' }, data: { token: b64('t0ken') } },
  );
  const message = (name: string) => getJson(up.kube, ['pod', name])?.status?.containerStatuses?.[0]?.state?.terminated?.message;
  assert.equal(await eventually('needs-key ran', () => message('needs-key'), 60_000, 250), 'arrived\n');
  assert.equal(await eventually('needs-secret ran', () => message('needs-secret'), 60_000, 250), 't0ken');
});

test('kubectl exec sees a Secret update in the running pod\'s volume, which refuses writes', { skip: !root && 'needs root (mount namespaces)' }, async () => {
  apply(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'rotating' }, data: { password: b64('first') } },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'holder' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `sleep 3600 # ${marker}`], volumeMounts: [{ name: 'creds', mountPath: '/etc/rotating' }] }],
        volumes: [{ name: 'creds', secret: { secretName: 'rotating', defaultMode: 0o400 } }],
      },
    },
  );
  await eventually('holder Running', () => getJson(up.kube, ['pod', 'holder'])?.status?.phase === 'Running', 60_000, 250);
  const cat = (): string => up.kube.kubectl(['exec', 'holder', '--', 'cat', '/etc/rotating/password']).stdout;
  assert.equal(await eventually('the password through exec', () => cat() || undefined, 30_000, 250), 'first');
  assert.equal(up.kube.kubectl(['exec', 'holder', '--', 'stat', '-L', '-c', '%a', '/etc/rotating/password']).stdout.trim(), '400');
  const write = up.kube.kubectl(['exec', 'holder', '--', 'sh', '-c', 'echo x > /etc/rotating/new']);
  assert.notEqual(write.code, 0, 'a secret volume is read-only');
  assert.match(write.stderr, /Read-only file system/);
  apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'rotating' }, data: { password: b64('second') } });
  await eventually('the rotated password through exec', () => cat() === 'second', 30_000, 500);
  up.kube.k(['delete', 'pod', 'holder', '--wait=true']);
  await eventually('the mount point removed from the host', () => !existsSync('/etc/rotating'), 15_000, 250);
});
