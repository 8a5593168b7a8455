// A memory-backed emptyDir is a real tmpfs (needs root): sized by its sizeLimit, unmounted and
// removed with the pod.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { realClock } from '../../client/clock.ts';
import { makePod } from '../agent/testing/pod-fixtures.ts';
import { isMountPoint } from './mount-utils.ts';
import { FakeObjects } from './testing/fake-objects.ts';
import { VolumeManager } from './volume-manager.ts';

const root = process.getuid?.() === 0;

test('emptyDir medium Memory is a tmpfs of sizeLimit, gone after tearDown', { skip: !root && 'needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-tmpfs-'));
  const manager = new VolumeManager({ podsDir: join(dir, 'pods'), objects: new FakeObjects(), clock: realClock, root: true });
  t.after(async () => {
    await manager.tearDown('uid-1').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const pod = makePod({ volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } } as { name: string }] });
  const { volumes, failures } = await manager.setUp(pod, { podIP: '', hostIP: '' });
  assert.deepEqual(failures, []);
  const path = volumes.get('mem')!.hostPath;
  assert.ok(isMountPoint(path));
  const mount = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === path) ?? '';
  assert.match(mount, / - tmpfs /);
  const fs = statfsSync(path);
  assert.equal(fs.blocks * fs.bsize, 8 * 1024 * 1024);
  await manager.setUp(pod, { podIP: '', hostIP: '' });
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === path).length, 1, 'mounted once');
  await manager.tearDown('uid-1');
  assert.equal(isMountPoint(path), false);
});
