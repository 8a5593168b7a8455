import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerConfig, linuxResources, sandboxConfig } from './pod-container-config.ts';
import { containerHash } from './pod-types.ts';
import { makePod } from './testing/pod-fixtures.ts';

test('container config: labels for re-adoption, hash, process fields, downward-API env', () => {
  const pod = makePod({ nodeName: 'n1' }, { labels: { app: 'web' } });
  const spec = {
    name: 'app', image: 'app:1', command: ['/bin/server'], args: ['--port', '80'], workingDir: '/srv',
    env: [
      { name: 'A', value: '1' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'L', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    ],
  };
  const c = containerConfig(pod, spec, 3, { podIP: '10.0.0.7', hostIP: '192.168.0.1' });
  assert.deepEqual(c.metadata, { name: 'app', attempt: 3 });
  assert.equal(c.labels['io.kubernetes.pod.uid'], 'uid-1');
  assert.equal(c.labels['io.kubernetes.container.name'], 'app');
  assert.equal(c.annotations['io.kubernetes.container.hash'], containerHash(spec));
  assert.equal(c.annotations['io.kubernetes.container.restartCount'], '3');
  assert.deepEqual(c.command, ['/bin/server']);
  assert.deepEqual(c.args, ['--port', '80']);
  assert.equal(c.workingDir, '/srv');
  assert.deepEqual(c.envs, [{ key: 'A', value: '1' }, { key: 'POD', value: 'web' }, { key: 'IP', value: '10.0.0.7' }, { key: 'NODE', value: 'n1' }, { key: 'L', value: 'web' }]);
  const sb = sandboxConfig(pod, 2);
  assert.equal(sb.metadata.attempt, 2);
  assert.equal(sb.labels['io.kubernetes.pod.uid'], 'uid-1');
  assert.equal(sb.labels['app'], 'web');
});

test('resources become cgroup values as upstream computes them', () => {
  assert.deepEqual(linuxResources({ name: 'a', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '128Mi' } } }), {
    cpuShares: 256, cpuPeriod: 100_000, cpuQuota: 50_000, memoryLimitInBytes: 134_217_728,
  });
  assert.deepEqual(linuxResources({ name: 'a', resources: { limits: { cpu: '2' } } }), { cpuShares: 2048, cpuPeriod: 100_000, cpuQuota: 200_000 });
  assert.equal(linuxResources({ name: 'a' }), undefined);
  assert.deepEqual(linuxResources({ name: 'a', resources: { requests: { cpu: '1m' } } }), { cpuShares: 2 });
});

test('the hash changes with the image, not with probes', () => {
  const a = containerHash({ name: 'a', image: 'x:1' });
  assert.notEqual(a, containerHash({ name: 'a', image: 'x:2' }));
  assert.equal(a, containerHash({ name: 'a', image: 'x:1', readinessProbe: { exec: { command: ['x'] } } }));
});
