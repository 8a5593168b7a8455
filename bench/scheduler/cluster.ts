// One benchmark cluster in this process: a control plane on SQLite (as `strata server` runs it),
// simulated nodes from SimCluster (Nodes with Leases; kubelet play for bound pods unless frozen),
// and the helpers the workloads need: namespaces, a pool of in-process clients creating pods,
// labelling nodes, and running one scheduler term that can be stopped and started again.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/apiserver/index.ts';
import type { RestClient } from '../../src/client/index.ts';
import { isAlreadyExists } from '../../src/machinery/index.ts';
import { SimCluster } from '../../src/node/index.ts';
import { resolveConfig, runSchedulerTerm, type Pod, type Scheduler, type SchedulerConfig } from '../../src/scheduler/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { NODE_CAPACITY, POOL_KEY, POOL_VALUE, PRIORITY_CLASSES, SCHEDULER_CONFIG, ZONES, type PodSet } from './workloads.ts';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;

export interface ClusterOptions {
  nodes: number;
  /** Simulated kubelets keep renewing Leases and run bound pods; off = nodes frozen after registration (upstream scheduler_perf has no kubelets). */
  kubelets: boolean;
  /** Requests in flight while creating pods. */
  inflight: number;
  logger?: Logger;
}

/** A scheduler term running in this process, stoppable. */
export interface SchedulerTerm {
  scheduler: Scheduler;
  /** performance.now() once caches synced and the loop is about to start. */
  startedAt: number;
  /** Time from start() to synced caches, ms. */
  syncMs: number;
  stop(): Promise<void>;
}

export class BenchCluster {
  readonly cp: ControlPlane;
  readonly client: RestClient;
  readonly sim: SimCluster;
  readonly logger: Logger;
  readonly config: SchedulerConfig;
  readonly #dir: string;
  readonly #options: ClusterOptions;

  private constructor(dir: string, cp: ControlPlane, sim: SimCluster, logger: Logger, options: ClusterOptions) {
    this.#dir = dir;
    this.cp = cp;
    this.client = cp.localClient();
    this.sim = sim;
    this.logger = logger;
    this.#options = options;
    this.config = resolveConfig(SCHEDULER_CONFIG);
  }

  static async start(options: ClusterOptions): Promise<BenchCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-sched-'));
    const logger = options.logger ?? pino({ level: process.env['STRATA_BENCH_LOG'] ?? 'warn' });
    const cp = await startControlPlane({
      dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
      maxInflight: 4000, version: 'bench', logger, openStore: () => SqliteStore.open({ path: path.join(dir, 'state.db') }),
    });
    // Registration writes three objects per node: let it run as fast as the server takes them.
    const sim = new SimCluster(
      { nodes: options.nodes, zones: ZONES, cpu: NODE_CAPACITY.cpu, memory: NODE_CAPACITY.memory, pods: NODE_CAPACITY.pods, qps: 20_000, burst: 2_000, maxInFlight: 256, podWorkers: 64 },
      { client: cp.localClient(undefined, 'strata-sim'), logger },
    );
    await sim.start();
    if (!options.kubelets) sim.failNodes();
    const client = cp.localClient();
    for (const pc of PRIORITY_CLASSES) {
      await client.create({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' }, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value } as KubeObject);
    }
    return new BenchCluster(dir, cp, sim, logger, options);
  }

  async ensureNamespace(name: string): Promise<void> {
    try {
      await this.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** Labels every other node (even indexes) POOL_KEY=POOL_VALUE. */
  async labelHalf(): Promise<void> {
    const names = this.sim.nodeNames().filter((_, i) => i % 2 === 0);
    await this.#pool(names.length, (i) => this.client.patch({ ...NODES, name: names[i]! }, 'merge', { metadata: { labels: { [POOL_KEY]: POOL_VALUE } } }));
  }

  /** Creates the set's pods (named <namespace>-<i>) through `inflight` concurrent requests; returns ms taken. */
  async createPods(set: PodSet): Promise<number> {
    await this.ensureNamespace(set.namespace);
    const t0 = performance.now();
    await this.#pool(set.count, (i) => {
      const pod = set.pod(i);
      pod.metadata = { ...pod.metadata, name: `${set.namespace}-${i}`, namespace: set.namespace };
      return this.client.create<Pod>({ ...PODS, namespace: set.namespace }, pod);
    });
    return performance.now() - t0;
  }

  async #pool(count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(this.#options.inflight, count) }, async () => {
      while (next < count) await fn(next++);
    }));
  }

  /** Starts a scheduler term (fresh informers, queue and cache, as a restarted kube-scheduler); resolves once it schedules. */
  async startScheduler(): Promise<SchedulerTerm> {
    const ac = new AbortController();
    const t0 = performance.now();
    let started!: (s: Scheduler) => void;
    const ready = new Promise<Scheduler>((r) => (started = r));
    const running = runSchedulerTerm(
      { client: this.cp.localClient(undefined, 'strata-scheduler'), config: this.config, identity: 'bench_scheduler', logger: this.logger.child({ component: 'scheduler' }), onStarted: (s) => started(s) },
      ac.signal,
    );
    const failed = running.then(() => {
      throw new Error('scheduler term ended before it started');
    });
    const scheduler = await Promise.race([ready, failed]);
    const startedAt = performance.now();
    return {
      scheduler,
      startedAt,
      syncMs: startedAt - t0,
      async stop() {
        ac.abort();
        await running;
      },
    };
  }

  /** Counts pods of the namespace that are bound (a paged LIST, to check what the scheduler's counters say). */
  async boundPods(namespace: string): Promise<{ bound: number; total: number }> {
    let bound = 0;
    let total = 0;
    let cont: string | undefined;
    do {
      const page = await this.client.list<Pod>({ ...PODS, namespace }, { limit: 5000, ...(cont ? { continue: cont } : {}) });
      for (const p of page.items) {
        total++;
        if (p.spec?.nodeName) bound++;
      }
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { bound, total };
  }

  async close(): Promise<void> {
    await this.sim.stop();
    await this.cp.close();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Resolves when `probe` is true, polling every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor(what: string, probe: () => boolean, timeoutMs: number, everyMs = 10): Promise<number> {
  const t0 = performance.now();
  while (!probe()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return performance.now() - t0;
}
