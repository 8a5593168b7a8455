// One workload end to end on a fresh cluster: register the nodes, create and schedule the init
// pods (not timed), stop the scheduler, create the measured pods (not timed), start a fresh
// scheduler term and time from its synced caches to the last measured pod bound.

import { BenchCluster, waitFor } from './cluster.ts';
import os from 'node:os';
import path from 'node:path';
import { Profiler } from './profile.ts';
import type { Workload } from './workloads.ts';

export interface RunOptions {
  nodes: number;
  kubelets: boolean;
  inflight: number;
  timeoutMs: number;
  /** Write a CPU profile of the measured interval into this directory. */
  profileDir?: string | undefined;
  log: (line: string) => void;
}

export interface WorkloadResult {
  name: string;
  pods: number;
  ms: number;
  podsPerSec: number;
  /** Scheduler counters of the measured term, per attempt. */
  attempts: number;
  filterMicrosPerPod: number;
  scoreMicrosPerPod: number;
  cycleMicrosPerPod: number;
  unschedulable: number;
  errors: number;
  /** Process CPU (API server + scheduler + simulator, all threads) per measured pod, µs. */
  cpuMicrosPerPod: number;
  /** Main-thread CPU per measured pod, µs: what the event loop spent, unaffected by time other processes took the core. */
  mainCpuMicrosPerPod: number;
  /** 1-minute load average at the end of the measurement. */
  load: number;
  /** Event-loop utilisation over the measured interval (1 = never idle). */
  elu: number;
  syncMs: number;
  createPodsPerSec: number;
  registerMs: number;
  /** Preemption only: victims removed and preemption attempts (PostFilter runs). */
  victims?: number;
  preemptionAttempts?: number;
}

export async function runWorkload(w: Workload, o: RunOptions): Promise<WorkloadResult> {
  const t0 = performance.now();
  const cluster = await BenchCluster.start({ nodes: o.nodes, kubelets: o.kubelets, inflight: o.inflight });
  try {
    const registerMs = performance.now() - t0;
    if (w.labelHalf) await cluster.labelHalf();
    const initTotal = w.init.reduce((n, s) => n + s.count, 0);
    if (initTotal > 0) {
      for (const set of w.init) await cluster.createPods(set);
      const term = await cluster.startScheduler();
      await waitFor(`${initTotal} init pods bound`, () => term.scheduler.metrics.bindings >= initTotal, o.timeoutMs, 50);
      await term.stop();
    }
    if (o.kubelets) {
      // Let the simulated kubelets finish starting the init pods, so the measurement sees only its own pods' work.
      let last = -1;
      await waitFor('simulated kubelets idle', () => {
        const p = cluster.sim.stats.pods;
        const writes = p.statusWrites + p.deletes;
        const idle = writes === last;
        last = writes;
        return idle;
      }, o.timeoutMs, 1000);
    }
    const m = w.measured;
    const createMs = await cluster.createPods(m);
    o.log(`  ${w.name}: ${o.nodes} nodes registered in ${(registerMs / 1000).toFixed(1)} s, ${initTotal} init pods scheduled, ${m.count} pods created at ${((m.count / createMs) * 1000).toFixed(0)}/s`);

    const term = await cluster.startScheduler();
    const s = term.scheduler;
    const profiler = o.profileDir ? new Profiler() : undefined;
    await profiler?.start();
    const cpu0 = process.cpuUsage();
    const main0 = process.threadCpuUsage();
    const elu0 = performance.eventLoopUtilization();
    await waitFor(`${m.count} measured pods bound`, () => s.metrics.bindings >= m.count, o.timeoutMs);
    const elapsed = performance.now() - term.startedAt;
    const cpu = process.cpuUsage(cpu0);
    const main = process.threadCpuUsage(main0);
    const load = os.loadavg()[0]!;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const x = { ...s.metrics };
    if (profiler) o.log(await profiler.stop(path.join(o.profileDir!, `${w.name.replace(/\W+/g, '-')}.cpuprofile`)));
    await term.stop();
    const check = await cluster.boundPods(m.namespace);
    if (check.bound !== m.count) throw new Error(`${w.name}: the API shows ${check.bound} of ${m.count} measured pods bound`);
    let victims: number | undefined;
    if (w.preemption) {
      let left = 0;
      for (const set of w.init) left += (await cluster.boundPods(set.namespace)).total;
      victims = initTotal - left;
    }
    return {
      name: w.name,
      pods: m.count,
      ms: elapsed,
      podsPerSec: (m.count / elapsed) * 1000,
      attempts: x.attempts,
      filterMicrosPerPod: x.filterMicros / x.attempts,
      scoreMicrosPerPod: x.scoreMicros / x.attempts,
      cycleMicrosPerPod: x.cycleMicros / x.attempts,
      unschedulable: x.unschedulable,
      errors: x.errors,
      cpuMicrosPerPod: (cpu.user + cpu.system) / m.count,
      mainCpuMicrosPerPod: (main.user + main.system) / m.count,
      load,
      elu,
      syncMs: term.syncMs,
      createPodsPerSec: (m.count / createMs) * 1000,
      registerMs,
      ...(victims !== undefined ? { victims, preemptionAttempts: x.preemptionAttempts } : {}),
    };
  } finally {
    await cluster.close();
  }
}
