import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { goArch, machineReader, parseMeminfo, parseOsRelease, type MachineSnapshot } from './machine.ts';
import { conditionsChanged, DEFAULT_RESOURCE_CONFIG, nodeAllocatable, nodeCapacity, nodeConditions, parseResourceList, pressures } from './machine-status.ts';

const MEMINFO = `MemTotal:       16303412 kB
MemFree:         1202340 kB
MemAvailable:    9876544 kB
Buffers:          312004 kB
Cached:          7765432 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;

test('meminfo: MemTotal and MemAvailable in bytes; old kernels fall back to free+buffers+cached', () => {
  assert.deepEqual(parseMeminfo(MEMINFO), { totalBytes: 16303412 * 1024, availableBytes: 9876544 * 1024 });
  const old = MEMINFO.split('\n').filter((l) => !l.startsWith('MemAvailable')).join('\n');
  assert.equal(parseMeminfo(old).availableBytes, (1202340 + 312004 + 7765432) * 1024);
  assert.throws(() => parseMeminfo('MemFree: 1 kB\n'), /MemTotal/);
});

test('os-release PRETTY_NAME, quoted or not', () => {
  assert.equal(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(parseOsRelease('PRETTY_NAME=Alpine\n'), 'Alpine');
  assert.equal(parseOsRelease(''), 'Linux');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
});

const machine = (over: Partial<MachineSnapshot> = {}): MachineSnapshot => ({
  cpus: 4,
  memory: { totalBytes: 8 * 1024 ** 3, availableBytes: 4 * 1024 ** 3 },
  disk: { totalBytes: 100 * 1024 ** 3, availableBytes: 50 * 1024 ** 3 },
  pids: { max: 4_194_304, running: 300 },
  ...over,
});

test('capacity is the machine; allocatable subtracts the system reserve and eviction thresholds', () => {
  const config = { ...DEFAULT_RESOURCE_CONFIG, maxPods: 50, systemReserved: parseResourceList('cpu=500m,memory=1Gi') };
  const capacity = nodeCapacity(machine(), config);
  assert.deepEqual(capacity, { cpu: '4', 'ephemeral-storage': `${100 * 1024 * 1024}Ki`, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${8 * 1024 * 1024}Ki`, pods: '50' });
  const allocatable = nodeAllocatable(capacity, machine(), config);
  assert.equal(allocatable['cpu'], '3500m');
  assert.equal(allocatable['memory'], `${(8 * 1024 - 1024 - 100) * 1024}Ki`);
  assert.equal(allocatable['ephemeral-storage'], `${90 * 1024 * 1024}Ki`);
  assert.equal(allocatable['pods'], '50');
  assert.equal(nodeAllocatable(capacity, machine(), DEFAULT_RESOURCE_CONFIG)['cpu'], '4');
  assert.throws(() => parseResourceList('cpu'), /name=quantity/);
});

test('pressure conditions follow the thresholds; transitions keep their time until the status flips', () => {
  const calm = nodeConditions(pressures(machine(), DEFAULT_RESOURCE_CONFIG), { ready: true }, 't1');
  assert.deepEqual(calm.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
  const squeezed = machine({ memory: { totalBytes: 8 * 1024 ** 3, availableBytes: 50 * 1024 ** 2 }, disk: { totalBytes: 100, availableBytes: 5 }, pids: { max: 1000, running: 990 } });
  const hot = nodeConditions(pressures(squeezed, DEFAULT_RESOURCE_CONFIG), { ready: false, message: 'runtime down' }, 't2', calm);
  assert.deepEqual(hot.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=True', 'DiskPressure=True', 'PIDPressure=True', 'Ready=False']);
  assert.ok(hot.every((c) => c.lastTransitionTime === 't2'));
  assert.equal(hot.find((c) => c.type === 'Ready')?.message, 'runtime down');
  const later = nodeConditions(pressures(machine(), DEFAULT_RESOURCE_CONFIG), { ready: true }, 't3', calm);
  assert.ok(later.every((c) => c.lastTransitionTime === 't1' && c.lastHeartbeatTime === 't3'));
  assert.equal(conditionsChanged(calm, later), false);
  assert.equal(conditionsChanged(calm, hot), true);
});

test('machineReader reads fixtures for /proc and /etc and statfs of the data dir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-machine-'));
  try {
    await mkdir(join(dir, 'proc/sys/kernel/random'), { recursive: true });
    await mkdir(join(dir, 'proc/1')); await mkdir(join(dir, 'proc/42')); await mkdir(join(dir, 'proc/self-not-a-pid'));
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'proc/meminfo'), MEMINFO);
    await writeFile(join(dir, 'proc/sys/kernel/pid_max'), '32768\n');
    await writeFile(join(dir, 'proc/sys/kernel/random/boot_id'), 'boot-1\n');
    await writeFile(join(dir, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
    await writeFile(join(dir, 'etc/os-release'), 'PRETTY_NAME="Fixture OS 1"\n');
    const reader = machineReader(dir, { procDir: join(dir, 'proc'), etcDir: join(dir, 'etc') });
    const snap = await reader.snapshot();
    assert.equal(snap.cpus, cpus().length);
    assert.equal(snap.memory.totalBytes, 16303412 * 1024);
    assert.deepEqual(snap.pids, { max: 32768, running: 2 });
    assert.ok(snap.disk.totalBytes > 0 && snap.disk.availableBytes <= snap.disk.totalBytes);
    const id = await reader.identity();
    assert.equal(id.machineID, '0123456789abcdef0123456789abcdef');
    assert.equal(id.bootID, 'boot-1');
    assert.equal(id.osImage, 'Fixture OS 1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
