// `strata up` black-box: one process brings up API server, controllers, scheduler and a node for
// this machine; a Deployment's pod really runs (a python HTTP server answering on its port);
// Ctrl-C stops the pod processes with the cluster, and `strata up` again brings both back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, parseTable, REPO, StrataProcess } from './harness.ts';

interface Up {
  child: ChildProcess;
  output: () => string;
}

/** Spawns `strata up` and resolves once it prints its final message. */
async function startUp(dataDir: string, port: number): Promise<Up> {
  const child = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'up', '--data-dir', dataDir, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Strata is up')) {
    if (child.exitCode !== null) throw new Error(`strata up exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`strata up did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out };
}

/** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
async function interrupt(up: Up): Promise<number | null> {
  if (up.child.exitCode !== null) return up.child.exitCode;
  const exited = new Promise<number | null>((r) => up.child.once('exit', (code) => r(code)));
  up.child.kill('SIGINT');
  const timer = setTimeout(() => up.child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

const pids = (marker: string): number[] =>
  (spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);

async function httpStatus(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

test('strata up runs a node for this machine whose pods are real processes, stopped on Ctrl-C and back on the next up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-up-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const webPort = await freePort();
  // The pod serves this directory: its path is the marker that finds the pod's processes.
  const marker = join(dir, `web-${randomBytes(6).toString('hex')}`);
  mkdirSync(marker);
  const kube = new StrataProcess(dataDir, port);
  let up: Up | undefined;
  t.after(async () => {
    if (up) await interrupt(up);
    for (const pid of pids(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  up = await startUp(dataDir, port);
  const first = up.output();
  const api = /API server ready at \S+ \((\d+\.\d) s\)/.exec(first);
  const node = /node (\S+) Ready \((\d+\.\d) s\)/.exec(first);
  assert.ok(api, `an API server progress line:\n${first}`);
  assert.ok(node, `a node Ready progress line:\n${first}`);
  assert.match(first, /✔ controllers/);
  assert.match(first, /✔ scheduler/);
  assert.match(first, new RegExp(`export KUBECONFIG=${join(dataDir, 'kubeconfig')}`));
  t.diagnostic(`API server ready ${api[1]} s, node Ready ${node[2]} s after start`);
  const nodeName = node[1]!;

  const nodes = parseTable(kube.k(['get', 'nodes']));
  assert.deepEqual(nodes.map((n) => [n['NAME'], n['STATUS']]), [[nodeName, 'Ready']]);

  kube.k(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'python:3', command: ['python3', '-m', 'http.server', String(webPort), '--directory', marker] }] },
        },
      },
    }),
  });
  const runningPods = async (): Promise<Record<string, string>[] | false> => {
    const rows = parseTable(kube.k(['get', 'pods', '-l', 'app=web', '-o', 'wide']));
    return rows.length === 1 && rows.every((r) => r['STATUS'] === 'Running' && r['READY'] === '1/1') && rows;
  };
  const rows = await eventually('the web pod Running', runningPods, 30_000, 200);
  assert.equal(rows[0]!['NODE'], nodeName);
  assert.equal(await eventually('the web server answering', () => httpStatus(webPort), 15_000, 200), 200);
  assert.ok(pids(marker).length > 0, 'the pod runs as processes on this machine');

  assert.equal(await interrupt(up), 0, 'Ctrl-C stops strata up cleanly');
  up = undefined;
  assert.deepEqual(pids(marker), [], 'no pod process outlives strata up');
  assert.equal(await httpStatus(webPort), undefined);

  up = await startUp(dataDir, port);
  assert.match(up.output(), new RegExp(`node ${nodeName} Ready`));
  const again = await eventually('the web pod Running again', runningPods, 30_000, 200);
  assert.equal(again[0]!['NAME'], rows[0]!['NAME'], 'the same Deployment\'s pod, restarted in place');
  assert.equal(await eventually('the web server answering again', () => httpStatus(webPort), 15_000, 200), 200);
});
