// The pod worker with the volume manager and container resolver on the fake runtime: volumes
// before containers (FailedMount holds them), config errors as CreateContainerConfigError, the
// mounts each container gets, and the eviction of a pod whose emptyDir outgrows its sizeLimit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../client/clock.ts';
import type { ContainerConfig } from '../runtime/cri.ts';
import { b64, FakeObjects } from '../volumes/testing/fake-objects.ts';
import { VolumeManager } from '../volumes/volume-manager.ts';
import { ContainerResolver } from './container-resolver.ts';
import { ContainerBackoff } from './pod-backoff.ts';
import type { ApiContainerStatus } from './pod-status.ts';
import type { AgentPod } from './pod-types.ts';
import { PodWorker } from './pod-worker.ts';
import { FakeRuntime } from './testing/fake-runtime.ts';
import { makePod } from './testing/pod-fixtures.ts';

function setup(t: { after(fn: () => void): void }, pod: AgentPod) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-podvol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FakeClock(Date.parse('2026-11-24T09:00:00Z'));
  const objects = new FakeObjects();
  const runtime = new FakeRuntime(clock);
  const volumes = new VolumeManager({ podsDir: join(dir, 'pods'), objects, clock, root: false });
  const events: string[] = [];
  const recorder = { event: (_p: AgentPod, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) };
  const statuses: Record<string, unknown>[] = [];
  const worker = new PodWorker(pod, {
    runtime, clock, hostIP: '192.168.1.5', recorder, backoff: new ContainerBackoff(clock),
    statusWriter: (_p, s) => void statuses.push(s),
    volumes,
    resolver: new ContainerResolver({ objects, volumes, recorder, terminationLogs: true }),
  });
  const step = async (ms = 0): Promise<void> => {
    await clock.advance(ms);
    await worker.idle();
  };
  const last = () => statuses.at(-1) ?? {};
  const cs = (name: string) => ((last()['containerStatuses'] as ApiContainerStatus[] | undefined) ?? []).find((c) => c.name === name)!;
  const config = (name: string): ContainerConfig | undefined => [...runtime.containers.values()].filter((c) => c.config.metadata.name === name).at(-1)?.config;
  return { dir, clock, objects, runtime, volumes, worker, events, step, last, cs, config };
}

test('a missing ConfigMap volume holds the containers with one FailedMount event; they start once it exists', async (t) => {
  const h = setup(t, makePod({
    containers: [{ name: 'app', image: 'busybox', command: ['run'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'cfg', mountPath: '/etc/one', subPath: 'one' }] }],
    volumes: [{ name: 'cfg', configMap: { name: 'settings' } } as { name: string }],
  }));
  h.worker.start();
  await h.step();
  await h.step(1000);
  assert.equal(h.config('app'), undefined, 'no container is created');
  assert.equal(h.cs('app').state.waiting?.reason, 'ContainerCreating');
  assert.deepEqual(h.events.filter((e) => e.includes('FailedMount')), ['Warning FailedMount MountVolume.SetUp failed for volume "cfg" : configmap "settings" not found'], 'reported once, not at every sync');

  await h.step(121_000);
  assert.equal(h.events.filter((e) => e.includes('Unable to attach')).length, 0);
  await h.step(1000);
  assert.deepEqual(h.events.filter((e) => e.includes('Unable to attach')), [
    'Warning FailedMount Unable to attach or mount volumes: unmounted volumes=[cfg], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition',
  ], 'after 2m3s of waiting');

  h.objects.set('configmap', 'default', 'settings', { data: { one: '1' } });
  await h.step(1000);
  const mounts = h.config('app')?.mounts ?? [];
  const volumeDir = join(h.volumes.podDir('uid-1'), 'volumes', 'kubernetes.io~configmap', 'cfg');
  assert.deepEqual(mounts[0], { containerPath: '/etc/cfg', hostPath: volumeDir, readonly: true });
  assert.equal(mounts[1]!.containerPath, '/etc/one');
  assert.match(mounts[1]!.hostPath, /\/\.\.2026_11_24_09_0\d_\d\d\.\d{9}\/one$/, 'a subPath of an API-data volume is its current file');
  assert.deepEqual(mounts[2], { containerPath: '/dev/termination-log', hostPath: h.volumes.terminationLogPath('uid-1', 'app', 0), readonly: false });
  h.worker.dispose();
});

test('env that cannot be resolved is CreateContainerConfigError with an event; subPathExpr expands the env', async (t) => {
  const h = setup(t, makePod({
    containers: [{
      name: 'app', image: 'busybox', command: ['echo', '$(NAME)'],
      env: [{ name: 'NAME', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }],
      volumeMounts: [{ name: 'scratch', mountPath: '/work', subPathExpr: 'users/$(NAME)' }],
    }],
    volumes: [{ name: 'scratch', emptyDir: {} } as { name: string }],
  }));
  h.worker.start();
  await h.step();
  assert.equal(h.cs('app').state.waiting?.reason, 'CreateContainerConfigError');
  assert.equal(h.cs('app').state.waiting?.message, 'secret "creds" not found');
  assert.ok(h.events.includes('Warning Failed Error: secret "creds" not found'));

  h.objects.set('secret', 'default', 'creds', { data: { user: b64('ada') } });
  await h.step(10_000); // a failed container config is retried after the start retry period
  const config = h.config('app')!;
  assert.deepEqual(config.command, ['echo', 'ada']);
  assert.deepEqual(config.envs, [{ key: 'NAME', value: 'ada' }]);
  assert.equal(config.mounts?.[0]?.hostPath, join(h.volumes.podDir('uid-1'), 'volumes', 'kubernetes.io~empty-dir', 'scratch', 'users', 'ada'));
  h.worker.dispose();
});

test('an emptyDir over its sizeLimit evicts the pod: containers killed, phase Failed, reason Evicted', async (t) => {
  const h = setup(t, makePod({
    containers: [{ name: 'app', image: 'busybox', command: ['run'], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
    volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1Ki' } } as { name: string }],
  }));
  h.worker.start();
  await h.step();
  assert.equal(h.last()['phase'], 'Running');
  writeFileSync(join(h.config('app')!.mounts![0]!.hostPath, 'fill'), Buffer.alloc(64 * 1024, 1));
  await h.step(10_000);
  assert.equal(h.last()['phase'], 'Failed');
  assert.equal(h.last()['reason'], 'Evicted');
  assert.equal(h.last()['message'], 'Usage of EmptyDir volume "scratch" exceeds the limit "1Ki". ');
  assert.ok(h.cs('app').state.terminated, 'the container was stopped');
  assert.ok(h.events.includes('Warning Evicted Usage of EmptyDir volume "scratch" exceeds the limit "1Ki". '));
  assert.equal(h.worker.finished, 'terminal');
  h.worker.dispose();
});
