import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ContainerConfig } from '../cri.ts';
import { containerArgv, containerEnv, DEFAULT_PATH, ImageNotRunnableError, wrapArgv } from './container-spec.ts';

const config = (extra: Partial<ContainerConfig>): ContainerConfig => ({ metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, labels: {}, annotations: {}, ...extra });

describe('container spec', () => {
  it('runs command then args, or a known image entrypoint, and rejects unknown images', () => {
    assert.deepEqual(containerArgv(config({ command: ['/bin/echo'], args: ['a', 'b'] }), {}), ['/bin/echo', 'a', 'b']);
    assert.deepEqual(containerArgv(config({ args: ['-c', 'true'] }), { busybox: ['/bin/sh'] }), ['/bin/sh', '-c', 'true']);
    assert.throws(() => containerArgv(config({ args: ['x'], image: { image: 'nginx:1.27' } }), { busybox: ['/bin/sh'] }), (err: Error) => {
      assert.ok(err instanceof ImageNotRunnableError);
      assert.match(err.message, /^the process runtime cannot run image "nginx:1\.27" without a command/);
      return true;
    });
  });

  it('gives a default PATH and HOSTNAME that env entries override', () => {
    assert.deepEqual(containerEnv(config({ envs: [{ key: 'A', value: '1' }] }), 'h'), { PATH: DEFAULT_PATH, HOSTNAME: 'h', A: '1' });
    assert.equal(containerEnv(config({ envs: [{ key: 'PATH', value: '/x' }] }), 'h')['PATH'], '/x');
  });

  it('wraps the command: cgroups joined first, then unshare with the init and hostname', () => {
    const o = { namespaces: false, hostname: 'h', cgroupProcs: [], unshare: '/usr/bin/unshare', shell: '/bin/sh' };
    assert.deepEqual(wrapArgv(['/bin/true'], o), ['/bin/true']);
    const full = wrapArgv(['/bin/true', 'x'], { ...o, namespaces: true, cgroupProcs: ['/cg/a/cgroup.procs', '/cg/b/cgroup.procs'] });
    assert.deepEqual(full.slice(0, 3), ['/bin/sh', '-c', full[2]]);
    assert.deepEqual(full.slice(3, 7), ['strata-init', '/cg/a/cgroup.procs', '/cg/b/cgroup.procs', '--']);
    assert.deepEqual(full.slice(7, 15), ['/usr/bin/unshare', '--pid', '--fork', '--mount-proc', '--uts', '--ipc', '--kill-child', '--']);
    assert.deepEqual(full.slice(-6, -4), ['/bin/sh', '-c']);
    assert.match(full.at(-4) ?? '', /\/proc\/sys\/kernel\/hostname/);
    assert.deepEqual(full.slice(-3), ['h', '/bin/true', 'x'], 'hostname as $0, then the command');
  });
});
