import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.ts';
import { FakeObjects } from '../volumes/testing/fake-objects.ts';
import { VolumeManager } from '../volumes/volume-manager.ts';
import { ContainerConfigError } from './container-env.ts';
import { ContainerResolver } from './container-resolver.ts';
import type { ContainerSpec, VolumeMount } from './pod-types.ts';
import { makePod } from './testing/pod-fixtures.ts';

const facts = { podIP: '10.0.0.5', hostIP: '192.168.1.2' };

describe('container mounts', () => {
  let dir = '';
  let volumes: VolumeManager;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-resolver-'));
    volumes = new VolumeManager({ podsDir: join(dir, 'pods'), objects: new FakeObjects(), clock: new FakeClock(0), root: false });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function mountsOf(mounts: VolumeMount[], extra: Partial<ContainerSpec> = {}) {
    const host = join(dir, 'host');
    mkdirSync(host, { recursive: true });
    const spec: ContainerSpec = { name: 'app', image: 'busybox', volumeMounts: mounts, ...extra };
    const pod = makePod({ containers: [spec], volumes: [{ name: 'data', hostPath: { path: host } } as { name: string }, { name: 'scratch', emptyDir: {} } as { name: string }] });
    await volumes.setUp(pod, facts);
    return new ContainerResolver({ volumes }).resolve(pod, spec, 0, facts).then((r) => r.mounts);
  }

  it('maps volumeMounts to host paths with readOnly and propagation', async () => {
    const mounts = await mountsOf([
      { name: 'data', mountPath: '/data', readOnly: true },
      { name: 'scratch', mountPath: '/scratch', mountPropagation: 'HostToContainer' },
      { name: 'data', mountPath: '/sub', subPath: 'a/b' },
    ]);
    assert.deepEqual(mounts, [
      { containerPath: '/data', hostPath: join(dir, 'host'), readonly: true },
      { containerPath: '/scratch', hostPath: join(volumes.podDir('uid-1'), 'volumes', 'kubernetes.io~empty-dir', 'scratch'), readonly: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
      { containerPath: '/sub', hostPath: join(dir, 'host', 'a', 'b'), readonly: false },
    ]);
  });

  it('refuses unknown volumes, subPaths with .. and symlinks leading out of the volume', async () => {
    await assert.rejects(mountsOf([{ name: 'nope', mountPath: '/x' }]), (err: Error) =>
      err instanceof ContainerConfigError && err.message === 'cannot find volume "nope" to mount into container "app"');
    await assert.rejects(mountsOf([{ name: 'data', mountPath: '/x', subPath: '../etc' }]), ContainerConfigError);
    mkdirSync(join(dir, 'host'), { recursive: true });
    symlinkSync('/etc', join(dir, 'host', 'escape'));
    await assert.rejects(mountsOf([{ name: 'data', mountPath: '/x', subPath: 'escape' }]), (err: Error) =>
      err instanceof ContainerConfigError && /subpath "\/etc" not within volume path/.test(err.message));
  });
});
