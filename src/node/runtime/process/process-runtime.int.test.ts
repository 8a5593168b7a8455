// Real processes: the process runtime with its supervisors, namespaces and cgroups (when root).

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from '../cri.ts';
import { detectCgroups } from './cgroups.ts';
import { ImageNotRunnableError } from './container-spec.ts';
import { ExecTimeoutError } from './exec.ts';
import { ProcessRuntime } from './process-runtime.ts';
import { processStartTime, readJson, type StartedRecord } from './state-store.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'strata-procrt-'));
const runtimes: ProcessRuntime[] = [];
const root = process.getuid?.() === 0;
const cgroups = detectCgroups();

function newRuntime(extra: Partial<ConstructorParameters<typeof ProcessRuntime>[0]> = {}): ProcessRuntime {
  const rt = new ProcessRuntime({ stateDir, log: { maxBytes: 1024 * 1024, maxFiles: 2 }, ...extra });
  runtimes.push(rt);
  return rt;
}

after(async () => {
  // Removing every sandbox kills its process groups and removes its cgroups.
  const rt = new ProcessRuntime({ stateDir });
  for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
  // Safety net for anything a failed test left behind.
  for (const id of readdirSync(join(stateDir, 'containers'))) {
    const started = readJson<StartedRecord>(join(stateDir, 'containers', id, 'started.json'));
    for (const pid of [started?.pid, started?.supervisorPid]) {
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
});

const sandboxConfig = (name: string): PodSandboxConfig => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
  hostname: `${name}-host`,
  hostNetwork: false,
  labels: {},
  annotations: {},
});

const containerConfig = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image: { image: 'busybox' },
  labels: {},
  annotations: {},
  command,
  ...extra,
});

async function runContainer(rt: ProcessRuntime, name: string, command: string[], extra: Partial<ContainerConfig> = {}): Promise<{ sandbox: string; id: string }> {
  const sb = sandboxConfig(name);
  const sandbox = await rt.runPodSandbox(sb);
  const id = await rt.createContainer(sandbox, containerConfig(name, command, extra), sb);
  await rt.startContainer(id);
  return { sandbox, id };
}

async function waitExited(rt: ProcessRuntime, id: string, timeoutMs = 10_000): Promise<ContainerStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await rt.containerStatus(id);
    if (s.state === 'CONTAINER_EXITED' || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const logLines = (s: ContainerStatus): string[] => readFileSync(s.logPath ?? '', 'utf8').split('\n').slice(0, -1);
const logContent = (s: ContainerStatus): string[] => logLines(s).map((l) => l.split(' ').slice(1).join(' '));

describe('ProcessRuntime', () => {
  it('runs a container to its exit and writes both streams as CRI log lines', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'exit3', ['/bin/sh', '-c', 'echo hi; echo err >&2; exit 3']);
    const s = await waitExited(rt, id);
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.exitCode, 3);
    assert.equal(s.reason, 'Error');
    assert.ok(s.startedAt > 0 && s.finishedAt >= s.startedAt);
    const lines = logLines(s);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] /);
    assert.deepEqual(logContent(s).sort(), ['stderr F err', 'stdout F hi']);
  });

  it('honours env, args and workingDir; exit 0 is Completed', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'env', ['/bin/sh', '-c', 'echo "$GREETING $1 $(pwd)"', 'sh'], {
      args: ['world'],
      envs: [{ key: 'GREETING', value: 'hello' }],
      workingDir: join(stateDir, 'made-by-start'),
    });
    const s = await waitExited(rt, id);
    assert.equal(s.exitCode, 0);
    assert.equal(s.reason, 'Completed');
    assert.deepEqual(logContent(s), [`stdout F hello world ${join(stateDir, 'made-by-start')}`], 'a missing workingDir is created, as runc does');
  });

  it('rejects an image it cannot run without a command, naming the runtime', async () => {
    const rt = newRuntime();
    const sb = sandboxConfig('noimage');
    const sandbox = await rt.runPodSandbox(sb);
    const { command: _, ...noCommand } = containerConfig('nginx', []);
    await assert.rejects(rt.createContainer(sandbox, { ...noCommand, image: { image: 'nginx' } }, sb), (err: Error) => {
      assert.ok(err instanceof ImageNotRunnableError);
      assert.equal(err.message, 'the process runtime cannot run image "nginx" without a command: set command, or use the cri runtime');
      return true;
    });
  });

  it('stops gracefully with SIGTERM when the container traps it', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'trap', ['/bin/sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while :; do sleep 0.05; done']);
    await waitLog(rt, id, 'stdout F ready');
    const t0 = Date.now();
    await rt.stopContainer(id, 10);
    const s = await rt.containerStatus(id);
    assert.ok(Date.now() - t0 < 5000, 'stopped well before the timeout');
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.exitCode, 0);
    assert.ok(logContent(s).includes('stdout F bye'));
  });

  it('kills a container ignoring SIGTERM after the timeout (137)', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'stubborn', ['/bin/sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']);
    await waitLog(rt, id, 'stdout F ready');
    const t0 = Date.now();
    await rt.stopContainer(id, 1);
    const s = await rt.containerStatus(id);
    assert.ok(Date.now() - t0 >= 900, 'waited for the timeout');
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.exitCode, 137);
    assert.equal(s.reason, 'Error');
  });

  it('runs in its own namespaces with the sandbox hostname, under its init as PID 1', { skip: !root && 'needs root for namespaces' }, async () => {
    const rt = newRuntime();
    assert.equal(rt.capabilities().namespaces, true);
    const script = 'hostname; echo $$; cat /proc/1/comm; for n in pid mnt uts ipc; do readlink /proc/self/ns/$n; done; exit 9';
    const { id } = await runContainer(rt, 'ns', ['/bin/sh', '-c', script]);
    const s = await waitExited(rt, id);
    assert.equal(s.exitCode, 9, 'the init passes the command\'s exit code on');
    const [host, pid, init, ...ns] = logContent(s);
    assert.equal(host, 'stdout F ns-host');
    assert.equal(pid, 'stdout F 2', 'the command is the first child of PID 1');
    assert.equal(init, 'stdout F sh', 'PID 1 is the init wrapper');
    assert.equal(ns.length, 4);
    ['pid', 'mnt', 'uts', 'ipc'].forEach((n, i) => assert.notEqual(ns[i], `stdout F ${readlinkSync(`/proc/self/ns/${n}`)}`, `own ${n} namespace`));
    assert.notEqual(hostname(), 'ns-host', 'the host keeps its hostname');
  });

  it('execs a command inside a running container', { skip: !root && 'needs root for namespaces' }, async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'exec', ['/bin/sh', '-c', 'echo ready; exec sleep 1000'], { envs: [{ key: 'X', value: 'y' }], workingDir: '/tmp' });
    await waitLog(rt, id, 'stdout F ready');
    const r = await rt.execSync(id, ['/bin/sh', '-c', 'echo "$(hostname) $X $(pwd)"; cat /proc/2/comm; exit 4'], 5000);
    assert.equal(r.stdout.toString(), 'exec-host y /tmp\nsleep\n');
    assert.equal(r.exitCode, 4);
    const t0 = Date.now();
    await assert.rejects(rt.execSync(id, ['/bin/sleep', '10'], 200), ExecTimeoutError);
    assert.ok(Date.now() - t0 < 3000, 'the timed-out command was killed');
    await rt.stopContainer(id, 0);
    assert.equal((await rt.containerStatus(id)).exitCode, 137);
  });

  it('ends a container over its memory limit as OOMKilled (137)', { skip: !cgroups && 'needs root and a cgroup v2 (or v1) memory controller' }, async () => {
    const rt = newRuntime();
    // The shell grows a string by doubling until it outgrows 32 MiB.
    const { id } = await runContainer(rt, 'oom', ['/bin/sh', '-c', 'x=0123456789abcdef; while :; do x="$x$x"; done'], {
      linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000 } },
    });
    const s = await waitExited(rt, id, 20_000);
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.reason, 'OOMKilled');
    assert.equal(s.exitCode, 137);
  });

  it('re-adopts running containers from the state dir and reports their exit later', async () => {
    const first = newRuntime();
    const { sandbox, id } = await runContainer(first, 'adopt', ['/bin/sh', '-c', 'echo ready; read line < /dev/null; sleep 1; exit 7']);
    assert.equal((await first.containerStatus(id)).state, 'CONTAINER_RUNNING');
    // A new runtime on the same state dir, as after an agent restart.
    const second = newRuntime();
    assert.deepEqual((await second.listPodSandbox()).map((s) => s.id).filter((s) => s === sandbox), [sandbox]);
    const running = (await second.listContainers({ podSandboxId: sandbox })).map((c) => [c.id, c.state]);
    assert.deepEqual(running, [[id, 'CONTAINER_RUNNING']]);
    const s = await waitExited(second, id);
    assert.equal(s.exitCode, 7);
    assert.equal(s.reason, 'Error');
  });

  it('keeps containers running across an agent process that exits, and records exits meanwhile', async () => {
    // A separate node process plays the agent: it starts two containers and exits.
    const script = `
      import { ProcessRuntime } from ${JSON.stringify(new URL('./process-runtime.ts', import.meta.url).href)};
      const rt = new ProcessRuntime({ stateDir: ${JSON.stringify(stateDir)} });
      const sb = { metadata: { name: 'agent', namespace: 'default', uid: 'uid-agent', attempt: 0 }, hostname: 'agent-host', hostNetwork: false, labels: {}, annotations: {} };
      const sandbox = await rt.runPodSandbox(sb);
      const c = (name, cmd) => ({ metadata: { name, attempt: 0 }, image: { image: 'busybox' }, labels: {}, annotations: {}, command: ['/bin/sh', '-c', cmd] });
      const long = await rt.createContainer(sandbox, c('long', 'exec sleep 1000'), sb);
      await rt.startContainer(long);
      const short = await rt.createContainer(sandbox, c('short', 'sleep 0.3; exit 5'), sb);
      await rt.startContainer(short);
      console.log(JSON.stringify({ sandbox, long, short }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    const ids = JSON.parse(out) as { sandbox: string; long: string; short: string };
    await new Promise((r) => setTimeout(r, 600)); // the short one exits while no agent runs
    const rt = newRuntime();
    const states = Object.fromEntries((await rt.listContainers({ podSandboxId: ids.sandbox })).map((c) => [c.metadata.name, [c.id, c.state, c.exitCode]]));
    assert.deepEqual(states, { long: [ids.long, 'CONTAINER_RUNNING', 0], short: [ids.short, 'CONTAINER_EXITED', 5] });
    await rt.stopContainer(ids.long, 0);
    assert.equal((await rt.containerStatus(ids.long)).exitCode, 137);
  });

  it('runs plain process groups without isolation, stopping the whole group', async () => {
    const rt = newRuntime({ isolation: false });
    assert.deepEqual({ ns: rt.capabilities().namespaces, cg: rt.capabilities().cgroups }, { ns: false, cg: 'none' });
    assert.match((await rt.version()).runtimeVersion, /process groups only/);
    const { id } = await runContainer(rt, 'plain', ['/bin/sh', '-c', 'hostname; sleep 1000 & echo child $!; wait']);
    await waitLog(rt, id, `stdout F ${hostname()}`);
    await waitLog(rt, id, 'stdout F child', 5000, true);
    const child = Number(logContent(await rt.containerStatus(id)).find((l) => l.startsWith('stdout F child'))?.split(' ')[3]);
    assert.ok(child > 1);
    await rt.stopContainer(id, 5);
    const s = await rt.containerStatus(id);
    assert.equal(s.exitCode, 143, 'the shell ended by SIGTERM');
    // Gone or a zombie: an orphan waits for the host's init to reap it.
    assert.equal(processStartTime(child), undefined, 'its background child got the signal too');
  });

  it('fails startContainer of a missing executable with a StartError status', async () => {
    const rt = newRuntime({ isolation: false });
    const sb = sandboxConfig('missing');
    const sandbox = await rt.runPodSandbox(sb);
    const id = await rt.createContainer(sandbox, containerConfig('missing', ['/nonexistent/binary']), sb);
    await assert.rejects(rt.startContainer(id), /process runtime could not start "\/nonexistent\/binary"/);
    const s = await rt.containerStatus(id);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 128, 'StartError']);
  });

  it('feeds stdin from the container FIFO when stdin is set', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'stdin', ['/bin/sh', '-c', 'read line; echo "got $line"'], { stdin: true });
    writeFileSync(join(stateDir, 'containers', id, 'stdin'), 'hello\n');
    const s = await waitExited(rt, id);
    assert.equal(s.exitCode, 0);
    assert.deepEqual(logContent(s), ['stdout F got hello']);
  });

  it('starts a new log file on reopenContainerLog after the agent rotated the old one away', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'reopen', ['/bin/sh', '-c', 'i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.02; done']);
    await waitLog(rt, id, 'stdout F tick 1');
    const logPath = (await rt.containerStatus(id)).logPath ?? '';
    renameSync(logPath, `${logPath}.rotated`);
    await rt.reopenContainerLog(id);
    await new Promise((r) => setTimeout(r, 200));
    const fresh = logContent(await rt.containerStatus(id));
    assert.ok(fresh.length > 0 && fresh.every((l) => l.startsWith('stdout F tick ')), 'the new file has the later lines');
    const old = readFileSync(`${logPath}.rotated`, 'utf8').trim().split('\n');
    assert.equal(Number(fresh[0]?.split(' ')[3]), Number(old.at(-1)?.split(' ').at(-1)) + 1, 'no line lost between the files');
    await rt.stopContainer(id, 0);
  });

  it('reports a container whose process and supervisor both vanished as exited Unknown (255)', async () => {
    const rt = newRuntime();
    const { id } = await runContainer(rt, 'vanish', ['/bin/sh', '-c', 'exec sleep 1000']);
    const started = readJson<StartedRecord>(join(stateDir, 'containers', id, 'started.json'));
    assert.ok(started);
    process.kill(started.supervisorPid, 'SIGKILL');
    process.kill(-started.pid, 'SIGKILL');
    const s = await waitExited(rt, id);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 255, 'Unknown']);
    assert.match(s.message ?? '', /process runtime lost the container/);
  });

  it('rotates a container log by size', async () => {
    const rt = newRuntime({ log: { maxBytes: 4096, maxFiles: 3 } });
    const { id } = await runContainer(rt, 'rotate', ['/bin/sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done']);
    const s = await waitExited(rt, id);
    assert.equal(s.exitCode, 0);
    const logPath = s.logPath ?? '';
    const dir = join(logPath, '..');
    const files = readdirSync(dir).filter((f) => f.startsWith('container.log')).sort();
    assert.deepEqual(files, ['container.log', 'container.log.1', 'container.log.2']);
    for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 4096);
    assert.match(logLines(s).at(-1) ?? '', /stdout F line 299$/);
  });

  it('removes a container with its process, cgroup and records', async () => {
    const rt = newRuntime();
    const { sandbox, id } = await runContainer(rt, 'remove', ['/bin/sh', '-c', 'exec sleep 1000'], { linux: { resources: { memoryLimitInBytes: 64 * 1024 * 1024 } } });
    const started = readJson<StartedRecord>(join(stateDir, 'containers', id, 'started.json'));
    assert.ok(started);
    await rt.removePodSandbox(sandbox);
    assert.equal(processStartTime(started.pid), undefined, 'the process is gone');
    await assert.rejects(rt.containerStatus(id), /not found/);
    assert.deepEqual(readdirSync(join(stateDir, 'containers')).filter((c) => c === id), []);
    if (cgroups?.version === 'v1') assert.throws(() => readdirSync(`/sys/fs/cgroup/memory/strata/${sandbox}`), /ENOENT/);
    if (cgroups?.version === 'v2') assert.throws(() => readdirSync(`/sys/fs/cgroup/strata/${sandbox}`), /ENOENT/);
  });
});

async function waitLog(rt: ProcessRuntime, id: string, content: string, timeoutMs = 5000, prefix = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await rt.containerStatus(id);
    try {
      if (logContent(s).some((l) => (prefix ? l.startsWith(content) : l === content))) return;
    } catch {
      // no log yet
    }
    if (Date.now() > deadline) throw new Error(`log of ${id} never had ${content}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
