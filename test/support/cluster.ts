// An in-process control plane for controller integration tests: API server (MemoryStore) over
// HTTPS, a controller manager running the named controllers, and the PodDriver standing in for
// scheduler and kubelets. `until` polls a probe; `exists` tells whether an object is there.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/apiserver/index.ts';
import type { MetricsSource } from '../../src/apiserver/metrics-api/index.ts';
import { RestClient, restLeaseClient, SharedInformerFactory, type ResourceRef } from '../../src/client/index.ts';
import { CONTROLLERS, ControllerManager, defaultControllers, type ControllerSpec } from '../../src/controllers/index.ts';
import { isNotFound } from '../../src/machinery/status-error.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { PodDriver, type PodDriverOptions } from './pod-driver.ts';

export interface TestCluster {
  cp: ControlPlane;
  client: RestClient;
  manager: ControllerManager;
  driver: PodDriver | undefined;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Controllers to run: names from CONTROLLERS, or specs not (yet) listed there; all of CONTROLLERS when omitted. */
  controllers?: (string | ControllerSpec)[];
  /** PodDriver options; false runs no driver. */
  driver?: PodDriverOptions | false;
  logLevel?: string;
  /** Node and pod usage for metrics.k8s.io (the HPA's source); the nodes' summaries when omitted. */
  metricsSource?: MetricsSource;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-cluster-'));
  const logger = pino({ level: options.logLevel ?? process.env['STRATA_TEST_LOG'] ?? 'silent' });
  const cp = await startControlPlane({
    dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
    maxInflight: 1000, version: 'v1.33.0', logger, openStore: async () => new MemoryStore(),
    ...(options.metricsSource ? { metricsSource: options.metricsSource } : {}),
  });
  const client = await RestClient.fromKubeconfig(cp.kubeconfigPath);
  const wanted = options.controllers?.map((c) => (typeof c === 'string' ? c : c.name));
  const extra = (options.controllers ?? []).filter((c): c is ControllerSpec => typeof c !== 'string' && !CONTROLLERS.some((k) => k.name === c.name));
  const disabled = wanted ? CONTROLLERS.map((c) => c.name).filter((n) => !wanted.includes(n)) : [];
  // The manager calls the server in-process, as in `strata server`; tests use HTTPS like kubectl.
  const local = cp.localClient();
  const manager = new ControllerManager({
    identity: 'test-cluster',
    leases: restLeaseClient(local),
    informers: () => new SharedInformerFactory(local),
    controllers: defaultControllers({ client: local, caPem: client.config.caPem ?? '', disabled, logger, extra }),
    logger,
  });
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  const driver = options.driver === false ? undefined : new PodDriver(client, options.driver ?? {});
  await driver?.start();
  return {
    cp, client, manager, driver,
    async stop() {
      await driver?.stop();
      ac.abort();
      await running;
      local.close();
      client.close();
      await cp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false | null>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const exists = (client: RestClient, ref: ResourceRef): Promise<boolean> =>
  client.get(ref).then(
    () => true,
    (err: unknown) => (isNotFound(err) ? false : Promise.reject(err)),
  );
