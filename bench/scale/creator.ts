// The load of bench/scale: a pool of API clients in a process of their own (each client its own
// HTTP/2 connection over loopback HTTPS, admin kubeconfig), creating pods round-robin over the
// namespaces load-0…, or Deployments of at most 100 replicas (the controller manager then creates
// the pods). Optionally paced to a fixed rate. Reports progress over IPC every second and once
// done; stops early when the parent says so.
//
//   fork('bench/scale/creator.ts', [kubeconfig, JSON.stringify(CreatorOptions)])

import { RestClient } from '../../src/client/index.ts';
import { isAlreadyExists, isStatusError } from '../../src/machinery/index.ts';

export interface CreatorOptions {
  pods: number;
  namespaces: number;
  clients: number;
  inflight: number;
  /** Objects per second at most (0: as fast as the server answers). */
  qps: number;
  deployments: boolean;
}

export interface CreatorReport {
  type: 'progress' | 'done';
  /** Pods created, or replicas asked for through Deployments. */
  created: number;
  errors: number;
  /** Calls retried: 429 Too Many Requests, or an HTTP/2 stream the server refused. */
  retries: number;
  firstError?: string;
  ms: number;
}

const POD_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } };
const [kubeconfig, raw] = process.argv.slice(2);
const o = JSON.parse(raw!) as CreatorOptions;
const clients = await Promise.all(Array.from({ length: o.clients }, () => RestClient.fromKubeconfig(kubeconfig!, { userAgent: 'strata-bench-creator' })));
let stopped = false;
let created = 0;
let errors = 0;
let retries = 0;
let firstError: string | undefined;
const t0 = performance.now();
const report = (type: CreatorReport['type']): void =>
  void process.send?.({ type, created, errors, retries, ...(firstError ? { firstError } : {}), ms: performance.now() - t0 } satisfies CreatorReport);
process.on('message', (m: unknown) => {
  if (m === 'stop') stopped = true;
});
const progress = setInterval(() => report('progress'), 1000);

const perObject = o.deployments ? 100 : 1;
const total = Math.ceil(o.pods / perObject);
let next = 0;
const intervalMs = o.qps > 0 ? 1000 / o.qps : 0;

async function one(c: RestClient, i: number): Promise<void> {
  const namespace = `load-${i % o.namespaces}`;
  if (o.deployments) {
    const replicas = Math.min(100, o.pods - i * 100);
    const name = `dep-${i}`;
    await c.create({ group: 'apps', version: 'v1', resource: 'deployments', namespace }, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: POD_RESOURCES }] } } },
    });
    created += replicas;
    return;
  }
  await c.create({ group: '', version: 'v1', resource: 'pods', namespace }, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace, labels: { app: `app-${i % 100}` } },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: POD_RESOURCES }] },
  });
  created++;
}

await Promise.all(Array.from({ length: o.inflight }, async (_, w) => {
  const c = clients[w % clients.length]!;
  while (next < total && !stopped) {
    const i = next++;
    if (intervalMs > 0) {
      // Open-loop pacing: object i starts no earlier than i / qps after the start.
      const wait = t0 + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await one(c, i);
        break;
      } catch (err) {
        // As client-go: 429 is retried after its Retry-After (1 s); so is a stream the server
        // refused. A retried create that finds its object did land the first time.
        if (attempt > 0 && isAlreadyExists(err)) {
          created += o.deployments ? Math.min(100, o.pods - i * 100) : 1;
          break;
        }
        const retriable = (isStatusError(err) && err.status.code === 429) || (err as { code?: string }).code === 'ERR_HTTP2_STREAM_ERROR';
        if (retriable && attempt < 20 && !stopped) {
          retries++;
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        errors++;
        firstError ??= String(err);
        break;
      }
    }
  }
}));
clearInterval(progress);
report('done');
for (const c of clients) c.close();
process.disconnect();
