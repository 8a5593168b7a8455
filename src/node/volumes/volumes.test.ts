// Each volume type's setUp through the volume manager, on a temp dir with in-memory objects.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.ts';
import type { AgentPod } from '../agent/pod-types.ts';
import { makePod } from '../agent/testing/pod-fixtures.ts';
import { TokenManager, type TokenWish } from './service-account-token.ts';
import { b64, FakeObjects } from './testing/fake-objects.ts';
import type { Volume } from './types.ts';
import { VolumeManager } from './volume-manager.ts';

const facts = { podIP: '10.0.0.5', hostIP: '192.168.1.2' };
const podWith = (volumes: Volume[], meta: Partial<AgentPod['metadata']> = {}): AgentPod =>
  makePod({ volumes, serviceAccountName: 'builder', containers: [{ name: 'app', image: 'busybox', resources: { limits: { memory: '64Mi' } } }] }, { labels: { b: '2', a: '1' }, ...meta });

describe('volumes', () => {
  let dir = '';
  let objects: FakeObjects;
  let clock: FakeClock;
  let wishes: TokenWish[];
  let manager: VolumeManager;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-vol-'));
    objects = new FakeObjects();
    objects.set('configmap', 'default', 'cfg', { data: { 'app.conf': 'color=blue', other: 'x' }, binaryData: { bin: b64('\u0001\u0002') } });
    objects.set('secret', 'default', 'creds', { data: { password: b64('s3cret') } });
    clock = new FakeClock(Date.parse('2026-11-24T08:00:00Z'));
    wishes = [];
    let n = 0;
    const tokens = new TokenManager(async (w) => {
      wishes.push(w);
      return { token: `token-${++n}`, expiresAt: clock.now() + w.expirationSeconds * 1000 };
    }, clock);
    manager = new VolumeManager({ podsDir: join(dir, 'pods'), objects, tokens, clock, allocatable: () => ({ memory: '1Gi', cpu: '2' }), root: false });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (path: string): string => readFileSync(path, 'utf8');

  it('configMap: every key, or the listed items with their modes; updates land on the next setUp', async () => {
    const pod = podWith([
      { name: 'all', configMap: { name: 'cfg' } },
      { name: 'some', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o400 }], defaultMode: 0o640 } },
    ]);
    const { volumes, failures } = await manager.setUp(pod, facts);
    assert.deepEqual(failures, []);
    const all = volumes.get('all')!;
    assert.equal(all.readOnly, true);
    assert.equal(read(join(all.hostPath, 'app.conf')), 'color=blue');
    assert.deepEqual([...readFileSync(join(all.hostPath, 'bin'))], [1, 2]);
    assert.equal(statSync(join(all.hostPath, 'other')).mode & 0o777, 0o644);
    const some = volumes.get('some')!.hostPath;
    assert.equal(read(join(some, 'conf', 'app.conf')), 'color=blue');
    assert.equal(statSync(join(some, 'conf', 'app.conf')).mode & 0o777, 0o400);
    assert.equal(existsSync(join(some, 'other')), false);
    assert.ok(some.includes('/volumes/kubernetes.io~configmap/some'));

    objects.set('configmap', 'default', 'cfg', { data: { 'app.conf': 'color=red' } });
    await manager.setUp(pod, facts);
    assert.equal(read(join(all.hostPath, 'app.conf')), 'color=red');
    assert.equal(existsSync(join(all.hostPath, 'other')), false);
  });

  it('configMap and secret: missing objects and keys fail unless optional', async () => {
    const { failures, volumes } = await manager.setUp(podWith([
      { name: 'a', configMap: { name: 'nope' } },
      { name: 'b', secret: { secretName: 'nope' } },
      { name: 'c', configMap: { name: 'cfg', items: [{ key: 'missing', path: 'm' }] } },
      { name: 'd', configMap: { name: 'nope', optional: true } },
      { name: 'e', secret: { secretName: 'creds', items: [{ key: 'missing', path: 'm' }], optional: true } },
    ]), facts);
    assert.deepEqual(failures, [
      { volume: 'a', message: 'configmap "nope" not found' },
      { volume: 'b', message: 'secret "nope" not found' },
      { volume: 'c', message: 'configmap references non-existent config key: missing' },
    ]);
    assert.ok(existsSync(join(volumes.get('d')!.hostPath, '..data')), 'an optional missing ConfigMap is an empty volume');
    assert.ok(volumes.has('e'));
  });

  it('secret: decoded values with defaultMode', async () => {
    const { volumes } = await manager.setUp(podWith([{ name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } }]), facts);
    const path = join(volumes.get('s')!.hostPath, 'password');
    assert.equal(read(path), 's3cret');
    assert.equal(statSync(path).mode & 0o777, 0o400);
    assert.equal(readlinkSync(path), '..data/password');
  });

  it('downwardAPI: fields, labels as sorted key="value" lines, resources with node allocatable; label changes update the file', async () => {
    const volumes: Volume[] = [{ name: 'info', downwardAPI: { items: [
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
    ] } }];
    const { volumes: v } = await manager.setUp(podWith(volumes), facts);
    const d = v.get('info')!.hostPath;
    assert.equal(read(join(d, 'name')), 'web');
    assert.equal(read(join(d, 'labels')), 'a="1"\nb="2"');
    assert.equal(read(join(d, 'mem')), '64');
    assert.equal(read(join(d, 'cpu')), '2000');
    await manager.setUp(podWith(volumes, { labels: { a: 'changed' } }), facts);
    assert.equal(read(join(d, 'labels')), 'a="changed"');
  });

  it('projected: configMap, secret, downwardAPI and a pod-bound token in one directory; the token rotates at 80% of its lifetime', async () => {
    const pod = podWith([{ name: 'kube-api-access', projected: { defaultMode: 0o644, sources: [
      { serviceAccountToken: { expirationSeconds: 3600, path: 'token', audience: 'vault' } },
      { configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'ca.crt' }] } },
      { secret: { name: 'creds' } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    ] } }]);
    const { volumes } = await manager.setUp(pod, facts);
    const d = volumes.get('kube-api-access')!.hostPath;
    assert.equal(read(join(d, 'token')), 'token-1');
    assert.equal(read(join(d, 'ca.crt')), 'color=blue');
    assert.equal(read(join(d, 'password')), 's3cret');
    assert.equal(read(join(d, 'namespace')), 'default');
    assert.deepEqual(wishes[0], { namespace: 'default', serviceAccount: 'builder', audiences: ['vault'], expirationSeconds: 3600, pod: { name: 'web', uid: 'uid-1' } });
    await clock.advance(2800 * 1000);
    await manager.setUp(pod, facts);
    assert.equal(read(join(d, 'token')), 'token-1', 'still within 80% of its hour');
    await clock.advance(100 * 1000);
    await manager.setUp(pod, facts);
    assert.equal(read(join(d, 'token')), 'token-2', 'renewed after 48 minutes');

    const broken = await manager.setUp(podWith([{ name: 'p', projected: { sources: [{ configMap: { name: 'x' } }, { secret: { name: 'y' } }] } }], { uid: 'uid-2' }), facts);
    assert.deepEqual(broken.failures, [{ volume: 'p', message: '[configmap "x" not found, secret "y" not found]' }]);
  });

  it('hostPath: type checks as upstream, DirectoryOrCreate and FileOrCreate create', async () => {
    const host = join(dir, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'file'), 'x');
    const { volumes, failures } = await manager.setUp(podWith([
      { name: 'dc', hostPath: { path: join(host, 'made/deep'), type: 'DirectoryOrCreate' } },
      { name: 'fc', hostPath: { path: join(host, 'new-file'), type: 'FileOrCreate' } },
      { name: 'd', hostPath: { path: join(host, 'file'), type: 'Directory' } },
      { name: 'f', hostPath: { path: host, type: 'File' } },
      { name: 's', hostPath: { path: join(host, 'file'), type: 'Socket' } },
      { name: 'x', hostPath: { path: host, type: 'Weird' } },
      { name: 'any', hostPath: { path: join(host, 'absent') } },
    ]), facts);
    assert.ok(statSync(join(host, 'made/deep')).isDirectory());
    assert.ok(statSync(join(host, 'new-file')).isFile());
    assert.equal(volumes.get('dc')!.hostPath, join(host, 'made/deep'));
    assert.equal(volumes.get('any')!.readOnly, false);
    assert.deepEqual(failures, [
      { volume: 'd', message: `hostPath type check failed: ${join(host, 'file')} is not a directory` },
      { volume: 'f', message: `hostPath type check failed: ${host} is not a file` },
      { volume: 's', message: `hostPath type check failed: ${join(host, 'file')} is not a socket file` },
      { volume: 'x', message: 'Weird is an invalid volume type' },
    ]);
  });

  it('emptyDir: a 0777 dir under the pod; over its sizeLimit the pod is to be evicted; tearDown removes the pod dir', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: { sizeLimit: '64Ki' } }, { name: 'mem', emptyDir: { medium: 'Memory' } }]);
    const { volumes } = await manager.setUp(pod, facts);
    const scratch = volumes.get('scratch')!.hostPath;
    assert.equal(statSync(scratch).mode & 0o777, 0o777);
    assert.equal(manager.emptyDirOverLimit(pod), undefined);
    writeFileSync(join(scratch, 'big'), Buffer.alloc(256 * 1024, 1));
    assert.equal(manager.emptyDirOverLimit(pod), undefined, 'measured at most every 10 s');
    await clock.advance(10_000);
    assert.equal(manager.emptyDirOverLimit(pod), 'Usage of EmptyDir volume "scratch" exceeds the limit "64Ki". ');
    await manager.tearDown('uid-1');
    assert.equal(existsSync(manager.podDir('uid-1')), false);
  });

  it('persistentVolumeClaim: must exist and be Bound to a hostPath or local PV', async () => {
    const data = join(dir, 'pv-data');
    mkdirSync(data);
    objects.set('persistentvolumeclaim', 'default', 'pending', { spec: {}, status: { phase: 'Pending' } });
    objects.set('persistentvolumeclaim', 'default', 'bound', { spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } });
    objects.set('persistentvolumeclaim', 'default', 'nfs', { spec: { volumeName: 'pv2' }, status: { phase: 'Bound' } });
    objects.set('persistentvolume', '', 'pv1', { spec: { local: { path: data } } });
    objects.set('persistentvolume', '', 'pv2', { spec: { nfs: { server: 'x', path: '/' } } });
    const { volumes, failures } = await manager.setUp(podWith([
      { name: 'a', persistentVolumeClaim: { claimName: 'missing' } },
      { name: 'b', persistentVolumeClaim: { claimName: 'pending' } },
      { name: 'c', persistentVolumeClaim: { claimName: 'bound', readOnly: true } },
      { name: 'd', persistentVolumeClaim: { claimName: 'nfs' } },
    ]), facts);
    assert.deepEqual(volumes.get('c'), { hostPath: data, readOnly: true });
    assert.deepEqual(failures.map((f) => [f.volume, f.message]), [
      ['a', 'error processing PVC default/missing: failed to fetch PVC from API server: persistentvolumeclaim "missing" not found'],
      ['b', 'error processing PVC default/pending: PVC is not bound'],
      ['d', 'error processing PVC default/nfs: PersistentVolume pv2 is neither hostPath nor local: this node has no driver to mount it'],
    ]);
  });
});
