// Helpers for the node e2e tests: `strata up` and `strata agent` as child processes (so a test
// can SIGKILL them), kubectl against the cluster through StrataProcess, and cleanup of the pod
// processes a test started (found by a marker string in their command line).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually, REPO, StrataProcess } from './harness.ts';

const MAIN = join(REPO, 'src/cmd/main.ts');

/** A `strata up` child; `kube` runs kubectl against it. */
export interface UpProcess {
  readonly kube: StrataProcess;
  child: ChildProcess;
  /** Everything printed by every run so far. */
  output(): string;
  /** Starts `strata up` again on the same data dir and port (after stop or kill). */
  restart(): Promise<void>;
  /** SIGINT (Ctrl-C, pods stop with it) unless told otherwise; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const helps = new Map<string, string>();

/**
 * `--kubelet-port 0` (any free port) when the command has the flag: the agent's HTTPS endpoint
 * defaults to 10250, which another cluster on this machine (a parallel test) may hold.
 */
export function anyKubeletPort(command: 'up' | 'agent'): string[] {
  if (!helps.has(command)) helps.set(command, strataCli([command, '--help']).stdout);
  return helps.get(command)!.includes('--kubelet-port') ? ['--kubelet-port', '0'] : [];
}

async function spawnUp(dataDir: string, port: number, args: string[], sink: (s: string) => void, from: () => number, text: () => string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'up', '--data-dir', dataDir, '--port', String(port), ...anyKubeletPort('up'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => sink(d.toString()));
  child.stderr.on('data', (d: Buffer) => sink(d.toString()));
  const start = from();
  const deadline = Date.now() + 45_000;
  while (!text().includes('Strata is up', start)) {
    if (child.exitCode !== null) throw new Error(`strata up exited with ${child.exitCode}:\n${text().slice(start)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`strata up did not come up:\n${text().slice(start)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** Spawns `strata up` and resolves once it says it is up. */
export async function startUp(dataDir: string, port: number, args: string[] = []): Promise<UpProcess> {
  let out = '';
  const sink = (s: string): void => void (out += s);
  const launch = (): Promise<ChildProcess> => spawnUp(dataDir, port, args, sink, () => out.length, () => out);
  const up: UpProcess = {
    kube: new StrataProcess(dataDir, port),
    child: await launch(),
    output: () => out,
    async restart() {
      up.child = await launch();
    },
    async stop(signal = 'SIGINT') {
      return stopProcess(up.child, signal);
    },
  };
  return up;
}

/** Signals a child and waits for it to exit (SIGKILL after 30 s); resolves with the exit code. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** A `strata agent` child joined to a cluster. */
export interface AgentProcess {
  child: ChildProcess;
  output(): string;
}

/** Spawns `strata agent` and waits until it says it joined. */
export async function startAgentProcess(args: string[]): Promise<AgentProcess> {
  const child = spawn(process.execPath, [MAIN, 'agent', '--log-level', 'warn', ...anyKubeletPort('agent'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await eventually('the agent to join', () => {
      if (child.exitCode !== null) throw new Error(`strata agent exited with ${child.exitCode}:\n${out}`);
      return /joined/.test(out);
    }, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, output: () => out };
}

/** Runs a strata CLI command to completion. */
export function strataCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Pids of processes whose command line contains `marker`. */
export function pidsWith(marker: string): number[] {
  return (spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
}

/** SIGKILLs every process whose command line contains `marker` (pod processes a test left). */
export function killAllWith(marker: string): void {
  for (const pid of pidsWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A pod's JSON from kubectl, or undefined when it does not exist. */
export function getJson(kube: StrataProcess, args: string[]): any {
  const r = kube.kubectl(['get', ...args, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

/** The events about one object, as kubectl lists them. */
export function eventsFor(kube: StrataProcess, name: string, namespace = 'default'): { reason: string; message: string; type: string; count?: number }[] {
  const list = getJson(kube, ['events', '-n', namespace, '--field-selector', `involvedObject.name=${name}`]);
  return list?.items ?? [];
}
