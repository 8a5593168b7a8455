// The simulated nodes of bench/scale in a process of their own (as `strata sim` runs them), so
// their memory and CPU are measured apart from the control plane's. Talks to the API server over
// loopback HTTPS with the admin kubeconfig. Reports to the parent over IPC: its memory before
// any node exists, once every node is registered, then every two seconds with SimCluster's stats;
// stops (deleting nothing) when the parent says so.
//
//   fork('bench/scale/sim-child.ts', [kubeconfig, nodes, qps, maxInFlight])

import { pino } from 'pino';
import { RestClient } from '../../src/client/index.ts';
import { SimCluster } from '../../src/node/index.ts';

export interface SimReport {
  type: 'baseline' | 'ready' | 'stats' | 'stopped' | 'error';
  at: number;
  rss: number;
  heapUsed: number;
  /** Main-thread CPU since start, µs. */
  cpu: number;
  registered?: number;
  statusWrites?: number;
  syncs?: number;
  leaseRenewals?: number;
  heartbeatErrors?: number;
  podErrors?: number;
  writes?: number;
  writesInFlight?: number;
  writesQueued?: number;
  podsCached?: number;
  podsQueued?: number;
  podsSyncing?: number;
  error?: string;
}

const [kubeconfig, nodesArg, qpsArg, inFlightArg] = process.argv.slice(2);
const send = (r: Omit<SimReport, 'at' | 'rss' | 'heapUsed' | 'cpu'>): void => {
  const m = process.memoryUsage();
  const c = process.threadCpuUsage();
  process.send?.({ ...r, at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, cpu: c.user + c.system } satisfies SimReport);
};

const logger = pino({ level: process.env['STRATA_BENCH_LOG'] ?? 'warn' });
const client = await RestClient.fromKubeconfig(kubeconfig!, { userAgent: 'strata-sim' });
const sim = new SimCluster({ nodes: Number(nodesArg), zones: 3, qps: Number(qpsArg ?? 1000), ...(inFlightArg ? { maxInFlight: Number(inFlightArg) } : {}) }, { client, logger });
const stats = (type: SimReport['type']): void => {
  const s = sim.stats;
  send({ type, registered: s.registered, statusWrites: s.pods.statusWrites, syncs: s.pods.syncs, leaseRenewals: s.leaseRenewals, heartbeatErrors: s.heartbeatErrors, podErrors: s.pods.errors, writes: s.writes,
    writesInFlight: s.writesInFlight, writesQueued: s.writesQueued, podsCached: s.podsCached, podsQueued: s.pods.queued, podsSyncing: s.pods.syncing });
};

global.gc?.();
send({ type: 'baseline' });
let timer: NodeJS.Timeout | undefined;
process.on('message', (msg: unknown) => {
  if (msg !== 'stop') return;
  if (timer) clearInterval(timer);
  void sim.stop().then(() => {
    stats('stopped');
    client.close();
    process.disconnect();
  });
});
try {
  await sim.start();
  stats('ready');
  timer = setInterval(() => stats('stats'), 2000);
} catch (err) {
  send({ type: 'error', error: String(err) });
  process.exitCode = 1;
}
