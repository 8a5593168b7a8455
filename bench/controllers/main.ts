// Controller benchmark: how fast the ReplicaSet and Deployment controllers turn a Deployment of N
// replicas into N pods, and a template change into a finished rollout, against the API server's
// own pod-create throughput measured in the same run (the baseline: the same pod bodies created
// by a plain client at the same concurrency the ReplicaSet controller reaches, its burst of 500).
//
// One process: control plane on SQLite (as `strata server`), the controller manager through the
// in-process client (as `strata server`), and the test PodDriver playing the nodes (binds pods
// and marks them Running/Ready) for the rollout phase. Phases:
//   baseline   N pod creates through the in-process client, 500 in flight
//   scale-up   create the Deployment → N pods exist (no driver running: pure controller + API)
//   ready      driver binds and readies the N pods (reported, not a controller figure)
//   rollout    template change → updatedReplicas = availableReplicas = N, old ReplicaSet at 0
//
//   node bench/controllers/main.ts [--replicas 5000] [--inflight 500]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startControlPlane } from '../../src/apiserver/index.ts';
import { Informer, listWatchFor, restLeaseClient, SharedInformerFactory, type RestClient } from '../../src/client/index.ts';
import { ControllerManager, defaultControllers, CONTROLLERS } from '../../src/controllers/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { PodDriver } from '../../test/support/pod-driver.ts';

const { values: args } = parseArgs({ options: { replicas: { type: 'string', default: '5000' }, inflight: { type: 'string', default: '500' } } });
const N = Number(args.replicas);
const INFLIGHT = Number(args.inflight);
const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' } as const;

const template = (image: string) => ({ metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-ctl-'));
const logger = pino({ level: process.env['STRATA_BENCH_LOG'] ?? 'warn' });
const cp = await startControlPlane({
  dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
  maxInflight: 2000, version: 'bench', logger, openStore: () => SqliteStore.open({ path: path.join(dir, 'state.db') }),
});
const client = cp.localClient();

/** Watches the pods of `namespace`: a cheap live count (listing thousands of pods every poll would load the server). */
async function podCounter(namespace: string, signal: AbortSignal): Promise<() => number> {
  const informer = new Informer(listWatchFor(client, { ...PODS, namespace }));
  void informer.run(signal);
  await informer.hasSynced;
  return () => informer.indexer.size;
}

async function ensureNamespace(name: string): Promise<void> {
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** Baseline: N creates of the pods the controller would make, INFLIGHT at a time. */
async function baseline(): Promise<number> {
  await ensureNamespace('baseline');
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: INFLIGHT }, async () => {
    while (next < N) {
      const i = next++;
      const t = template('nginx:1.27');
      await client.create({ ...PODS, namespace: 'baseline' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bench-${i}`, namespace: 'baseline', labels: t.metadata.labels }, spec: t.spec });
    }
  }));
  return (N / (performance.now() - start)) * 1000;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 600_000): Promise<number> {
  const start = performance.now();
  while (!(await probe())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - start;
}

interface DeploymentStatus { replicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number }

async function main(): Promise<void> {
  process.stdout.write(`bench/controllers: ${N} replicas, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}\n`);
  const baseRate = await baseline();
  process.stdout.write(`baseline: ${N} pod creates through the in-process client, ${INFLIGHT} in flight: ${baseRate.toFixed(0)} pods/s\n`);
  // The baseline's pods would be watched by the controllers' pod informer: remove them.
  await client.request('DELETE', '/api/v1/namespaces/baseline/pods', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });

  const local: RestClient = client;
  const wanted = ['replicaset', 'deployment'];
  const manager = new ControllerManager({
    identity: 'bench',
    leases: restLeaseClient(local),
    informers: () => new SharedInformerFactory(local),
    controllers: defaultControllers({ client: local, caPem: cp.pki.caCertPem, logger, disabled: CONTROLLERS.map((c) => c.name).filter((n) => !wanted.includes(n)) }),
    logger,
  });
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  await waitFor('leadership', async () => manager.isLeader);

  await ensureNamespace('bench');
  const pods = await podCounter('bench', ac.signal);
  const start = performance.now();
  await client.create({ ...DEPLOYMENTS, namespace: 'bench' }, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench', namespace: 'bench' },
    spec: { replicas: N, selector: { matchLabels: { app: 'bench' } }, template: template('nginx:1.27') },
  });
  await waitFor('pods created', async () => pods() >= N);
  const elapsed = performance.now() - start;
  const ctlRate = (N / elapsed) * 1000;
  process.stdout.write(`scale-up: Deployment of ${N} → ${N} pods in ${(elapsed / 1000).toFixed(2)} s: ${ctlRate.toFixed(0)} pods/s = ${((ctlRate / baseRate) * 100).toFixed(0)}% of the baseline (goal ≥ 70%)\n`);

  const driver = new PodDriver(client, { workers: 64 });
  const readyStart = performance.now();
  await driver.start();
  const get = async (): Promise<DeploymentStatus> => ((await client.get({ ...DEPLOYMENTS, namespace: 'bench', name: 'bench' }))['status'] ?? {}) as DeploymentStatus;
  await waitFor('all available', async () => (await get()).availableReplicas === N);
  process.stdout.write(`ready: driver bound and readied ${N} pods in ${((performance.now() - readyStart) / 1000).toFixed(2)} s\n`);

  const rolloutStart = performance.now();
  const changed = await client.patch({ ...DEPLOYMENTS, namespace: 'bench', name: 'bench' }, 'strategic', { spec: { template: template('nginx:1.28') } });
  const generation = changed.metadata.generation ?? 0;
  // What `kubectl rollout status` waits for: the new generation observed, every replica updated and available.
  await waitFor('rollout finished', async () => {
    const st = await get();
    return (st.observedGeneration ?? 0) >= generation && st.updatedReplicas === N && st.availableReplicas === N && st.replicas === N;
  });
  const rolloutMs = performance.now() - rolloutStart;
  process.stdout.write(`rollout: template change → ${N} updated and available in ${(rolloutMs / 1000).toFixed(2)} s (${((N / rolloutMs) * 1000).toFixed(0)} pods replaced/s; each replacement is a create, bind, status and delete)\n`);

  await driver.stop();
  ac.abort();
  await running;
  await cp.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
