// Streaming exec for the process runtime (`kubectl exec`): the command runs in the container's
// namespaces (through nsenter, as exec probes do) with its environment and working directory, its
// own process group, and pipes to the caller. With a TTY it runs under pty-helper.py, because Node
// has no pseudo-terminal API: the helper owns the terminal and takes resize requests on fd 3.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { PassThrough, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { StreamingOptions, StreamingProcess } from '../cri.ts';
import { signalGroup } from './process-control.ts';

const PTY_HELPER = fileURLToPath(new URL('./pty-helper.py', import.meta.url));
const PYTHONS = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'];
const KILL_AFTER_MS = 2000;

export interface StreamingExecOptions extends StreamingOptions {
  env: Record<string, string>;
  cwd: string;
}

/** Starts `argv` (already wrapped in nsenter when the container has namespaces). */
export function startStreamingExec(argv: readonly string[], o: StreamingExecOptions): Promise<StreamingProcess> {
  const [file, ...args] = o.tty ? ptyArgv(argv, undefined, o.size) : argv;
  if (!file) return Promise.reject(new Error('exec: empty command'));
  const child = spawn(file, args, {
    // As containerd: a terminal gets TERM=xterm unless the container sets its own.
    env: o.tty ? { TERM: 'xterm', ...o.env } : o.env,
    cwd: o.cwd,
    detached: true,
    stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', o.tty ? 'ignore' : 'pipe', ...(o.tty ? ['pipe' as const] : [])],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      const exited = new Promise<number>((res) => {
        child.once('close', (code, signal) => res(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
        // A failure after spawn (e.g. EPIPE) still ends in 'close'.
        child.on('error', () => {});
      });
      // Writing to a command that already ended must not take the agent down.
      child.stdin?.on('error', () => {});
      const resizeFd = o.tty ? (child.stdio[3] as Writable | null) : null;
      resizeFd?.on('error', () => {});
      const proc: StreamingProcess = {
        stdout: child.stdout ?? new PassThrough().end(),
        resize(width, height) {
          if (resizeFd && width > 0 && height > 0 && !resizeFd.destroyed) resizeFd.write(`${Math.floor(width)} ${Math.floor(height)}\n`);
        },
        exited,
        close() {
          // The client went away: ask the command to stop (a TTY's helper passes it on), then make it.
          const pid = child.pid;
          if (child.exitCode !== null || child.signalCode !== null || !pid) return;
          signalGroup(pid, 'SIGTERM');
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) signalGroup(pid, 'SIGKILL');
          }, KILL_AFTER_MS).unref();
        },
      };
      if (child.stdin) proc.stdin = child.stdin;
      if (child.stderr) proc.stderr = child.stderr;
      resolve(proc);
    });
  });
}

/**
 * `argv` run on a new pseudo-terminal by pty-helper.py. Exec sessions resize through fd 3; a TTY
 * container, whose helper sits inside its namespaces behind the init, through `resizeFifo`.
 */
export function ptyArgv(argv: readonly string[], container?: { resizeFifo: string }, size?: { width: number; height: number }): string[] {
  const python = PYTHONS.find((p) => existsSync(p)) ?? 'python3';
  const opts = container ? ['--resize', container.resizeFifo, '--keep-stdin-open'] : [];
  // 0 0: no size until the client sends its first resize, as with a real terminal before stty.
  const [cols, rows] = size ? [Math.floor(size.width), Math.floor(size.height)] : [0, 0];
  return [python, PTY_HELPER, ...opts, String(cols), String(rows), ...argv];
}
