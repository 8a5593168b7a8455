// A real containerd (private: its own root, state and socket, scripts/containerd.sh) driven
// through the cri runtime: sandboxes and containers from the offline busybox image, their
// statuses, exit codes, CRI-format logs, exec, mounts, image pull failures and stats.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ImagePullError, RuntimeNotFoundError, type ContainerConfig, type ContainerStatus, type PodSandboxConfig } from '../cri.ts';
import { CriRuntime } from './cri-runtime.ts';
import { BUSYBOX_IMAGE, containerdSkipReason, MISSING_IMAGE, startPrivateContainerd, type PrivateContainerd } from './testing/private-containerd.ts';

const skip = containerdSkipReason();

function sandboxConfig(name: string): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}-${process.pid}`, attempt: 0 },
    hostname: name,
    hostNetwork: true,
    labels: { 'io.kubernetes.pod.name': name },
    annotations: { note: 'kept as given' },
  };
}

function containerConfig(name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: { image: BUSYBOX_IMAGE }, labels: { 'io.kubernetes.container.name': name }, annotations: {}, ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

function text(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString()));
    stream.once('end', () => resolve(s));
    stream.once('error', reject);
  });
}

async function waitFor(rt: CriRuntime, id: string, state: ContainerStatus['state']): Promise<ContainerStatus> {
  for (let i = 0; i < 200; i++) {
    const s = await rt.containerStatus(id);
    if (s.state === state) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`container ${id} never reached ${state}`);
}

describe('cri runtime on a private containerd', { skip }, () => {
  let containerd: PrivateContainerd;
  let rt: CriRuntime;
  const logRoot = mkdtempSync(join(tmpdir(), 'strata-cri-logs-'));
  const hostDir = mkdtempSync(join(tmpdir(), 'strata-cri-mount-'));

  before(async () => {
    containerd = await startPrivateContainerd();
    rt = new CriRuntime({ endpoint: containerd.endpoint, logRoot, logger: pino({ level: 'silent' }) });
  });

  after(async () => {
    if (rt) {
      for (const s of await rt.listPodSandbox().catch(() => [])) {
        await rt.stopPodSandbox(s.id).catch(() => undefined);
        await rt.removePodSandbox(s.id).catch(() => undefined);
      }
      rt.close();
    }
    await containerd?.stop();
    rmSync(logRoot, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('names containerd and its version', async () => {
    const v = await rt.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.match(v.runtimeVersion, /^\d+\.\d+/);
    assert.deepEqual(await rt.ready(), { ready: true });
  });

  it('runs a container to its exit code and keeps its stdout and stderr in a CRI log', async () => {
    const sandboxCfg = sandboxConfig('exits');
    const sandboxId = await rt.runPodSandbox(sandboxCfg);
    const sandbox = await rt.podSandboxStatus(sandboxId);
    assert.equal(sandbox.state, 'SANDBOX_READY');
    assert.equal(sandbox.metadata.uid, sandboxCfg.metadata.uid);
    assert.ok(sandbox.createdAt > Date.now() - 60_000 && sandbox.createdAt <= Date.now());

    const id = await rt.createContainer(sandboxId, containerConfig('main', {
      command: ['sh', '-c'],
      args: ['echo "hello $GREETING"; echo oops >&2; exit 3'],
      envs: [{ key: 'GREETING', value: 'world' }],
    }), sandboxCfg);
    assert.equal((await rt.containerStatus(id)).state, 'CONTAINER_CREATED');
    await rt.startContainer(id);
    const done = await waitFor(rt, id, 'CONTAINER_EXITED');
    assert.equal(done.exitCode, 3);
    assert.equal(done.reason, 'Error');
    assert.equal(done.podSandboxId, sandboxId);
    assert.equal(done.labels['io.kubernetes.container.name'], 'main');
    // containerd stamps a start after runc returns: a container this short may finish "before" it.
    assert.ok(done.startedAt > 0 && done.finishedAt > 0 && Math.abs(done.finishedAt - done.startedAt) < 10_000);
    assert.equal(done.logPath, join(logRoot, `default_exits_${sandboxCfg.metadata.uid}`, 'main', '0.log'));

    const lines = readFileSync(done.logPath!, 'utf8').trim().split('\n');
    assert.ok(lines.some((l) => /^\S+ stdout F hello world$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^\S+ stderr F oops$/.test(l)), lines.join('\n'));

    const listed = await rt.listContainers({ podSandboxId: sandboxId });
    assert.deepEqual(listed.map((c) => [c.id, c.state, c.exitCode]), [[id, 'CONTAINER_EXITED', 3]]);
    assert.ok((await rt.listPodSandbox()).some((s) => s.id === sandboxId && s.metadata.name === 'exits'));
  });

  it('execs in a running container that sees its mounts, and stops it', async () => {
    writeFileSync(join(hostDir, 'greeting'), 'from the host\n');
    const sandboxCfg = sandboxConfig('runs');
    const sandboxId = await rt.runPodSandbox(sandboxCfg);
    const id = await rt.createContainer(sandboxId, containerConfig('sleeper', {
      command: ['sleep', '3600'],
      mounts: [{ containerPath: '/data', hostPath: hostDir, readonly: true }],
      linux: { resources: { memoryLimitInBytes: 64 * 1024 * 1024, cpuShares: 512 } },
    }), sandboxCfg);
    await rt.startContainer(id);
    await waitFor(rt, id, 'CONTAINER_RUNNING');

    const cat = await rt.execSync(id, ['cat', '/data/greeting'], 10_000);
    assert.equal(cat.stdout.toString(), 'from the host\n');
    assert.equal(cat.exitCode, 0);
    const failing = await rt.execSync(id, ['sh', '-c', 'echo no >&2; touch /data/x; exit 7'], 10_000);
    assert.equal(failing.exitCode, 7);
    assert.match(failing.stderr.toString(), /^no\n.*Read-only file system/s);

    const stats = await rt.containerStats(id);
    assert.equal(stats.id, id);
    assert.equal(stats.podSandboxId, sandboxId);
    assert.ok((stats.memory?.usageBytes ?? 0) > 0, 'a running container uses some memory');
    assert.ok((await rt.listContainerStats()).some((s) => s.id === id));

    // PID 1 ignores SIGTERM without a handler: the runtime kills it once the timeout is up.
    await rt.stopContainer(id, 1);
    const stopped = await rt.containerStatus(id);
    assert.equal(stopped.state, 'CONTAINER_EXITED');
    assert.equal(stopped.exitCode, 137);

    await rt.stopPodSandbox(sandboxId);
    assert.equal((await rt.podSandboxStatus(sandboxId)).state, 'SANDBOX_NOTREADY');
    await rt.removePodSandbox(sandboxId);
    await assert.rejects(rt.podSandboxStatus(sandboxId), RuntimeNotFoundError);
    await assert.rejects(rt.containerStatus(id), RuntimeNotFoundError);
    // Removal is idempotent, as CRI asks.
    await rt.removePodSandbox(sandboxId);
    await rt.removeContainer(id);
  });

  it('streams exec sessions and port-forwards through the runtime', async () => {
    const port = await freePort();
    const sandboxCfg = sandboxConfig('streams');
    const sandboxId = await rt.runPodSandbox(sandboxCfg);
    // Host network: the container's listener is on the node's loopback.
    const id = await rt.createContainer(sandboxId, containerConfig('server', { command: ['sh', '-c', `while true; do echo pong | nc -l -p ${port} 127.0.0.1; done`] }), sandboxCfg);
    await rt.startContainer(id);
    await waitFor(rt, id, 'CONTAINER_RUNNING');

    const plain = await rt.exec(id, ['sh', '-c', 'echo out; echo err >&2; exit 5'], { stdin: false, tty: false });
    const [out, err, code] = await Promise.all([text(plain.stdout), text(plain.stderr!), plain.exited]);
    assert.deepEqual([out, err, code], ['out\n', 'err\n', 5]);

    const withStdin = await rt.exec(id, ['head', '-c', '5'], { stdin: true, tty: false });
    withStdin.stdin!.write('hello, world');
    assert.deepEqual(await Promise.all([text(withStdin.stdout), withStdin.exited]), ['hello', 0]);

    // The runtime applies the size once the session is up, maybe after the command started: poll for it.
    const sized = 'for i in $(seq 1 25); do s=$(stty size 2>/dev/null); [ -n "$s" ] && [ "$s" != "0 0" ] && echo "$s" && exit 0; sleep 0.2; done; exit 1';
    const tty = await rt.exec(id, ['sh', '-c', sized], { stdin: false, tty: true, size: { width: 100, height: 30 } });
    assert.equal(tty.stderr, undefined);
    assert.deepEqual(await Promise.all([text(tty.stdout), tty.exited]), ['30 100\r\n', 0]);

    const missing = await rt.exec(id, ['/no/such/binary'], { stdin: false, tty: false });
    const [, missingErr, missingCode] = await Promise.all([text(missing.stdout), text(missing.stderr!), missing.exited]);
    assert.equal(missingCode, 126);
    assert.match(missingErr, /no such file or directory/i);

    const conn = await rt.portForward(sandboxId, port);
    assert.equal(await text(conn), 'pong\n');
  });

  it('attaches to a container\'s own stdin and output', async () => {
    const sandboxCfg = sandboxConfig('attached');
    const sandboxId = await rt.runPodSandbox(sandboxCfg);
    // Reads one line from its stdin, answers, and exits with 9.
    const id = await rt.createContainer(sandboxId, containerConfig('reader', { command: ['sh', '-c', 'read line; echo "got $line"; exit 9'], stdin: true, stdinOnce: true }), sandboxCfg);
    await rt.startContainer(id);
    await waitFor(rt, id, 'CONTAINER_RUNNING');
    const session = await rt.attach(id, { stdin: true, tty: false });
    const out = text(session.stdout);
    session.stdin!.write('hello\n');
    assert.equal(await session.exited, 9);
    assert.equal(await out, 'got hello\n');
    assert.equal((await waitFor(rt, id, 'CONTAINER_EXITED')).exitCode, 9);
  });

  it('rotates a running container\'s log by size and keeps writing to the same path', async () => {
    const rotating = new CriRuntime({ endpoint: containerd.endpoint, logRoot, logger: pino({ level: 'silent' }), logRotation: { maxBytes: 2048, maxFiles: 3, everyMs: 100 } });
    try {
      const sandboxCfg = sandboxConfig('chatty');
      const sandboxId = await rotating.runPodSandbox(sandboxCfg);
      const id = await rotating.createContainer(sandboxId, containerConfig('main', { command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i of a chatty container"; sleep 0.005; done'] }), sandboxCfg);
      await rotating.startContainer(id);
      const { logPath } = await waitFor(rotating, id, 'CONTAINER_RUNNING');
      for (let i = 0; i < 200 && !existsSync(`${logPath!}.2`); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(existsSync(`${logPath!}.1`) && existsSync(`${logPath!}.2`), 'rotated twice');
      await new Promise((r) => setTimeout(r, 300));
      // maxFiles 3: the current file and two rotated ones, never a third.
      assert.equal(existsSync(`${logPath!}.3`), false);
      // After a reopen containerd writes a fresh file at the same path.
      assert.match(readFileSync(logPath!, 'utf8'), /stdout F line \d+ of a chatty container\n$/);
      await rotating.stopContainer(id, 0);
    } finally {
      rotating.close();
    }
  });

  it('fails to create a container whose image cannot be pulled, with ErrImagePull', async () => {
    const sandboxCfg = sandboxConfig('nopull');
    const sandboxId = await rt.runPodSandbox(sandboxCfg);
    await assert.rejects(rt.createContainer(sandboxId, containerConfig('main', { image: { image: MISSING_IMAGE } }), sandboxCfg), (err: unknown) => {
      assert.ok(err instanceof ImagePullError);
      assert.equal(err.reason, 'ErrImagePull');
      assert.match(err.message, /^Failed to pull image "127\.0\.0\.1:9\/strata-test\/not-there:1": .+/);
      return true;
    });
    assert.deepEqual(await rt.listContainers({ podSandboxId: sandboxId }), []);
  });
});
