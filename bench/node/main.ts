// Node benchmark: what the node agent costs beside what the machine charges for the same work,
// both measured in this run (the machine is shared, so ratios travel better than absolutes).
//
//   up        `strata up` on a fresh data dir as a child process: wall time from spawn to
//             "API server ready" and to "node … Ready" (goals ≤ 2 s and ≤ 5 s), --up-runs times;
//             baseline: a bare `node -e` start.
//   startup   on the last of those clusters, --pods pods (`sleep 3600`) created at --qps through
//             the scheduler: create sent → Running seen on a watch, p50/p99; baseline: a bare
//             fork/exec of `sleep 3600` (spawn → 'spawn' event).
//   agent     `strata server` and a `strata agent` (process runtime) joined to it with a token, as
//             separate processes: the agent's RSS and CPU over --idle-seconds idle, with 0 pods
//             and with --agent-pods pods (goal ≤ 60 MB); baseline: an idle bare Node.js process.
//             The pods' supervisors are processes of their own and are reported apart.
//
// Children run dist/ (built first, what `npx strata` runs) unless --entry src; --node-flags passes
// V8/Node flags to them (e.g. --node-flags=--max-semi-space-size=1); --phases picks phases.
//
//   node bench/node/main.ts [--pods 100] [--qps 10] [--up-runs 3] [--agent-pods 10] [--idle-seconds 30]
//        [--entry dist|src] [--phases up,startup,agent] [--node-flags=...]

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RestClient } from '../../src/client/index.ts';
import { removeRuntimeCgroups } from '../../test/support/process-runtime-cleanup.ts';
import { bareNodeRssMiB, bareNodeStartMs, bareSpawnMs } from './baseline.ts';
import { measurePodStartup, quantile } from './pod-startup.ts';
import { freePort, loadAverage, pidsWith, pssBytes, rssBytes, sampleIdle, spawnChild, strataSync, useEntry, type Child } from './procs.ts';

const { values: args } = parseArgs({
  options: {
    pods: { type: 'string', default: '100' },
    qps: { type: 'string', default: '10' },
    'up-runs': { type: 'string', default: '3' },
    'agent-pods': { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '30' },
    entry: { type: 'string', default: 'dist' },
    phases: { type: 'string', default: 'up,startup,agent' },
    'node-flags': { type: 'string', default: '' },
  },
});
const PODS = Number(args.pods);
const QPS = Number(args.qps);
const UP_RUNS = Math.max(1, Number(args['up-runs']));
const AGENT_PODS = Number(args['agent-pods']);
const IDLE_SECONDS = Number(args['idle-seconds']);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const MiB = 2 ** 20;
const PHASES = new Set(args.phases.split(','));
if (args.entry !== 'dist' && args.entry !== 'src') throw new Error('--entry is dist or src');
if (args.entry === 'dist') execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../../scripts/build.ts')], { stdio: 'inherit' });
useEntry(args.entry, args['node-flags'].split(' ').filter(Boolean));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-node-'));
const children: Child[] = [];
process.on('exit', () => {
  // Pod processes left by a failed run (their supervisors carry the data dir in their argv).
  for (const pid of pidsWith(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
const track = (c: Child): Child => (children.push(c), c);

out(`node benchmark (${args.entry}${args['node-flags'] ? ` ${args['node-flags']}` : ''}) — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${loadAverage()}`);

// ---- baselines ----
const spawnMs = await bareSpawnMs(50);
const nodeStartMs = await bareNodeStartMs(5);
const nodeRss = await bareNodeRssMiB();
const spawnP50 = quantile(spawnMs, 0.5);
out(`baseline: fork/exec sleep p50 ${ms(spawnP50)} p99 ${ms(quantile(spawnMs, 0.99))}; bare node start p50 ${ms(quantile(nodeStartMs, 0.5))}; idle bare node RSS ${nodeRss.rss.toFixed(1)} MiB, PSS ${nodeRss.pss.toFixed(1)} MiB`);

// ---- strata up: time to API ready and node Ready, then pod startup on its node ----
async function upAndStartup(): Promise<void> {
  interface UpRun {
    apiMs: number;
    nodeMs: number;
    upMs: number;
  }
  const upRuns: UpRun[] = [];
  let up: Child | undefined;
  let upDir = '';
  for (let i = 0; i < UP_RUNS; i++) {
    if (up) {
      await up.stop('SIGINT');
      await removeRuntimeCgroups(upDir);
      fs.rmSync(upDir, { recursive: true, force: true });
    }
    upDir = path.join(dir, `up-${i}`);
    up = track(spawnChild(['up', '--data-dir', upDir, '--port', String(await freePort()), '--node-name', 'bench-up']));
    const api = await up.waitFor(/API server ready/);
    const node = await up.waitFor(/node bench-up Ready/);
    const done = await up.waitFor(/Strata is up/);
    upRuns.push({ apiMs: api - up.spawnedAt, nodeMs: node - up.spawnedAt, upMs: done - up.spawnedAt });
  }
  const med = (f: (r: UpRun) => number): number => quantile(upRuns.map(f), 0.5);
  out(`strata up (${UP_RUNS} runs, median): API ready ${ms(med((r) => r.apiMs))} (goal ≤ 2000 ms), node Ready ${ms(med((r) => r.nodeMs))} (goal ≤ 5000 ms), "Strata is up" ${ms(med((r) => r.upMs))}; ×${(med((r) => r.apiMs) / quantile(nodeStartMs, 0.5)).toFixed(1)} a bare node start to API ready`);
  out(`  runs: ${upRuns.map((r) => `${r.apiMs.toFixed(0)}/${r.nodeMs.toFixed(0)}`).join(', ')} ms (API/node)`);

  // ---- pod startup on one node ----
  if (!PHASES.has('startup')) return void (await up!.stop('SIGINT'));
  const upClient = await RestClient.fromKubeconfig(path.join(upDir, 'kubeconfig'));
  const loadBefore = loadAverage();
  const startup = await measurePodStartup(upClient, { namespace: 'default', count: PODS, qps: QPS, label: 'startup', timeoutMs: 180_000 });
  const p50 = quantile(startup.latenciesMs, 0.5);
  const p99 = quantile(startup.latenciesMs, 0.99);
  out(`pod startup, ${PODS} pods at ${QPS}/s on one node (load ${loadBefore} → ${loadAverage()}): p50 ${ms(p50)} p90 ${ms(quantile(startup.latenciesMs, 0.9))} p99 ${ms(p99)} max ${ms(Math.max(...startup.latenciesMs))}; all Running ${(startup.totalMs / 1000).toFixed(1)} s after the first create`);
  out(`  ×${(p50 / spawnP50).toFixed(0)} a bare fork/exec at p50 (${ms(spawnP50)}), ×${(p99 / quantile(spawnMs, 0.99)).toFixed(0)} at p99`);
  const upPid = up!.proc.pid!;
  const supervisors = pidsWith('supervisor', upDir);
  const supervisorRss = supervisors.reduce((a, pid) => a + rssBytes(pid), 0) / MiB;
  const supervisorPss = supervisors.reduce((a, pid) => a + pssBytes(pid), 0) / MiB;
  out(`  strata up RSS with ${PODS} pods ${(rssBytes(upPid) / MiB).toFixed(0)} MiB (PSS ${(pssBytes(upPid) / MiB).toFixed(0)} MiB); ${supervisors.length} container supervisors RSS ${(supervisorRss / Math.max(1, supervisors.length)).toFixed(1)} MiB each, PSS ${supervisorPss.toFixed(0)} MiB together`);
  upClient.close();
  const stopStart = performance.now();
  await up!.stop('SIGINT');
  out(`  Ctrl-C stopped strata up and its ${PODS} pods in ${((performance.now() - stopStart) / 1000).toFixed(1)} s`);
}
if (PHASES.has('up') || PHASES.has('startup')) await upAndStartup();

// ---- agent idle cost: a strata agent joined to a separate strata server ----
async function agentIdle(): Promise<void> {
  const serverDir = path.join(dir, 'server');
  const serverPort = await freePort();
  const server = track(spawnChild(['server', '--data-dir', serverDir, '--port', String(serverPort), '--log-level', 'warn']));
  await server.waitFor(/API server ready/);
  const join = strataSync(['token', 'create', '--print-join-command', '--kubeconfig', path.join(serverDir, 'kubeconfig')]);
  const token = /--token (\S+)/.exec(join)?.[1];
  const pin = /--discovery-token-ca-cert-hash (\S+)/.exec(join)?.[1];
  if (!token || !pin) throw new Error(`no join command in: ${join}`);
  const agentDir = path.join(dir, 'agent');
  const agentArgs = ['agent', '--server', `https://127.0.0.1:${serverPort}`, '--token', token, '--discovery-token-ca-cert-hash', pin, '--node-name', 'bench-agent', '--data-dir', agentDir, '--log-level', 'warn'];
  const help = strataSync(['agent', '--help']);
  if (help.includes('--kubelet-port')) agentArgs.push('--kubelet-port', String(await freePort()));
  const agent = track(spawnChild(agentArgs));
  await agent.waitFor(/joined/);
  const client = await RestClient.fromKubeconfig(path.join(serverDir, 'kubeconfig'));
  for (const end = Date.now() + 30_000; ;) {
    const node = await client.get({ group: '', version: 'v1', resource: 'nodes', name: 'bench-agent' }).catch(() => undefined);
    const ready = (node?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') break;
    if (Date.now() > end) throw new Error('the agent\'s node did not become Ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  const agentPid = agent.proc.pid!;
  await new Promise((r) => setTimeout(r, 5000));
  const idle0 = await sampleIdle(agentPid, IDLE_SECONDS);
  out(`agent idle, 0 pods (${IDLE_SECONDS} s, load ${loadAverage()}): RSS mean ${idle0.rssMeanMiB.toFixed(1)} MiB max ${idle0.rssMaxMiB.toFixed(1)} MiB (goal ≤ 60 MB; ×${(idle0.rssMeanMiB / nodeRss.rss).toFixed(1)} a bare node), PSS ${idle0.pssMiB.toFixed(1)} MiB (×${(idle0.pssMiB / nodeRss.pss).toFixed(1)} a bare node), CPU ${idle0.cpuPercent.toFixed(2)} % of a core`);
  const agentStartup = await measurePodStartup(client, { namespace: 'default', count: AGENT_PODS, qps: QPS, label: 'agent', nodeName: 'bench-agent', timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 5000));
  const idle10 = await sampleIdle(agentPid, IDLE_SECONDS);
  const agentSupervisors = pidsWith('supervisor', agentDir);
  const agentSupPss = agentSupervisors.reduce((a, pid) => a + pssBytes(pid), 0) / MiB;
  out(`agent idle, ${AGENT_PODS} pods (${IDLE_SECONDS} s, load ${loadAverage()}): RSS mean ${idle10.rssMeanMiB.toFixed(1)} MiB max ${idle10.rssMaxMiB.toFixed(1)} MiB, PSS ${idle10.pssMiB.toFixed(1)} MiB, CPU ${idle10.cpuPercent.toFixed(2)} % of a core; its ${agentSupervisors.length} container supervisors PSS ${agentSupPss.toFixed(0)} MiB together`);
  out(`  pod startup over HTTPS on the joined agent (bound, no scheduler): p50 ${ms(quantile(agentStartup.latenciesMs, 0.5))} p99 ${ms(quantile(agentStartup.latenciesMs, 0.99))}`);

  // The agent leaves containers running when it stops (for re-adoption): delete the pods first.
  const PODS_REF = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
  for (let i = 0; i < AGENT_PODS; i++) await client.delete({ ...PODS_REF, name: `agent-${i}` }, { gracePeriodSeconds: 1 }).catch(() => undefined);
  for (const end = Date.now() + 30_000; Date.now() < end;) {
    if ((await client.list(PODS_REF)).items.length === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  client.close();
}
if (PHASES.has('agent')) await agentIdle();

for (const c of children.reverse()) await c.stop('SIGTERM');
// The pods' cgroups outlive the data dirs the exit handler removes.
await removeRuntimeCgroups(dir);
process.exit(0);
