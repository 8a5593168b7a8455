// Baselines for the node benchmark, measured in the same run: what the machine itself charges
// for the work the agent wraps. A bare fork/exec of the pods' command (spawn `sleep 3600`, wait
// for 'spawn'), the start of a bare Node.js process (to the first byte it prints), and the RSS of
// an idle bare Node.js process.

import { spawn } from 'node:child_process';
import { pssBytes, rssBytes } from './procs.ts';

/** Milliseconds from spawn() to the 'spawn' event of `sleep 3600`, `n` times one after another. */
export async function bareSpawnMs(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    out.push(performance.now() - t0);
    child.kill('SIGKILL');
  }
  return out;
}

/** Milliseconds from spawn() to the first output of `node -e` (Node's own start-up). */
export async function bareNodeStartMs(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("up")'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    out.push(performance.now() - t0);
    await new Promise((r) => child.once('exit', r));
  }
  return out;
}

/** RSS and PSS (MiB) of an idle `node -e setInterval` after it settled for `settleMs`. */
export async function bareNodeRssMiB(settleMs = 3000): Promise<{ rss: number; pss: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, settleMs));
  const out = { rss: rssBytes(child.pid!) / 2 ** 20, pss: pssBytes(child.pid!) / 2 ** 20 };
  child.kill('SIGKILL');
  return out;
}
