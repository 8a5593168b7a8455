// Scheduler benchmark, modelled on upstream scheduler_perf: one process runs a control plane on
// SQLite (as `strata server`), the scheduler through the in-process client (as `strata server`)
// and SimCluster's simulated nodes. Each workload gets a fresh cluster; its measured pods are
// created while no scheduler runs, then a fresh scheduler term starts and the clock runs from its
// synced caches to the last measured pod bound (pods/s). Baselines in the same run:
//   - "Baseline (bind only)": the same pods as SchedulingBasic under a profile with only queue
//     sort and DefaultBinder (no Filter/Score: the next node round-robin), i.e. what the API's
//     binding path allows; every workload's ratio is taken against it;
//   - "algorithm only": each workload through an in-memory scheduler with a no-op binder (no API).
//
//   node bench/scheduler/main.ts [--nodes 5000] [--pods 10000] [--anti-pods 1000] [--preempt-pods N]
//        [--workloads basic,spread,...] [--kubelets] [--inflight 200] [--no-algorithm] [--profile DIR]

import os from 'node:os';
import { parseArgs } from 'node:util';
import { runAlgorithmOnly, type AlgorithmResult } from './algorithm.ts';
import { runWorkload, type WorkloadResult } from './run.ts';
import { workloads } from './workloads.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    pods: { type: 'string', default: '10000' },
    'anti-pods': { type: 'string' },
    'preempt-pods': { type: 'string' },
    workloads: { type: 'string' },
    kubelets: { type: 'boolean', default: false },
    inflight: { type: 'string', default: '200' },
    'no-algorithm': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '600' },
    profile: { type: 'string' },
  },
});
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const ANTI = args['anti-pods'] ? Number(args['anti-pods']) : Math.min(1000, Math.floor(NODES / 5));
const PREEMPT = args['preempt-pods'] ? Number(args['preempt-pods']) : Math.min(1000, NODES);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

const all = workloads({ nodes: NODES, pods: PODS, antiPods: ANTI, preemptPods: PREEMPT });
const wanted = args.workloads?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
const pick = (name: string): boolean => {
  if (!wanted) return true;
  const n = name.toLowerCase();
  return n.startsWith('baseline') || wanted.some((w) => n.includes(w));
};
const selected = all.filter((w) => pick(w.name));

out(`bench/scheduler: ${NODES} nodes (4 CPU, 32Gi, 110 pods, 3 zones), ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${new Date().toISOString()}`);
out(`simulated kubelets ${args.kubelets ? 'running (Leases renewed, bound pods started)' : 'frozen after registration (no Lease or pod-status traffic, as scheduler_perf)'}`);

const results: { r: WorkloadResult; alg: AlgorithmResult | undefined; goal: number | undefined; floor: number | undefined }[] = [];
for (const w of selected) {
  const r = await runWorkload(w, { nodes: NODES, kubelets: args.kubelets, inflight: Number(args.inflight), timeoutMs: Number(args.timeout) * 1000, profileDir: args.profile, log: out });
  const alg = args['no-algorithm'] ? undefined : await runAlgorithmOnly(w, NODES);
  results.push({ r, alg, goal: w.goal, floor: w.upstreamFloor });
  out(
    `  → ${r.pods} pods in ${(r.ms / 1000).toFixed(2)} s: ${r.podsPerSec.toFixed(0)} pods/s; filter ${r.filterMicrosPerPod.toFixed(0)} µs/pod, score ${r.scoreMicrosPerPod.toFixed(0)} µs/pod, ` +
      `cycle ${r.cycleMicrosPerPod.toFixed(0)} µs/pod; CPU ${r.mainCpuMicrosPerPod.toFixed(0)} µs/pod main thread (${r.cpuMicrosPerPod.toFixed(0)} all threads); event loop busy ${(r.elu * 100).toFixed(0)}%; load ${r.load.toFixed(1)}` +
      (r.victims !== undefined ? `; ${r.victims} victims (${((r.victims / r.ms) * 1000).toFixed(0)} preemptions/s), ${r.preemptionAttempts} PostFilter runs` : '') +
      (alg ? `; algorithm only ${alg.podsPerSec.toFixed(0)} pods/s` : ''),
  );
  if (global.gc) global.gc();
}

const base = results.find((x) => x.r.name.startsWith('Baseline'))?.r;
out('');
out('| workload | nodes | pods | pods/s | ÷ baseline | main-thread CPU µs/pod | ÷ baseline | filter µs/pod | score µs/pod | cycle µs/pod | algorithm only, pods/s | goal (upstream floor) | |');
out('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const { r, alg, goal, floor } of results) {
  const ratio = base ? (r.podsPerSec / base.podsPerSec).toFixed(2) : '—';
  const cpuRatio = base ? (r.mainCpuMicrosPerPod / base.mainCpuMicrosPerPod).toFixed(2) : '—';
  const verdict = goal === undefined ? '' : r.podsPerSec >= goal ? 'PASS' : 'MISS';
  const extra = r.victims !== undefined ? ` (${((r.victims / r.ms) * 1000).toFixed(0)} victims/s)` : '';
  out(
    `| ${r.name} | ${NODES} | ${r.pods} | ${r.podsPerSec.toFixed(0)}${extra} | ${ratio} | ${r.mainCpuMicrosPerPod.toFixed(0)} | ${cpuRatio} | ${r.filterMicrosPerPod.toFixed(0)} | ${r.scoreMicrosPerPod.toFixed(0)} | ${r.cycleMicrosPerPod.toFixed(0)} | ` +
      `${alg ? alg.podsPerSec.toFixed(0) : '—'} | ${goal === undefined ? '—' : `≥ ${goal} (${floor})`} | ${verdict} |`,
  );
}
