// The Summary built from fixture /proc and cgroup text and a fake runtime: node CPU rates from two
// /proc/stat readings, the working set less inactive file pages, pods summed from containers.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeClock } from '../../client/index.ts';
import type { ContainerStats, ContainerStatus, PodSandboxStatus, RuntimeService } from '../runtime/cri.ts';
import { memoryStatsV1, memoryStatsV2, readCgroupUsage } from '../runtime/process/cgroup-stats.ts';
import { CpuRates } from './cpu-rate.ts';
import { parseHostMemory, parseProcStat, type HostReader } from './host-stats.ts';
import { StatsProvider } from './stats-provider.ts';
import { statsRoute } from './summary-route.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const MEMINFO = `MemTotal:        8000000 kB
MemFree:         2000000 kB
MemAvailable:    5000000 kB
Inactive(file):  1000000 kB
AnonPages:       3000000 kB
`;

describe('host stats', () => {
  it('counts every CPU state but idle and iowait, in nanoseconds, and reads btime', () => {
    const s = parseProcStat('cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n');
    assert.equal(s.usageCoreNanoSeconds, (100 + 5 + 50 + 3 + 2) * 10_000_000);
    assert.equal(s.bootTime, 1700000000_000);
  });

  it('working set is used memory less inactive file pages; available is total less working set', () => {
    const m = parseHostMemory(MEMINFO);
    assert.equal(m.usageBytes, 6000000 * 1024);
    assert.equal(m.workingSetBytes, 5000000 * 1024);
    assert.equal(m.availableBytes, 3000000 * 1024);
    assert.equal(m.rssBytes, 3000000 * 1024);
  });
});

describe('cgroup stats', () => {
  it('v1 uses hierarchical total_ keys; v2 uses memory.current and anon', () => {
    const v1 = memoryStatsV1('5000\n', 'rss 10\ninactive_file 1\ntotal_rss 3000\ntotal_inactive_file 1000\ntotal_pgfault 7\ntotal_pgmajfault 1\n');
    assert.deepEqual(v1, { usageBytes: 5000, workingSetBytes: 4000, rssBytes: 3000, pageFaults: 7, majorPageFaults: 1 });
    const v2 = memoryStatsV2('8192\n', 'anon 4096\ninactive_file 9000\npgfault 3\npgmajfault 0\n');
    assert.equal(v2.workingSetBytes, 0, 'never negative');
  });

  it('reads cpuacct.usage and cpu.stat usage_usec from cgroup directories', () => {
    const d = mkdtempSync(join(tmpdir(), 'strata-cgstats-'));
    dirs.push(d);
    mkdirSync(join(d, 'mem'));
    mkdirSync(join(d, 'acct'));
    writeFileSync(join(d, 'mem', 'memory.usage_in_bytes'), '2048\n');
    writeFileSync(join(d, 'mem', 'memory.stat'), 'total_inactive_file 48\n');
    writeFileSync(join(d, 'acct', 'cpuacct.usage'), '123456789\n');
    const v1 = readCgroupUsage({ version: 'v1', memory: join(d, 'mem'), cpuacct: join(d, 'acct') });
    assert.equal(v1.cpuUsageNanoSeconds, 123456789);
    assert.equal(v1.memory?.workingSetBytes, 2000);
    writeFileSync(join(d, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\n');
    writeFileSync(join(d, 'memory.current'), '100\n');
    const v2 = readCgroupUsage({ version: 'v2', dir: d });
    assert.equal(v2.cpuUsageNanoSeconds, 1_500_000);
    assert.equal(v2.memory?.usageBytes, 100);
  });
});

describe('CpuRates', () => {
  it('needs two readings, keeps the rate for readings too close together, restarts on a counter reset', () => {
    const r = new CpuRates(1000);
    assert.equal(r.observe('c', { usageNs: 0, at: 0 }), undefined);
    assert.equal(r.observe('c', { usageNs: 5e9, at: 10_000 }), 500_000_000, 'half a core');
    assert.equal(r.observe('c', { usageNs: 6e9, at: 10_100 }), 500_000_000, 'too close: stored rate');
    assert.equal(r.observe('c', { usageNs: 4e9, at: 9_000 }), 500_000_000, 'an older reading arriving late changes nothing');
    assert.equal(r.observe('c', { usageNs: 1e9, at: 20_000 }), undefined, 'counter went back');
  });
});

function fakeRuntime(cpuNs: { value: number }): RuntimeService {
  const sandbox: PodSandboxStatus = { id: 'sb1', metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 }, state: 'SANDBOX_READY', createdAt: 1000, network: { ip: '' } };
  const old: PodSandboxStatus = { ...sandbox, id: 'sb0', state: 'SANDBOX_NOTREADY', createdAt: 500 };
  const status = (id: string, name: string): ContainerStatus => ({
    id, podSandboxId: 'sb1', metadata: { name, attempt: 0 }, state: 'CONTAINER_RUNNING', createdAt: 1000, startedAt: 2000, finishedAt: 0, exitCode: 0, reason: '', image: { image: 'x' }, imageRef: 'x', labels: {}, annotations: {},
  });
  const mem = { usageBytes: 1000, workingSetBytes: 800, rssBytes: 600, pageFaults: 0, majorPageFaults: 0 };
  let t = 0;
  return {
    listPodSandbox: async () => [old, sandbox],
    listContainers: async () => [status('c1', 'app'), status('c2', 'side')],
    listContainerStats: async (): Promise<ContainerStats[]> => {
      t += 10_000;
      return [
        { id: 'c1', podSandboxId: 'sb1', metadata: { name: 'app', attempt: 0 }, timestamp: t, cpu: { usageCoreNanoSeconds: cpuNs.value }, memory: mem },
        { id: 'c2', podSandboxId: 'sb1', metadata: { name: 'side', attempt: 0 }, timestamp: t, cpu: { usageCoreNanoSeconds: cpuNs.value / 2 }, memory: mem },
      ];
    },
  } as unknown as RuntimeService;
}

const fakeHost = (cpuNs: { value: number }): HostReader => ({
  cpu: async () => ({ usageCoreNanoSeconds: cpuNs.value * 4, bootTime: 0 }),
  memory: async () => parseHostMemory(MEMINFO),
  fs: async () => ({ capacityBytes: 1000, availableBytes: 400, usedBytes: 500, inodes: 100, inodesFree: 60 }),
});

describe('StatsProvider', () => {
  it('builds the Summary: node totals, one pod per ready sandbox, container and pod CPU rates after a second sample', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const cpu = { value: 0 };
    const p = new StatsProvider({ nodeName: 'n1', runtime: fakeRuntime(cpu), host: fakeHost(cpu), clock });
    const first = await p.summary();
    assert.equal(first.node.cpu?.usageNanoCores, undefined);
    assert.equal(first.pods.length, 1);
    cpu.value = 2e9;
    await clock.advance(10_000);
    const s = await p.summary();
    assert.equal(s.node.nodeName, 'n1');
    assert.equal(s.node.cpu?.usageNanoCores, 800_000_000);
    assert.equal(s.node.memory?.workingSetBytes, 5000000 * 1024);
    assert.equal(s.node.fs?.inodesUsed, 40);
    const pod = s.pods[0]!;
    assert.deepEqual(pod.podRef, { name: 'web', namespace: 'default', uid: 'u1' });
    assert.deepEqual(pod.containers.map((c) => [c.name, c.cpu?.usageNanoCores]), [['app', 200_000_000], ['side', 100_000_000]]);
    assert.equal(pod.cpu?.usageNanoCores, 300_000_000);
    assert.equal(pod.memory?.workingSetBytes, 1600);
  });

  it('serves /stats/summary and 404s anything else under /stats', async () => {
    const cpu = { value: 0 };
    const route = statsRoute(new StatsProvider({ nodeName: 'n1', runtime: fakeRuntime(cpu), host: fakeHost(cpu), clock: new FakeClock(0) }));
    const answer = async (parts: string[], query = ''): Promise<{ code: number; body: string }> => {
      let code = 0;
      let body = '';
      const res = { writeHead(c: number) { code = c; return res; }, end(b?: string) { body = b ?? ''; } };
      await route.http!({ method: 'GET' } as never, res as never, parts, new URL(`https://x/stats/summary${query}`), { user: 'u', groups: [] });
      return { code, body };
    };
    const ok = await answer(['summary']);
    assert.equal(ok.code, 200);
    assert.equal(JSON.parse(ok.body).node.nodeName, 'n1');
    assert.equal((await answer(['container'])).code, 404);
    assert.equal(JSON.parse(ok.body).node.fs.capacityBytes, 1000);
    const lean = JSON.parse((await answer(['summary'], '?only_cpu_and_memory=true')).body);
    assert.equal(lean.node.fs, undefined);
    assert.ok(lean.node.memory);
  });
});
