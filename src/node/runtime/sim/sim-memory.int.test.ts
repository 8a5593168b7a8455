// Memory per simulated node against a real API server: registers N nodes (1,000 by default;
// SIM_MEMORY_NODES=1000,5000 for more), lets every Lease renew at least once, and prints RSS,
// heap and external-memory deltas per node. With the server in-process (the default) the deltas
// cover simulator + server (which holds the Nodes and Leases); the simulator's own share is the
// heap it frees when it stops. SIM_MEMORY_SERVER=child runs `strata server` as a child process
// instead, so the deltas are the simulator's alone. Asserts every node renewed and the
// simulator's heap share per node stays small.

import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'node:test';
import { startTestCluster } from '../../../../test/support/cluster.ts';
import { startStrata } from '../../../../test/e2e/harness.ts';
import { RestClient } from '../../../client/index.ts';
import { SimCluster } from './sim-cluster.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Usage {
  rss: number;
  heap: number;
  external: number;
}

function settle(): Usage {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external };
}

const counts = (process.env['SIM_MEMORY_NODES'] ?? '1000').split(',').map(Number);
const childServer = process.env['SIM_MEMORY_SERVER'] === 'child';
const KiB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
// Renewals at 5 s (upstream: 10 s) keep the run short; SIM_MEMORY_RENEW_MS=10000 for upstream's pace.
const RENEW_MS = Number(process.env['SIM_MEMORY_RENEW_MS'] ?? 5000);

async function server(): Promise<{ client: RestClient; stop(): Promise<void> }> {
  if (childServer) {
    const strata = await startStrata(['--disable-controllers']);
    const client = await RestClient.fromKubeconfig(strata.kubeconfig);
    return { client, stop: async () => (client.close(), await strata.cleanup()) };
  }
  const cluster = await startTestCluster({ controllers: [], driver: false });
  return { client: cluster.client, stop: () => cluster.stop() };
}

/** Runs the simulator; once this returns nothing references it and GC may take all it held. */
async function simulate(client: RestClient, n: number): Promise<{ registeredMs: number; renewed: number; running: Usage }> {
  const sim = new SimCluster({ nodes: n, leaseRenewIntervalMs: RENEW_MS, qps: 5000, burst: 500, maxInFlight: 128 }, { client });
  const t0 = Date.now();
  await sim.start();
  const registeredMs = Date.now() - t0;
  const before = sim.stats.leaseRenewals;
  // Two renew intervals: every node's phase comes round at least once, with room for pacing.
  await new Promise((r) => setTimeout(r, RENEW_MS * 2));
  const renewed = sim.stats.leaseRenewals - before;
  const running = settle();
  await sim.stop();
  return { registeredMs, renewed, running };
}

for (const n of counts) {
  test(`memory per node with ${n} simulated nodes (${childServer ? 'server in a child process' : 'in-process server'})`, { timeout: 900_000 }, async () => {
    const api = await server();
    try {
      const base = settle();
      const { registeredMs, renewed, running } = await simulate(api.client, n);
      await new Promise((r) => setTimeout(r, 100));
      const stopped = settle();
      const per = (bytes: number): string => KiB(bytes / n);
      const whose = childServer ? 'simulator alone' : 'simulator + server';
      process.stdout.write(
        `# sim memory, ${n} nodes (${whose}): registered in ${(registeredMs / 1000).toFixed(1)} s; ` +
          `RSS delta ${per(running.rss - base.rss)}/node, heap ${per(running.heap - base.heap)}/node, external ${per(running.external - base.external)}/node; ` +
          `simulator's heap share ${per(running.heap - stopped.heap)}/node; ${renewed} Lease renewals in ${RENEW_MS * 2} ms\n`,
      );
      assert.ok(renewed >= n, `every node renewed its Lease (${renewed} renewals for ${n} nodes)`);
      assert.ok((running.heap - stopped.heap) / n < 32 * 1024, `the simulator's heap share stays under 32 KiB per node`);
    } finally {
      await api.stop();
    }
  });
}
