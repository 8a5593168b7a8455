// Scale benchmark: one control plane as `strata server` runs it (SQLite, the scheduler in-process
// with leader election; the controller manager with --controllers), simulated nodes in a child
// process over loopback HTTPS (`strata sim`'s SimCluster), and N pods created by a pool of HTTPS
// clients in a third process (directly, or through Deployments with --deployments; --qps paces
// them, unpaced by default). Measures:
//   - time to create all pods, to have them all scheduled (bound), and until the simulator has
//     marked them all Running;
//   - API latency p50/p99 from a prober in another child process (fixed-rate GETs, LISTs with a
//     limit, creates and patches over HTTPS), for the idle cluster before the load (the baseline),
//     during the load, and with the pods in place after it; upstream SLO: p99 ≤ 1 s;
//   - control-plane RSS and heap (sampled each second; goal ≤ 4 GiB);
//   - the simulator's RSS and heap per node (its own process).
// The load stops at --max-minutes (then the pods reached are reported as the limit). Run with
// node --expose-gc to also report the heap the control plane retains after a full GC.
//
//   node bench/scale/main.ts [--nodes 5000] [--pods 150000] [--namespaces 50] [--inflight 64]
//        [--clients 8] [--qps 0] [--controllers] [--deployments] [--probe-rate 24] [--idle-seconds 15]
//        [--max-minutes 17] [--sim-qps 1000] [--sim-in-flight 128] [--running-minutes 5] [--writer inline|thread]
//        [--profile DIR] [--heap-profile DIR]

import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import diagnostics from 'node:diagnostics_channel';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startControlPlane } from '../../src/apiserver/index.ts';
import { startControllerManager, type RunningControllerManager } from '../../src/cmd/controllers.ts';
import { startScheduler } from '../../src/cmd/scheduler.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { HeapSampler, Profiler } from '../scheduler/profile.ts';
import { MUTATING, PROBE_KINDS, type ProbeResults } from './probes.ts';
import type { CreatorOptions, CreatorReport } from './creator.ts';
import type { SimReport } from './sim-child.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    pods: { type: 'string', default: '150000' },
    namespaces: { type: 'string', default: '50' },
    inflight: { type: 'string', default: '64' },
    clients: { type: 'string', default: '8' },
    controllers: { type: 'boolean', default: false },
    deployments: { type: 'boolean', default: false },
    'probe-rate': { type: 'string', default: '24' },
    'idle-seconds': { type: 'string', default: '15' },
    'after-seconds': { type: 'string', default: '10' },
    'max-minutes': { type: 'string', default: '17' },
    'sim-qps': { type: 'string', default: '1000' },
    'sim-in-flight': { type: 'string', default: '128' },
    'running-minutes': { type: 'string', default: '5' },
    'prober-priority': { type: 'string', default: '0' },
    writer: { type: 'string', default: 'inline' },
    qps: { type: 'string', default: '0' },
    profile: { type: 'string' },
    'heap-profile': { type: 'string' },
  },
});
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const NAMESPACES = Math.max(1, Number(args.namespaces));
const DEPLOYMENTS = args.deployments;
const CONTROLLERS = args.controllers || DEPLOYMENTS;
const DEADLINE = Date.now() + Number(args['max-minutes']) * 60_000;
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const here = path.dirname(new URL(import.meta.url).pathname);
const GiB = 2 ** 30;
const MiB = 2 ** 20;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-scale-'));
const logger = pino({ level: process.env['STRATA_BENCH_LOG'] ?? 'warn' });
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---- memory sampling of this (the control-plane) process ----

interface MemPeak {
  rss: number;
  heapUsed: number;
  external: number;
}
const peak: MemPeak = { rss: 0, heapUsed: 0, external: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
}, 1000);
sampler.unref();

// ---- server-side time of the prober's calls (HTTP/2 stream created → response finished) ----
// Compared with what the prober measures, it tells time spent in the server from time spent
// on the way (connection, flow control, the prober's own process).
const serverSide: Record<string, number[]> = {};
let serverPhase = 'setup';
const streamStart = new WeakMap<object, { t: number; agent: string }>();
diagnostics.subscribe('http2.server.stream.start', (msg) => {
  const { stream, headers } = msg as { stream: object; headers: Record<string, string> };
  streamStart.set(stream, { t: performance.now(), agent: String(headers['user-agent'] ?? '') });
});
diagnostics.subscribe('http2.server.stream.finish', (msg) => {
  const { stream } = msg as { stream: object };
  const s = streamStart.get(stream);
  if (!s || !s.agent.startsWith('strata-bench-prober')) return;
  (serverSide[serverPhase] ??= []).push(performance.now() - s.t);
});

// ---- percentiles ----

function pct(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const ms = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(0)) : '—');

async function main(): Promise<void> {
  out(`bench/scale: ${NODES} simulated nodes, ${PODS} pods ${DEPLOYMENTS ? `through ${Math.ceil(PODS / 100)} Deployments of ≤100` : `created directly`} by ${args.clients} HTTPS clients in a child process, ${args.inflight} in flight${Number(args.qps) > 0 ? `, ${args.qps}/s` : ''}, ` +
    `controller manager ${CONTROLLERS ? 'on' : 'off'}, SQLite writer ${args.writer}, simulator ${args['sim-in-flight']} requests in flight; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / GiB).toFixed(1)} GiB, node ${process.version}, ${new Date().toISOString()}`);
  const t0 = performance.now();
  const cp = await startControlPlane({
    dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
    maxInflight: 600, version: 'bench', logger, openStore: () => SqliteStore.open({ path: path.join(dir, 'state.db'), writer: args.writer === 'thread' ? 'thread' : 'inline' }),
  });
  let controllers: RunningControllerManager | undefined;
  if (CONTROLLERS) controllers = startControllerManager(cp.localClient(undefined, 'strata-controller-manager'), logger, {}, { caKeyPem: cp.pki.caKeyPem });
  const scheduler = await startScheduler(cp.localClient(undefined, 'strata-scheduler'), logger, {});
  await scheduler.started;
  const idleRss = process.memoryUsage().rss;
  out(`control plane up in ${((performance.now() - t0) / 1000).toFixed(1)} s (RSS ${(idleRss / MiB).toFixed(0)} MiB)`);

  // ---- simulated nodes (child process) ----
  const simReports: SimReport[] = [];
  const sim = fork(path.join(here, 'sim-child.ts'), [cp.kubeconfigPath, String(NODES), String(args['sim-qps']), String(args['sim-in-flight'])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  children.push(sim);
  const simReady = new Promise<SimReport>((resolve, reject) => {
    sim.on('message', (r: SimReport) => {
      simReports.push(r);
      if (r.type === 'ready') resolve(r);
      if (r.type === 'error') reject(new Error(r.error));
    });
    sim.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  const tNodes = performance.now();
  const ready = await simReady;
  const simBase = simReports.find((r) => r.type === 'baseline')!;
  out(`${NODES} nodes registered in ${((performance.now() - tNodes) / 1000).toFixed(1)} s; simulator RSS ${(ready.rss / MiB).toFixed(0)} MiB (${(((ready.rss - simBase.rss) / NODES) / 1024).toFixed(1)} KiB/node over its empty ${(simBase.rss / MiB).toFixed(0)} MiB)`);

  // ---- prober (child process) ----
  const prober = fork(path.join(here, 'prober.ts'), [cp.kubeconfigPath, String(args['probe-rate']), 'load-0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(prober);
  // With the machine's cores saturated, a starved prober measures its own scheduling delay.
  if (Number(args['prober-priority']) !== 0) os.setPriority(prober.pid!, Number(args['prober-priority']));
  await new Promise<void>((resolve) => prober.once('message', () => resolve()));
  const phase = (name: string): void => {
    serverPhase = name;
    prober.send({ phase: name });
  };
  const probeResults = new Promise<ProbeResults>((resolve) => prober.on('message', (m: { results?: ProbeResults }) => m.results && resolve(m.results)));

  // ---- baseline: the idle cluster (nodes heartbeating, no pods) ----
  const client = cp.localClient();
  for (let i = 0; i < NAMESPACES; i++) await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `load-${i}` } });
  phase('idle');
  await sleep(Number(args['idle-seconds']) * 1000);

  // ---- load ----
  const running = scheduler.scheduler;
  if (!running) throw new Error('the scheduler is not leading');
  const m0 = { ...running.metrics };
  const profiler = args.profile ? new Profiler(1000) : undefined;
  await profiler?.start();
  const heap = args['heap-profile'] ? new HeapSampler() : undefined;
  await heap?.start();
  phase('load');
  // What latency is made of: event-loop stalls of the control plane, and its GC pauses.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const gc = { count: 0, totalMs: 0, maxMs: 0, over100: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      if (e.duration > 100) gc.over100++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpu0 = process.threadCpuUsage();
  const tLoad = performance.now();
  const bound = (): number => running.metrics.bindings - m0.bindings;
  let creatorReport: CreatorReport = { type: 'progress', created: 0, errors: 0, retries: 0, ms: 0 };
  const creator = fork(path.join(here, 'creator.ts'), [cp.kubeconfigPath, JSON.stringify({ pods: PODS, namespaces: NAMESPACES, clients: Number(args.clients), inflight: Number(args.inflight), qps: Number(args.qps), deployments: DEPLOYMENTS } satisfies CreatorOptions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(creator);
  const creatorDone = new Promise<CreatorReport>((resolve) =>
    creator.on('message', (r: CreatorReport) => {
      creatorReport = r;
      if (r.type === 'done') resolve(r);
    }),
  );
  const progress = setInterval(() => {
    const s = simReports.at(-1);
    const m = process.memoryUsage();
    out(`  t=${((performance.now() - tLoad) / 1000).toFixed(0)}s created ${creatorReport.created} bound ${bound()} · CP RSS ${(m.rss / MiB).toFixed(0)} MiB heap ${(m.heapUsed / MiB).toFixed(0)} MiB · sim RSS ${((s?.rss ?? 0) / MiB).toFixed(0)} MiB, ${s?.statusWrites ?? 0} pod status writes (${s?.podErrors ?? 0} errors; ${s?.podsCached ?? 0} bound pods cached, ${s?.podsQueued ?? 0} queued, ${s?.podsSyncing ?? 0} syncing; writes ${s?.writesInFlight ?? 0} in flight, ${s?.writesQueued ?? 0} waiting)`);
  }, 10_000);
  // Until every pod the creator made is bound (all of them, unless creates failed) or the deadline.
  const target = (): number => (creatorReport.type === 'done' ? creatorReport.created : PODS);
  while (bound() < target() && Date.now() < DEADLINE) await sleep(200);
  const stopped = bound() < target();
  if (stopped) creator.send('stop');
  const tBound = performance.now();
  const created = await creatorDone;
  clearInterval(progress);
  const cpu = process.threadCpuUsage(cpu0);
  loopDelay.disable();
  gcObserver.disconnect();
  const mLoad = { ...running.metrics };
  if (profiler) out(await profiler.stop(path.join(args.profile!, 'scale.cpuprofile'), 30));
  if (heap) out(await heap.stop(path.join(args['heap-profile']!, 'scale.heapprofile'), 25));
  const loadRssEnd = process.memoryUsage();

  const simAtBound = simReports.at(-1)!;
  // The simulator marks each pod Running with one status write (no readiness delay): wait until it
  // has caught up with the binds (it once stalled here), up to --running-minutes more.
  const runningDeadline = Date.now() + Number(args['running-minutes']) * 60_000;
  while ((simReports.at(-1)?.statusWrites ?? 0) < bound() && Date.now() < runningDeadline) await sleep(500);
  const tRunning = performance.now();
  const simRunning = simReports.at(-1)!;

  // ---- the cluster with the pods in place ----
  phase('after');
  await sleep(Number(args['after-seconds']) * 1000);
  prober.send('stop');
  const probes = await probeResults;
  // What the control plane keeps (not garbage awaiting collection), with node --expose-gc; after
  // the prober stopped, so the collection's pause is in no latency figure.
  const gcNow = (globalThis as { gc?: () => void }).gc;
  gcNow?.();
  const retained = gcNow ? process.memoryUsage() : undefined;
  sim.send('stop');
  // The simulator's last report; if it does not stop within 15 s, its last periodic one (and it is killed).
  const simStopped = await new Promise<SimReport>((resolve) => {
    const timer = setTimeout(() => {
      sim.kill('SIGKILL');
      resolve(simReports.at(-1)!);
    }, 15_000);
    sim.on('message', (r: SimReport) => {
      if (r.type !== 'stopped') return;
      clearTimeout(timer);
      resolve(r);
    });
  });
  const dbBytes = fs.statSync(path.join(dir, 'state.db')).size + (fs.existsSync(path.join(dir, 'state.db-wal')) ? fs.statSync(path.join(dir, 'state.db-wal')).size : 0);

  // ---- report ----
  const n = bound();
  const loadMs = tBound - tLoad;
  out('');
  out(`| figure | value | goal | |`);
  out(`|---|---|---|---|`);
  out(`| pods bound | ${n.toLocaleString('en-US')} of ${PODS.toLocaleString('en-US')}${stopped ? ` (stopped at --max-minutes ${args['max-minutes']})` : ''} | ${PODS.toLocaleString('en-US')} | ${n >= PODS ? 'PASS' : 'MISS'} |`);
  out(`| time to create all ${DEPLOYMENTS ? 'Deployments' : 'pods'} | ${(created.ms / 1000).toFixed(1)} s (${((created.created / created.ms) * 1000).toFixed(0)} pods/s${DEPLOYMENTS ? ' asked for' : ''}; ${created.retries} retried (429 or refused stream), ${created.errors} errors${created.firstError ? `, first: ${created.firstError}` : ''}) | | |`);
  out(`| time to create and schedule all | ${(loadMs / 1000).toFixed(1)} s (${((n / loadMs) * 1000).toFixed(0)} pods/s) | < 20 min for the whole run | ${loadMs < 20 * 60_000 ? 'PASS' : 'MISS'} |`);
  out(`| simulator: pods marked Running (status writes) | ${(simRunning.statusWrites ?? 0).toLocaleString('en-US')} ${(simRunning.statusWrites ?? 0) >= n ? `all, ${((tRunning - tLoad) / 1000).toFixed(1)} s after the load started (${((tRunning - tBound) / 1000).toFixed(1)} s after the last bind)` : `— stopped waiting ${args['running-minutes']} min after the last bind`}; ${simRunning.podErrors ?? 0} pod sync errors | all | ${(simRunning.statusWrites ?? 0) >= n ? 'PASS' : 'MISS'} |`);
  out(`| scheduler during the load | ${mLoad.attempts - m0.attempts} attempts, cycle ${((mLoad.cycleMicros - m0.cycleMicros) / (mLoad.attempts - m0.attempts)).toFixed(0)} µs/pod (filter ${((mLoad.filterMicros - m0.filterMicros) / (mLoad.attempts - m0.attempts)).toFixed(0)}, score ${((mLoad.scoreMicros - m0.scoreMicros) / (mLoad.attempts - m0.attempts)).toFixed(0)}), ${mLoad.bindFailures - m0.bindFailures} bind failures, ${mLoad.errors - m0.errors} errors | | |`);
  out(`| control-plane event loop during the load: delay p50 / p99 / max; GC pauses | ${(loopDelay.percentile(50) / 1e6).toFixed(0)} / ${(loopDelay.percentile(99) / 1e6).toFixed(0)} / ${(loopDelay.max / 1e6).toFixed(0)} ms; ${gc.count} GCs, ${(gc.totalMs / 1000).toFixed(1)} s in all (${((gc.totalMs / (tBound - tLoad)) * 100).toFixed(0)}% of the load), longest ${gc.maxMs.toFixed(0)} ms, ${gc.over100} over 100 ms | | |`);
  out(`| control-plane main-thread CPU per pod | ${((cpu.user + cpu.system) / n).toFixed(0)} µs | | |`);
  out(`| control-plane RSS: idle / end of load / peak | ${(idleRss / MiB).toFixed(0)} MiB / ${(loadRssEnd.rss / MiB).toFixed(0)} MiB / ${(peak.rss / MiB).toFixed(0)} MiB (heap peak ${(peak.heapUsed / MiB).toFixed(0)} MiB, external (incl. buffers) ${(peak.external / MiB).toFixed(0)} MiB${retained ? `; after a full GC at the end of the run: heap ${(retained.heapUsed / MiB).toFixed(0)} MiB, RSS ${(retained.rss / MiB).toFixed(0)} MiB` : ''}) | ≤ 4 GiB | ${peak.rss <= 4 * GiB ? 'PASS' : 'MISS'} |`);
  const simPeak = Math.max(...simReports.map((r) => r.rss));
  const simHeapPeak = Math.max(...simReports.map((r) => r.heapUsed));
  out(`| simulator RSS: empty / nodes registered / end of load / peak | ${(simBase.rss / MiB).toFixed(0)} / ${(ready.rss / MiB).toFixed(0)} / ${(simAtBound.rss / MiB).toFixed(0)} / ${(simPeak / MiB).toFixed(0)} MiB | | |`);
  out(`| simulator per node: RSS (registered, over empty) / RSS at end / heap at end | ${((ready.rss - simBase.rss) / NODES / 1024).toFixed(1)} KiB / ${(simAtBound.rss / NODES / 1024).toFixed(1)} KiB / ${(simAtBound.heapUsed / NODES / 1024).toFixed(1)} KiB (heap peak ${(simHeapPeak / MiB).toFixed(0)} MiB) | | |`);
  out(`| simulator | ${simAtBound.statusWrites} pod status writes when the last pod was bound, ${simStopped.statusWrites} at the end; ${simStopped.leaseRenewals} Lease renewals (${simStopped.heartbeatErrors} errors); main-thread CPU ${(simStopped.cpu / 1e6).toFixed(1)} s | | |`);
  out(`| SQLite file | ${(dbBytes / MiB).toFixed(0)} MiB | | |`);
  out('');
  out(`API latency from the prober (${args['probe-rate']} calls/s over HTTPS, round-robin over the kinds), ms: p50 / p99 / max (count)`);
  out(`| call | ${['idle', 'load', 'after'].map((p) => `${p} (p50 / p99 / max, n)`).join(' | ')} |`);
  out(`|---|---|---|---|`);
  const cell = (p: string, kinds: readonly string[]): string => {
    const all = kinds.flatMap((k) => probes[p]?.latencies[k] ?? []).sort((a, b) => a - b);
    const errs = kinds.reduce((e, k) => e + (probes[p]?.errors[k] ?? 0), 0);
    return `${ms(pct(all, 0.5))} / ${ms(pct(all, 0.99))} / ${ms(all.at(-1) ?? NaN)} (${all.length}${errs ? `, ${errs} errors` : ''})`;
  };
  for (const k of PROBE_KINDS) out(`| ${k} | ${['idle', 'load', 'after'].map((p) => cell(p, [k])).join(' | ')} |`);
  const reads = PROBE_KINDS.filter((k) => !MUTATING.includes(k));
  out(`| **all reads** | ${['idle', 'load', 'after'].map((p) => cell(p, reads)).join(' | ')} |`);
  out(`| **all mutating** | ${['idle', 'load', 'after'].map((p) => cell(p, MUTATING)).join(' | ')} |`);
  out(`| **server side** (stream start → response finished) | ${['idle', 'load', 'after'].map((p) => {
    const all = (serverSide[p] ?? []).sort((a, b) => a - b);
    return `${ms(pct(all, 0.5))} / ${ms(pct(all, 0.99))} / ${ms(all.at(-1) ?? NaN)} (${all.length})`;
  }).join(' | ')} |`);
  out(`| the prober's own event-loop delay, p99 / max (ms) | ${['idle', 'load', 'after'].map((p) => { const d = probes[p]?.loopDelay; return d ? `${ms(d.p99)} / ${ms(d.max)}` : '—'; }).join(' | ')} |`);
  const loadAll = [...reads, ...MUTATING].flatMap((k) => probes['load']?.latencies[k] ?? []).sort((a, b) => a - b);
  const idleAll = [...reads, ...MUTATING].flatMap((k) => probes['idle']?.latencies[k] ?? []).sort((a, b) => a - b);
  out(`load ÷ idle p99 (all calls): ${(pct(loadAll, 0.99) / pct(idleAll, 0.99)).toFixed(1)}×; skipped probe slots (100 in flight): ${['idle', 'load', 'after'].map((p) => probes[p]?.skipped ?? 0).join(' / ')}; SLO p99 ≤ 1 s during load: ${pct(loadAll, 0.99) <= 1000 ? 'PASS' : 'MISS'}`);

  await scheduler.stop();
  await controllers?.stop();
  client.close();
  await cp.close();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

await main();
process.exit(0);
