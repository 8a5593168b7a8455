import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { b64, FakeObjects } from '../volumes/testing/fake-objects.ts';
import { ContainerConfigError, expandCommand, resolveEnv } from './container-env.ts';
import type { ContainerSpec } from './pod-types.ts';
import { makePod } from './testing/pod-fixtures.ts';

const facts = { podIP: '10.0.0.5', hostIP: '192.168.1.2' };

function objects(): FakeObjects {
  const o = new FakeObjects();
  o.set('configmap', 'default', 'cfg', { data: { color: 'blue', size: 'L', 'bad key': 'x', '1st': 'y' } });
  o.set('secret', 'default', 'creds', { data: { password: b64('s3cret') } });
  return o;
}

async function envOf(spec: Partial<ContainerSpec>, o = objects(), warnings: string[] = []): Promise<Record<string, string>> {
  const c: ContainerSpec = { name: 'app', image: 'busybox', ...spec };
  const pod = makePod({ containers: [c], nodeName: 'n1', serviceAccountName: 'sa' }, { labels: { tier: 'web' } });
  const env = await resolveEnv(pod, c, facts, { objects: o, allocatable: { cpu: '4', memory: '8Gi' }, warn: (r, m) => void warnings.push(`${r}: ${m}`) });
  return Object.fromEntries(env.map((e) => [e.key, e.value]));
}

describe('container env', () => {
  it('reads ConfigMap and Secret keys, decoding Secret data', async () => {
    const env = await envOf({ env: [
      { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
    ] });
    assert.deepEqual(env, { COLOR: 'blue', PASS: 's3cret' });
  });

  it('fails with the kubelet messages when a ConfigMap, Secret or key is missing and not optional', async () => {
    const cases: [Partial<ContainerSpec>, string][] = [
      [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
      [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found'],
      [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap default/cfg"],
      [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, "couldn't find key k in Secret default/creds"],
      [{ envFrom: [{ configMapRef: { name: 'nope' } }] }, 'configmap "nope" not found'],
    ];
    for (const [spec, message] of cases) {
      await assert.rejects(envOf(spec), (err: Error) => {
        assert.ok(err instanceof ContainerConfigError);
        assert.equal(err.reason, 'CreateContainerConfigError');
        assert.equal(err.message, message);
        return true;
      });
    }
  });

  it('skips missing optional sources and keys', async () => {
    const env = await envOf({
      envFrom: [{ configMapRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'k', optional: true } } },
        { name: 'C', value: 'c' },
      ],
    });
    assert.deepEqual(env, { C: 'c' });
  });

  it('envFrom with a prefix skips invalid names with one warning, and env overrides envFrom', async () => {
    const warnings: string[] = [];
    const env = await envOf({ envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds' } }], env: [{ name: 'CM_size', value: 'XL' }] }, objects(), warnings);
    assert.deepEqual(env, { CM_color: 'blue', CM_size: 'XL', CM_1st: 'y', password: 's3cret' });
    assert.deepEqual(warnings, ['InvalidEnvironmentVariableNames: Keys [CM_bad key] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.']);
    const bare = await envOf({ envFrom: [{ configMapRef: { name: 'cfg' } }] });
    assert.equal(bare['1st'], undefined, 'a name starting with a digit is invalid');
  });

  it('expands $(VAR) against what is defined earlier only, and command/args against all', async () => {
    const env = await envOf({ env: [
      { name: 'A', value: 'a' },
      { name: 'B', value: '$(A)-$(C)-$$(A)' },
      { name: 'C', value: 'c' },
    ] });
    assert.deepEqual(env, { A: 'a', B: 'a-$(C)-$(A)', C: 'c' });
    const cmd = expandCommand({ name: 'x', command: ['echo', '$(C)'], args: ['$(A)$(B)', '$(UNSET)'] }, Object.entries(env).map(([key, value]) => ({ key, value })));
    assert.deepEqual(cmd, { command: ['echo', 'c'], args: ['aa-$(C)-$(A)', '$(UNSET)'] });
  });

  it('resolves fieldRef and resourceFieldRef (divisor, node allocatable for unset limits)', async () => {
    const env = await envOf({
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      env: [
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'REQ_CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'REQ_CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'LIM_CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'LIM_MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'REQ_MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      ],
    });
    assert.deepEqual(env, {
      NODE: 'n1', IP: '10.0.0.5', TIER: 'web', SA: 'sa',
      REQ_CPU: '1', REQ_CPU_M: '250', LIM_CPU: '4', LIM_MEM_MI: '128', REQ_MEM: String(64 * 1024 * 1024),
    });
    await assert.rejects(envOf({ env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }), /unsupported container resource : limits\.gpu/);
  });
});
