// The API prober of bench/scale, in a process of its own so that its timers and TLS work do not
// share the control plane's event loop: it calls the API over loopback HTTPS (HTTP/2, admin
// kubeconfig) at a fixed rate, open loop — a call starts on schedule whether or not earlier ones
// returned (at most MAX_IN_FLIGHT at once; beyond that a slot counts as skipped) — and records
// each call's latency under the phase the parent last named. Reads: GET a Node, GET a ConfigMap,
// LIST pods of a namespace (limit 100), LIST Nodes (limit 100). Mutations: create a ConfigMap,
// merge-patch a ConfigMap. On "stop" it sends every phase's latencies and exits.
//
//   fork('bench/scale/prober.ts', [kubeconfig, ratePerSecond, listNamespace])

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RestClient } from '../../src/client/index.ts';
import { PROBE_KINDS, type PhaseSamples, type ProbeKind, type ProbeResults } from './probes.ts';

const MAX_IN_FLIGHT = 100;
const NS = 'probe';
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps', namespace: NS } as const;
const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;

const [kubeconfig, rateArg, listNamespace] = process.argv.slice(2);
const client = await RestClient.fromKubeconfig(kubeconfig!, { userAgent: 'strata-bench-prober' });
try {
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
} catch {
  // already there
}
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { value: 'x'.repeat(200) } });
await client.create(CONFIGMAPS, cm('target'));

const results: ProbeResults = {};
let phase = 'setup';
let inFlight = 0;
let seq = 0;
let created = 0;
const reported = new Set<string>();
const samples = (): PhaseSamples => (results[phase] ??= { latencies: Object.fromEntries(PROBE_KINDS.map((k) => [k, []])), errors: {}, skipped: 0 });

const calls: Record<ProbeKind, () => Promise<unknown>> = {
  'get node': () => client.get({ ...NODES, name: 'sim-0' }),
  'get configmap': () => client.get({ ...CONFIGMAPS, name: 'target' }),
  'list pods (ns, limit 100)': () => client.list({ ...PODS, namespace: listNamespace ?? 'default' }, { limit: 100 }),
  'list nodes (limit 100)': () => client.list(NODES, { limit: 100 }),
  'create configmap': () => client.create(CONFIGMAPS, cm(`c-${++created}`)),
  'patch configmap': () => client.patch({ ...CONFIGMAPS, name: 'target' }, 'merge', { data: { n: String(seq) } }),
};

function tick(): void {
  const kind = PROBE_KINDS[seq++ % PROBE_KINDS.length]!;
  const s = samples();
  if (inFlight >= MAX_IN_FLIGHT) {
    s.skipped++;
    return;
  }
  inFlight++;
  const t0 = performance.now();
  calls[kind]().then(
    () => s.latencies[kind]!.push(performance.now() - t0),
    (err: unknown) => {
      s.errors[kind] = (s.errors[kind] ?? 0) + 1;
      if (!reported.has(kind)) {
        reported.add(kind);
        process.stderr.write(`prober: ${kind} failed (${phase}): ${String(err)}\n`);
      }
    },
  ).finally(() => inFlight--);
}

const timer = setInterval(tick, 1000 / Number(rateArg ?? 24));
// One event-loop delay histogram per phase.
let loop: ReturnType<typeof monitorEventLoopDelay> | undefined;
const closeLoop = (): void => {
  if (!loop) return;
  loop.disable();
  samples().loopDelay = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
};
process.on('message', (msg: unknown) => {
  if (typeof msg === 'object' && msg && 'phase' in msg) {
    closeLoop();
    phase = String((msg as { phase: string }).phase);
    loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    return;
  }
  if (msg !== 'stop') return;
  clearInterval(timer);
  closeLoop();
  // Let the calls in flight finish (bounded), then report.
  const deadline = performance.now() + 5000;
  const finish = (): void => {
    if (inFlight > 0 && performance.now() < deadline) {
      setTimeout(finish, 50);
      return;
    }
    process.send?.({ results }, () => {
      client.close();
      process.disconnect();
    });
  };
  finish();
});
process.send?.({ ready: true });
