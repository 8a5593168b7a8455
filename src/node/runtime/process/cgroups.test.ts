// The cgroup drivers against a directory tree shaped like cgroupfs (real limits are exercised by
// process-runtime.test.ts on whichever hierarchy the machine has).

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cpuSharesToWeight, probeCgroups } from './cgroups.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fakeFs = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'strata-cgfs-'));
  dirs.push(d);
  return d;
};
const read = (...p: string[]): string => readFileSync(join(...p), 'utf8');

describe('cgroups', () => {
  it('converts CPU shares to cgroup v2 weight as upstream does', () => {
    assert.equal(cpuSharesToWeight(2), 1);
    assert.equal(cpuSharesToWeight(1024), 39);
    assert.equal(cpuSharesToWeight(262144), 10000);
  });

  it('v2: enables controllers down the tree and writes memory.max, cpu.max, cpu.weight; reads oom_kill', () => {
    const fs = fakeFs();
    writeFileSync(join(fs, 'cgroup.controllers'), 'cpuset cpu io memory pids');
    const d = probeCgroups(fs);
    assert.equal(d?.version, 'v2');
    const procs = d.create('pod', 'ctr', { memoryLimitInBytes: 33554432, cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 1024 });
    assert.deepEqual(procs, [join(fs, 'strata', 'pod', 'ctr', 'cgroup.procs')]);
    assert.equal(read(fs, 'strata', 'pod', 'cgroup.subtree_control'), '+cpu +memory');
    assert.equal(read(fs, 'strata', 'pod', 'ctr', 'memory.max'), '33554432');
    assert.equal(read(fs, 'strata', 'pod', 'ctr', 'cpu.max'), '50000 100000');
    assert.equal(read(fs, 'strata', 'pod', 'ctr', 'cpu.weight'), '39');
    assert.equal(d.oomKilled('pod', 'ctr'), false);
    writeFileSync(join(fs, 'strata', 'pod', 'ctr', 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    assert.equal(d.oomKilled('pod', 'ctr'), true);
  });

  it('v1: writes the memory and cpu hierarchies; reads oom_kill from memory.oom_control', () => {
    const fs = fakeFs();
    mkdirSync(join(fs, 'memory'));
    mkdirSync(join(fs, 'cpu'));
    writeFileSync(join(fs, 'memory', 'memory.limit_in_bytes'), '9223372036854771712');
    writeFileSync(join(fs, 'cpu', 'cpu.shares'), '1024');
    const d = probeCgroups(fs);
    assert.equal(d?.version, 'v1');
    const procs = d.create('pod', 'ctr', { memoryLimitInBytes: 1048576, cpuQuota: 20000, cpuShares: 256 });
    assert.deepEqual(procs, [join(fs, 'memory', 'strata', 'pod', 'ctr', 'cgroup.procs'), join(fs, 'cpu', 'strata', 'pod', 'ctr', 'cgroup.procs')]);
    assert.equal(read(fs, 'memory', 'strata', 'pod', 'ctr', 'memory.limit_in_bytes'), '1048576');
    assert.equal(read(fs, 'cpu', 'strata', 'pod', 'ctr', 'cpu.cfs_quota_us'), '20000');
    assert.equal(read(fs, 'cpu', 'strata', 'pod', 'ctr', 'cpu.cfs_period_us'), '100000');
    assert.equal(read(fs, 'cpu', 'strata', 'pod', 'ctr', 'cpu.shares'), '256');
    writeFileSync(join(fs, 'memory', 'strata', 'pod', 'ctr', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    assert.equal(d.oomKilled('pod', 'ctr'), true);
  });

  it('answers undefined when there is no usable hierarchy', () => {
    assert.equal(probeCgroups(fakeFs()), undefined);
  });
});
