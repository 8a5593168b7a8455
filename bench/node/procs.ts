// Child processes and /proc readings for the node benchmark: `strata up|server|agent` spawned as
// the user runs them (node src/cmd/main.ts), waits on the lines they print, and a process's RSS
// and CPU time read from /proc (the agent's own process, not its detached container supervisors).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * The entry the children run: dist/ (what `npx strata` runs; the benchmark builds it first) or the
 * TypeScript sources (`node src/cmd/main.ts`, which pays for type stripping in memory and time).
 */
let main = path.join(ROOT, 'dist/cmd/main.js');
/** Node flags for the strata children (e.g. V8 heap sizing). */
let nodeFlags: string[] = [];

export function useEntry(entry: 'dist' | 'src', flags: string[] = []): void {
  main = path.join(ROOT, entry === 'dist' ? 'dist/cmd/main.js' : 'src/cmd/main.ts');
  nodeFlags = flags;
}

/** Runs a strata command to completion and returns its stdout. */
export function strataSync(args: string[]): string {
  return execFileSync(process.execPath, [main, ...args], { encoding: 'utf8' });
}

export interface Child {
  proc: ChildProcess;
  /** Wall-clock ms (performance.now) when it was spawned. */
  spawnedAt: number;
  output(): string;
  /** Resolves with performance.now() when `pattern` first appears in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Spawns `node src/cmd/main.ts <args>` (or another command with `command`). */
export function spawnChild(args: string[], command: string = process.execPath, withMain = true): Child {
  const spawnedAt = performance.now();
  const proc = spawn(command, withMain ? [...nodeFlags, main, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  proc.once('exit', () => {
    for (const w of [...waiters]) w();
  });
  return {
    proc,
    spawnedAt,
    output: () => out,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`))), timeoutMs);
        const done = (fn: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        const check = (): void => {
          if (pattern.test(out)) done(() => resolve(performance.now()));
          else if (proc.exitCode !== null || proc.signalCode !== null) done(() => reject(new Error(`exited (${proc.exitCode ?? proc.signalCode}) before ${pattern}:\n${out}`)));
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PAGE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;

/** Resident set size in bytes (from /proc/<pid>/statm), or 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
  } catch {
    return 0;
  }
}

/**
 * Proportional set size in bytes (/proc/<pid>/smaps_rollup): the process's private pages plus its
 * share of pages mapped by others too. RSS counts every page of the node binary a process touched,
 * though all Node.js processes on the machine share them; PSS splits them among those processes.
 */
export function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds the process has used (its own threads, not its children). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Pids whose command line contains every one of `parts`. */
export function pidsWith(...parts: string[]): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (parts.every((p) => cmd.includes(p))) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The 1-minute load average (the machine is shared: figures are read beside it). */
export function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export interface IdleSample {
  rssMeanMiB: number;
  rssMaxMiB: number;
  /** PSS at the end of the window. */
  pssMiB: number;
  cpuPercent: number;
}

/** Samples `pid` every second for `seconds`: RSS mean and max, CPU % of one core over the window. */
export async function sampleIdle(pid: number, seconds: number): Promise<IdleSample> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const rss: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssBytes(pid));
  }
  const wall = (performance.now() - t0) / 1000;
  const MiB = 2 ** 20;
  return {
    rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length / MiB,
    rssMaxMiB: Math.max(...rss) / MiB,
    pssMiB: pssBytes(pid) / MiB,
    cpuPercent: ((cpuSeconds(pid) - cpu0) / wall) * 100,
  };
}
