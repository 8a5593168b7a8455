import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { wrapArgv } from './container-spec.ts';
import { ProcessRuntime } from './process-runtime.ts';
import { createMountPoints, MountError, mountSteps, removeMountPoints } from './mounts.ts';

describe('process runtime mounts', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'strata-mounts-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('orders parents before nested mounts and tells files from directories', () => {
    mkdirSync(join(dir, 'vol'));
    writeFileSync(join(dir, 'log'), '');
    const steps = mountSteps([
      { containerPath: `${dir}/c/data/sub`, hostPath: join(dir, 'vol') },
      { containerPath: `${dir}/c/data`, hostPath: join(dir, 'vol'), readonly: true },
      { containerPath: `${dir}/c/termination-log`, hostPath: join(dir, 'log'), propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
    ]);
    assert.deepEqual(steps.map((s) => [s.containerPath, s.readonly, s.file, s.propagation]), [
      [`${dir}/c/data`, true, false, 'private'],
      [`${dir}/c/termination-log`, false, true, 'slave'],
      [`${dir}/c/data/sub`, false, false, 'private'],
    ]);
    assert.throws(() => mountSteps([{ containerPath: 'rel', hostPath: dir }]), MountError);
    assert.throws(() => mountSteps([{ containerPath: '/x', hostPath: join(dir, 'absent') }]), /does not exist/);
  });

  it('creates missing top-level mount points and removes them unless another container uses them', () => {
    mkdirSync(join(dir, 'vol'));
    writeFileSync(join(dir, 'log'), '');
    const steps = mountSteps([
      { containerPath: `${dir}/c/a/data`, hostPath: join(dir, 'vol') },
      { containerPath: `${dir}/c/a/data/nested`, hostPath: join(dir, 'vol') },
      { containerPath: `${dir}/c/log`, hostPath: join(dir, 'log') },
    ]);
    const created = createMountPoints(steps);
    assert.deepEqual(created, [`${dir}/c`, `${dir}/c/log`, `${dir}/c/a`, `${dir}/c/a/data`]);
    assert.equal(existsSync(`${dir}/c/a/data/nested`), false, 'nested mount points are made inside the namespace');
    const kept = removeMountPoints(created, new Set([`${dir}/c/a/data`]));
    assert.deepEqual(kept, [`${dir}/c`, `${dir}/c/a`, `${dir}/c/a/data`]);
    assert.equal(existsSync(`${dir}/c/log`), false);
    assert.deepEqual(removeMountPoints(kept, new Set()), []);
    assert.equal(existsSync(`${dir}/c`), false);
  });

  it('runs the mount step between unshare and the init', () => {
    const argv = wrapArgv(['/bin/true'], {
      namespaces: true, hostname: 'h', cgroupProcs: [], unshare: '/usr/bin/unshare', shell: '/bin/sh',
      mounts: [{ hostPath: '/h', containerPath: '/c', readonly: true, file: false, propagation: 'private' }],
    });
    const i = argv.indexOf('strata-mounts');
    assert.equal(argv[0], '/usr/bin/unshare');
    assert.deepEqual(argv.slice(i + 1, i + 8), ['/h', '/c', 'ro', 'd', 'private', '--', '/']);
    assert.deepEqual(argv.slice(-2), ['h', '/bin/true']);
  });

  it('refuses mounts without mount namespaces: the container would see the host paths', async () => {
    const rt = new ProcessRuntime({ stateDir: join(dir, 'state'), isolation: false, cgroups: null });
    const sandboxConfig = { metadata: { name: 'p', namespace: 'default', uid: 'u', attempt: 0 }, hostname: 'p', hostNetwork: true, labels: {}, annotations: {} };
    const sandbox = await rt.runPodSandbox(sandboxConfig);
    const config = { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, labels: {}, annotations: {}, command: ['/bin/true'], mounts: [{ containerPath: '/data', hostPath: dir }] };
    await assert.rejects(rt.createContainer(sandbox, config, sandboxConfig), (err: Error) => err instanceof MountError && /without mount namespaces/.test(err.message));
    await rt.removePodSandbox(sandbox);
  });
});
