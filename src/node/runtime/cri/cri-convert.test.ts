import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PodSandboxConfig } from '../cri.ts';
import { socketPath } from './cri-client.ts';
import { containerConfigMessage, containerStatsFrom, containerStatusFrom, nsToMs, sandboxConfigMessage, sandboxStatusFrom } from './cri-convert.ts';
import { parseStatus } from './cri-streaming.ts';

const sandbox: PodSandboxConfig = {
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', attempt: 2 },
  hostname: 'web',
  hostNetwork: false,
  labels: { app: 'web' },
  annotations: { a: 'b' },
};

describe('sandbox and container configs', () => {
  it('puts logs where the kubelet does and shares the node network without a hostname', () => {
    const m = sandboxConfigMessage(sandbox, '/var/log/pods', 'NODE');
    assert.equal(m['log_directory'], '/var/log/pods/shop_web_u-1');
    assert.equal(m['hostname'], '');
    assert.deepEqual(m['metadata'], { name: 'web', uid: 'u-1', namespace: 'shop', attempt: 2 });
    assert.deepEqual((m['linux'] as { security_context: unknown }).security_context, { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } });
    // A pod network keeps the pod's own hostname.
    assert.equal(sandboxConfigMessage(sandbox, '/l', 'POD')['hostname'], 'web');
  });

  it('maps a container: log path per attempt, mounts, resources, env', () => {
    const m = containerConfigMessage({
      metadata: { name: 'app', attempt: 3 },
      image: { image: 'busybox' },
      labels: {},
      annotations: {},
      command: ['sh'],
      args: ['-c', 'true'],
      envs: [{ key: 'A', value: '1' }],
      mounts: [{ containerPath: '/data', hostPath: '/srv/data', readonly: true }, { containerPath: '/m', hostPath: '/h', propagation: 'PROPAGATION_BIDIRECTIONAL' }],
      linux: { resources: { cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitInBytes: 1 << 20 } },
    }, 'NODE');
    assert.equal(m['log_path'], 'app/3.log');
    assert.deepEqual(m['command'], ['sh']);
    assert.deepEqual(m['args'], ['-c', 'true']);
    assert.deepEqual(m['envs'], [{ key: 'A', value: '1' }]);
    assert.deepEqual(m['mounts'], [
      { container_path: '/data', host_path: '/srv/data', readonly: true, propagation: 'PROPAGATION_PRIVATE' },
      { container_path: '/m', host_path: '/h', readonly: false, propagation: 'PROPAGATION_BIDIRECTIONAL' },
    ]);
    assert.deepEqual((m['linux'] as { resources: unknown }).resources, { cpu_period: 100_000, cpu_quota: 50_000, cpu_shares: 512, memory_limit_in_bytes: 1 << 20 });
  });
});

describe('statuses from the runtime', () => {
  it('turns nanoseconds into milliseconds and keeps reason, message and log path', () => {
    const s = containerStatusFrom({
      id: 'c1', metadata: { name: 'app', attempt: 1 }, state: 'CONTAINER_EXITED',
      created_at: 1_700_000_000_123_456_789, started_at: 1_700_000_001_000_000_000, finished_at: 1_700_000_002_500_000_000,
      exit_code: 137, reason: 'OOMKilled', message: 'killed', log_path: '/l/app/1.log',
      image: { image: 'docker.io/library/busybox:latest' }, image_ref: 'sha256:abc', labels: { k: 'v' }, annotations: {},
    }, 'sb1');
    assert.equal(s.createdAt, 1_700_000_000_123);
    assert.equal(s.finishedAt, 1_700_000_002_500);
    assert.deepEqual([s.podSandboxId, s.state, s.exitCode, s.reason, s.message, s.logPath], ['sb1', 'CONTAINER_EXITED', 137, 'OOMKilled', 'killed', '/l/app/1.log']);
    // A running container has no finish time or message.
    const running = containerStatusFrom({ id: 'c2', state: 'CONTAINER_RUNNING', finished_at: 0, message: '' }, 'sb1');
    assert.equal(running.finishedAt, 0);
    assert.equal('message' in running, false);
    assert.equal(containerStatusFrom({ state: 'SOMETHING_NEW' }, '').state, 'CONTAINER_UNKNOWN');
  });

  it('reads sandbox states and cumulative stats', () => {
    const sb = sandboxStatusFrom({ id: 's', metadata: { name: 'n', namespace: 'ns', uid: 'u', attempt: 0 }, state: 'SANDBOX_NOTREADY', created_at: 2_000_000 });
    assert.deepEqual(sb, { id: 's', metadata: { name: 'n', namespace: 'ns', uid: 'u', attempt: 0 }, state: 'SANDBOX_NOTREADY', createdAt: 2, network: { ip: '' } });
    const st = containerStatsFrom({
      attributes: { id: 'c', metadata: { name: 'app', attempt: 0 } },
      cpu: { timestamp: 5_000_000, usage_core_nano_seconds: { value: 42 } },
      memory: { timestamp: 5_000_000, working_set_bytes: { value: 10 }, usage_bytes: { value: 20 } },
    }, 'sb', 9);
    assert.deepEqual(st.cpu, { usageCoreNanoSeconds: 42 });
    assert.deepEqual(st.memory, { usageBytes: 20, workingSetBytes: 10, rssBytes: 0, pageFaults: 0, majorPageFaults: 0 });
    assert.equal(st.timestamp, 5);
    assert.equal(containerStatsFrom({ attributes: { id: 'c' } }, 'sb', 9).memory, undefined);
    assert.equal(nsToMs(undefined), 0);
  });
});

describe('streaming status and endpoints', () => {
  it('reads the exit code from the v4 status', () => {
    assert.deepEqual(parseStatus('{"metadata":{},"status":"Success"}'), { exitCode: 0, fromStatus: true });
    assert.deepEqual(parseStatus('{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}'), { exitCode: 3, fromStatus: true });
    assert.deepEqual(parseStatus('{"status":"Failure","message":"exec failed: no such file"}'), { error: 'exec failed: no such file', fromStatus: true });
    assert.deepEqual(parseStatus(''), { exitCode: 0, fromStatus: false });
  });

  it('takes unix:// endpoints and bare paths, and rejects others', () => {
    assert.equal(socketPath('unix:///run/containerd/containerd.sock'), '/run/containerd/containerd.sock');
    assert.equal(socketPath('/tmp/c.sock'), '/tmp/c.sock');
    assert.throws(() => socketPath('tcp://127.0.0.1:1'), /invalid --container-runtime-endpoint "tcp:\/\/127\.0\.0\.1:1"/);
  });
});
