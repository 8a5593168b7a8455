// The server under test: `strata server` started as a child process exactly as users run it
// (bin/strata.js server --data-dir <tmp> --port <free>: the compiled dist/ that `npx strata`
// runs), optionally under `--cpu-prof`.
// Readiness is the "API server ready" log line, as in test/e2e/harness.ts. The process's RSS and
// CPU time are read from /proc/<pid>.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
const READY_LINE = 'API server ready';
const LOG_TAIL = 64 * 1024;
/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

export interface ServerOptions {
  /** Directory for V8 CPU profiles (`node --cpu-prof`); written when the server exits. */
  readonly cpuProfileDir?: string | undefined;
  /** More node flags for the server process. */
  readonly nodeArgs?: readonly string[];
  /** Also append the server's output to this file. */
  readonly logFile?: string | undefined;
  readonly readyTimeoutMs?: number;
}

export class ServerProcess {
  readonly dataDir: string;
  readonly port: number;
  readonly host = '127.0.0.1';
  readonly #child: ChildProcess;
  #log = '';

  private constructor(dataDir: string, port: number, child: ChildProcess, logFile: string | undefined) {
    this.dataDir = dataDir;
    this.port = port;
    this.#child = child;
    const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    if (file) child.once('exit', () => file.end());
    const keep = (d: Buffer): void => {
      this.#log = (this.#log + d.toString()).slice(-LOG_TAIL);
      file?.write(d);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-api-'));
    const port = await freePort();
    const nodeArgs = [...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []), ...(options.nodeArgs ?? [])];
    const child = spawn(process.execPath, [...nodeArgs, join(REPO, 'bin/strata.js'), 'server', '--data-dir', dataDir, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    const server = new ServerProcess(dataDir, port, child, options.logFile);
    try {
      await server.#waitReady(options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      await server.stop();
      server.removeDataDir();
      throw err;
    }
    return server;
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) throw new Error(`strata server exited with ${this.#child.exitCode}:\n${this.#log}`);
      if (this.#log.includes(READY_LINE)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`strata server did not become ready in ${timeoutMs} ms:\n${this.#log}`);
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  get kubeconfig(): string {
    return join(this.dataDir, 'kubeconfig');
  }

  get log(): string {
    return this.#log;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resident set size in bytes (VmRSS). */
  rssBytes(): number {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    if (!m) throw new Error(`no VmRSS for pid ${this.pid}`);
    return Number(m[1]) * 1024;
  }

  /**
   * CPU time in ms, all threads: the sum of /proc/<pid>/task/<tid>/schedstat (nanoseconds, so
   * short phases are measured well), or /proc/<pid>/stat (10 ms ticks) when schedstat is missing.
   */
  cpuMs(): number {
    try {
      let ns = 0;
      for (const tid of readdirSync(`/proc/${this.pid}/task`)) {
        try {
          ns += Number(readFileSync(`/proc/${this.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        } catch {
          // the thread ended between readdir and read
        }
      }
      return ns / 1e6;
    } catch {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    }
  }

  /** SIGTERM, then SIGKILL after 10 s; returns the exit code. */
  async stop(): Promise<number | null> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  }

  removeDataDir(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The .cpuprofile files written into `dir`. */
export function cpuProfiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
}
