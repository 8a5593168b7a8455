// Helpers the process runtime uses on processes: starting a container's detached supervisor and
// waiting for its report, signalling process groups, finding the init of a PID namespace, and
// removing a cgroup once its killed processes have left it.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CgroupDriver } from './cgroups.ts';

const START_TIMEOUT_MS = 10_000;
const SUPERVISOR = fileURLToPath(new URL(`./supervisor${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Starts the detached supervisor of the container in `dir` and waits for its one report. */
export function startSupervisor(dir: string): Promise<{ pid: number } | { error: string }> {
  return new Promise((resolve, reject) => {
    // Its stderr goes to a file of its own: the agent's may be gone long before the supervisor.
    const errFd = openSync(join(dir, 'supervisor.log'), 'a');
    const child = spawn(process.execPath, [SUPERVISOR, dir], { detached: true, stdio: ['ignore', 'pipe', errFd], cwd: '/' });
    closeSync(errFd);
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the process runtime's supervisor did not report within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdout?.once('close', () => {
      clearTimeout(timer);
      child.unref();
      try {
        resolve(JSON.parse(out.split('\n')[0] ?? '') as { pid: number } | { error: string });
      } catch {
        const why = (out || readTail(join(dir, 'supervisor.log'), 500)).trim();
        reject(new Error(`the process runtime's supervisor ended without reporting${why ? `: ${why}` : ''}`));
      }
    });
  });
}

/** Removes a container's cgroup, waiting out the moment its killed processes take to leave it. */
export async function removeCgroup(driver: CgroupDriver, sandboxId: string, containerId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      driver.remove(sandboxId, containerId);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** The first child of `pid` (unshare --fork has exactly one). */
export function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    if (first) return Number(first);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan for the parent pid.
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(name);
    } catch {
      // It ended while we looked.
    }
  }
  return undefined;
}

export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    spawn(cmd, args, { stdio: 'ignore' })
      .once('error', reject)
      .once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

function readTail(path: string, chars: number): string {
  try {
    return readFileSync(path, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}
