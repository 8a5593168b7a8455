// Runs a command to completion and collects its output: the process runtime's ExecSync (exec
// probes, later `kubectl exec`). The command gets its own process group, killed whole on timeout.

import { spawn } from 'node:child_process';
import type { ExecSyncResult } from '../cri.ts';
import { constants } from 'node:os';

export interface ExecOptions {
  env: Record<string, string>;
  cwd: string;
  /** 0: no limit. */
  timeoutMs: number;
}

export class ExecTimeoutError extends Error {
  constructor(cmd: readonly string[], timeoutMs: number) {
    super(`command ${JSON.stringify(cmd)} timed out after ${timeoutMs} ms`);
    this.name = 'ExecTimeoutError';
  }
}

export function runExec(cmd: readonly string[], o: ExecOptions): Promise<ExecSyncResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = cmd;
    if (!file) {
      reject(new Error('exec: empty command'));
      return;
    }
    const child = spawn(file, args, { env: o.env, cwd: o.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    let timedOut = false;
    const timer =
      o.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-(child.pid ?? 0), 'SIGKILL');
            } catch {
              // Already gone.
            }
          }, o.timeoutMs)
        : undefined;
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new ExecTimeoutError(cmd, o.timeoutMs));
      else resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0) });
    });
  });
}
