// The per-container supervisor (the process runtime's conmon/shim): `node supervisor.ts <dir>`,
// started detached by the runtime so it outlives agent restarts. It runs spec.json's argv in a
// new process group, writes the container's stdout/stderr to its CRI log, records the pid and
// start time in started.json, and when the container ends writes exit.json (exit code, or 128 +
// signal, finish time, Completed/Error/OOMKilled). An adopting agent reads those files: it never
// needs waitpid on a process it did not start. SIGHUP reopens the log file.
// It reports to the runtime once on stdout (a JSON line: {pid} or {error}) and then closes it.
// Attaches read the live output from its socket (attach-socket.ts).

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants } from 'node:os';
import { detectCgroups } from './cgroups.ts';
import { AttachBroadcaster } from './attach-socket.ts';
import { CriLogWriter } from './cri-log-writer.ts';
import { processStartTime, readJson, writeJson, type ExitRecord, type StartedRecord, type SupervisorSpec } from './state-store.ts';

/** How long after the container's exit its pipes may stay open (held by an orphaned grandchild). */
const DRAIN_MS = 1000;

function main(dir: string): void {
  const spec = readJson<SupervisorSpec>(join(dir, 'spec.json'));
  if (!spec) throw new Error(`no spec.json in ${dir}`);
  // Fixed now: the working directory changes below (attach-socket.ts) and the log is reopened later.
  spec.logPath = resolve(spec.logPath);
  const log = new CriLogWriter(spec.logPath, spec.log);
  // A report to an agent that is gone must not end the supervisor.
  process.stdout.on('error', () => {});
  let reported = false;
  const report = (msg: object): void => {
    if (reported) return;
    reported = true;
    process.stdout.end(`${JSON.stringify(msg)}\n`);
  };
  const attach = new AttachBroadcaster(dir);
  let finished = false;
  const finish = (rec: ExitRecord): void => {
    if (finished) return;
    finished = true;
    log.close();
    writeJson(join(dir, 'exit.json'), rec);
    report({ error: rec.message });
    // Attaches get the last output, then see the socket close after the exit record exists.
    void attach.close().then(() => process.exit(0));
  };

  // The supervisor holds a writer on the stdin FIFO so the container reads no EOF while no attach
  // is connected (opened O_RDWR, it does not wait for a reader). The container gets a read-only
  // end, so once the runtime asks (SIGUSR2, stdinOnce after the first attach) and the holder is
  // closed, the container sees EOF when the last attach lets go.
  let stdinHolder = spec.stdinFifo ? openSync(spec.stdinFifo, 'r+') : undefined;
  const stdinFd = spec.stdinFifo ? openSync(spec.stdinFifo, 'r') : 'ignore';
  process.on('SIGUSR2', () => {
    if (stdinHolder !== undefined) closeSync(stdinHolder);
    stdinHolder = undefined;
  });
  const child = spawn(spec.argv[0] ?? '/bin/false', spec.argv.slice(1), {
    env: spec.env,
    cwd: spec.cwd,
    detached: true,
    stdio: [stdinFd, 'pipe', 'pipe'],
  });
  if (typeof stdinFd === 'number') closeSync(stdinFd);

  child.once('error', (err) => {
    finish({ exitCode: 128, signal: '', finishedAt: Date.now(), reason: 'StartError', message: `the process runtime could not start ${JSON.stringify(spec.argv[0])}: ${err.message}` });
  });
  child.once('spawn', () => {
    const pid = child.pid ?? 0;
    const rec: StartedRecord = {
      pid,
      pidStart: processStartTime(pid) ?? 0,
      supervisorPid: process.pid,
      supervisorStart: processStartTime(process.pid) ?? 0,
      startedAt: Date.now(),
    };
    writeJson(join(dir, 'started.json'), rec);
    report({ pid });
  });

  let open = 2;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const done = (): void => {
    if (!exit) return;
    const { code, signal } = exit;
    const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
    const oom = spec.cgroup ? (detectCgroups()?.oomKilled(spec.cgroup.sandboxId, spec.cgroup.containerId) ?? false) : false;
    const reason = oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
    finish({ exitCode, signal: signal ?? '', finishedAt, reason, message: oom ? 'the container exceeded its memory limit' : '' });
  };
  let finishedAt = 0;
  for (const stream of ['stdout', 'stderr'] as const) {
    const pipe = child[stream];
    pipe?.on('data', (chunk: Buffer) => {
      if (finished) return; // a grandchild still writing after the drain: the log is closed
      log.write(stream, chunk);
      attach.send(stream, chunk);
    });
    pipe?.once('close', () => {
      log.end(stream);
      if (--open === 0) done();
    });
  }
  child.once('exit', (code, signal) => {
    finishedAt = Date.now();
    exit = { code, signal };
    if (open === 0) done();
    else setTimeout(done, DRAIN_MS).unref();
  });

  process.on('SIGHUP', () => log.reopen());
  // The agent's terminal or process group going away must not end the supervisor.
  process.on('SIGINT', () => {});
  process.on('SIGPIPE', () => {});
}

// Absolute: the supervisor changes into the directory (attach-socket.ts).
main(resolve(process.argv[2] ?? '.'));
