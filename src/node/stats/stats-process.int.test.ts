// The Summary from real containers of the process runtime: CPU time and working set read from
// their own cgroups (v1 cpuacct + memory, or v2), a CPU rate after two samples, and no cgroup
// left behind once the sandbox is removed. Needs root and a writable cgroup hierarchy.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { detectCgroups, STRATA_SLICE } from '../runtime/process/cgroups.ts';
import { ProcessRuntime } from '../runtime/process/process-runtime.ts';
import { hostReader } from './host-stats.ts';
import { StatsProvider } from './stats-provider.ts';

const cgroups = detectCgroups();
const stateDir = mkdtempSync(join(tmpdir(), 'strata-stats-'));
after(async () => {
  const rt = new ProcessRuntime({ stateDir });
  for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('StatsProvider on the process runtime', { skip: cgroups ? false : 'needs root and a writable cgroup hierarchy' }, () => {
  it('reports a busy container\'s CPU rate and memory, pod totals, and removes its cgroups with the sandbox', async () => {
    const rt = new ProcessRuntime({ stateDir });
    const sandboxConfig = { metadata: { name: 'busy', namespace: 'default', uid: 'uid-busy', attempt: 0 }, hostname: 'busy', hostNetwork: false, labels: {}, annotations: {} };
    const sandbox = await rt.runPodSandbox(sandboxConfig);
    const id = await rt.createContainer(sandbox, {
      metadata: { name: 'spin', attempt: 0 },
      image: { image: 'busybox' },
      labels: {},
      annotations: {},
      command: ['sh', '-c', 'while :; do :; done'],
      // A quarter of a core at most: the rate must come out near it, never above a whole core.
      linux: { resources: { cpuQuota: 25_000, cpuPeriod: 100_000, memoryLimitInBytes: 64 * 1024 * 1024 } },
    }, sandboxConfig);
    await rt.startContainer(id);
    const provider = new StatsProvider({ nodeName: 'n1', runtime: rt, host: hostReader(stateDir) });
    await provider.summary();
    await new Promise((r) => setTimeout(r, 1500));
    const s = await provider.summary();
    assert.ok((s.node.cpu?.usageNanoCores ?? 0) > 0);
    assert.ok((s.node.fs?.capacityBytes ?? 0) > 0);
    const pod = s.pods.find((p) => p.podRef.uid === 'uid-busy');
    assert.ok(pod, 'the pod is in the summary');
    const c = pod.containers[0];
    assert.equal(c?.name, 'spin');
    const rate = c?.cpu?.usageNanoCores ?? 0;
    assert.ok(rate > 50_000_000 && rate < 400_000_000, `about a quarter of a core, got ${rate}n`);
    assert.ok((c?.memory?.workingSetBytes ?? 0) > 0);
    assert.equal(pod.cpu?.usageNanoCores, rate);
    assert.ok(c?.logs && c.logs.usedBytes !== undefined, 'the container log is counted');
    assert.equal(pod['ephemeral-storage']?.usedBytes, c?.logs?.usedBytes);
    await rt.removePodSandbox(sandbox);
    const v1 = cgroups?.version === 'v1';
    for (const dir of v1 ? ['memory', 'cpu', 'cpuacct'] : ['']) assert.equal(existsSync(join('/sys/fs/cgroup', dir, STRATA_SLICE, sandbox)), false);
  });

});

describe('StatsProvider on the process runtime without cgroups', () => {
  it('measures the container\'s process group', async () => {
    const rt = new ProcessRuntime({ stateDir, cgroups: null, isolation: false });
    const sandboxConfig = { metadata: { name: 'plain', namespace: 'default', uid: 'uid-plain', attempt: 0 }, hostname: 'plain', hostNetwork: false, labels: {}, annotations: {} };
    const sandbox = await rt.runPodSandbox(sandboxConfig);
    const id = await rt.createContainer(sandbox, { metadata: { name: 'spin', attempt: 0 }, image: { image: 'busybox' }, labels: {}, annotations: {}, command: ['sh', '-c', 'while :; do :; done'] }, sandboxConfig);
    await rt.startContainer(id);
    const provider = new StatsProvider({ nodeName: 'n1', runtime: rt, host: hostReader(stateDir) });
    await provider.summary();
    await new Promise((r) => setTimeout(r, 1500));
    const pod = (await provider.summary()).pods.find((p) => p.podRef.uid === 'uid-plain');
    const c = pod?.containers[0];
    assert.ok((c?.cpu?.usageNanoCores ?? 0) > 100_000_000, `a busy loop uses a good part of a core, got ${c?.cpu?.usageNanoCores}n`);
    assert.ok((c?.memory?.workingSetBytes ?? 0) > 0);
    await rt.removePodSandbox(sandbox);
  });
});
