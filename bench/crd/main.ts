// CRD object create throughput beside a built-in kind's, in the same run: starts `strata server`
// as a child process (test/e2e/harness.ts), then drives closed-loop creates over HTTP/2 with the
// admin client certificate, alternating rounds between
//   ConfigMap  — the built-in baseline (~1 KiB objects);
//   CR, open   — a custom kind whose schema keeps anything (x-kubernetes-preserve-unknown-fields):
//                the generic store and registry path, no schema work;
//   CR, full   — a realistic schema: nested objects, a map list, enums, pattern, bounds,
//                defaults, two CEL rules (one with a comprehension), status subresource.
// Prints creates/s, latency, server CPU per create (steadier than rates on a shared machine) and
// their ratios to ConfigMap at each concurrency.
//
//   node bench/crd/main.ts [--quick] [--rounds N] [--seconds S] [--clients 1,16]

import { readdirSync, readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { cpus, loadavg } from 'node:os';
import { startStrata, type StrataProcess } from '../../test/e2e/harness.ts';

interface Options {
  rounds: number;
  seconds: number;
  clients: number[];
}

function parseOptions(argv: string[]): Options {
  const o: Options = { rounds: 5, seconds: 3, clients: [1, 16] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') Object.assign(o, { rounds: 2, seconds: 1 });
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--clients') o.clients = String(argv[++i]).split(',').map(Number);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const NS = 'bench-crd';
const GROUP = 'bench.strata.dev';

const FULL_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image', 'replicas'],
      'x-kubernetes-validations': [
        { rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' },
        { rule: "self.ports.all(p, p.port > 0 && p.port < 65536)", message: 'ports must be valid' },
      ],
      properties: {
        image: { type: 'string', pattern: '^[a-z0-9./:-]+$', maxLength: 200 },
        replicas: { type: 'integer', minimum: 0 },
        maxReplicas: { type: 'integer', default: 100 },
        mode: { type: 'string', enum: ['fast', 'safe', 'slow'], default: 'safe' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        ports: {
          type: 'array',
          maxItems: 16,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name', 'port'], properties: { name: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } },
        },
        resources: { type: 'object', properties: { cpu: { 'x-kubernetes-int-or-string': true }, memory: { 'x-kubernetes-int-or-string': true } } },
        notes: { type: 'string' },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

function crd(plural: string, kind: string, schema: unknown, status: boolean): unknown {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural, kind },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, ...(status ? { subresources: { status: {} } } : {}) }],
    },
  };
}

const NOTES = 'n'.repeat(560);

const BODIES = {
  configmap: (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { app: 'bench' } }, data: { image: 'registry.example.com/app:1.2.3', replicas: '3', mode: 'fast', ports: 'http:8080,metrics:9090', cpu: '500m', memory: '256Mi', notes: NOTES } }),
  open: (name: string) => ({ apiVersion: `${GROUP}/v1`, kind: 'OpenThing', metadata: { name, namespace: NS, labels: { app: 'bench' } }, spec: specBody() }),
  full: (name: string) => ({ apiVersion: `${GROUP}/v1`, kind: 'FullThing', metadata: { name, namespace: NS, labels: { app: 'bench' } }, spec: specBody() }),
};

function specBody(): Record<string, unknown> {
  return {
    image: 'registry.example.com/app:1.2.3',
    replicas: 3,
    mode: 'fast',
    labels: { team: 'core', tier: 'web' },
    ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }],
    resources: { cpu: '500m', memory: '256Mi' },
    notes: NOTES,
  };
}

const PATHS = {
  configmap: `/api/v1/namespaces/${NS}/configmaps`,
  open: `/apis/${GROUP}/v1/namespaces/${NS}/openthings`,
  full: `/apis/${GROUP}/v1/namespaces/${NS}/fullthings`,
};

type Target = keyof typeof PATHS;
const TARGETS: Target[] = ['configmap', 'open', 'full'];
const LABELS: Record<Target, string> = { configmap: 'ConfigMap (built-in)', open: 'CR, open schema', full: 'CR, full schema + CEL' };

class Pool {
  readonly #sessions: ClientHttp2Session[];
  #next = 0;

  private constructor(sessions: ClientHttp2Session[]) {
    this.#sessions = sessions;
  }

  static async open(s: StrataProcess, n: number): Promise<Pool> {
    const { ca, cert, key } = s.credentials();
    const sessions = await Promise.all(
      Array.from({ length: n }, () => new Promise<ClientHttp2Session>((resolve, reject) => {
        const session = connect(`https://127.0.0.1:${s.port}`, { ca, cert, key });
        session.once('connect', () => resolve(session));
        session.once('error', reject);
      })),
    );
    for (const session of sessions) session.on('error', () => {});
    return new Pool(sessions);
  }

  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const session = this.#sessions[this.#next++ % this.#sessions.length] as ClientHttp2Session;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':method': method, ':path': path, 'content-type': 'application/json', accept: 'application/json' }, { endStream: payload === undefined });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
      stream.on('error', reject);
      if (payload) stream.end(payload);
    });
  }

  close(): void {
    for (const s of this.#sessions) s.close();
  }
}

interface Tally {
  ops: number;
  errors: number;
  ms: number;
  /** Server CPU time (all threads) spent during the rounds, ms. */
  cpuMs: number;
  latencies: number[];
  firstError?: string;
}

/** CPU time of a process in ms, all threads (schedstat is in nanoseconds). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

async function closedLoop(pool: Pool, target: Target, workers: number, seconds: number, seq: { n: number }, tally: Tally, pid: number): Promise<void> {
  const cpu0 = cpuMs(pid);
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await pool.request('POST', PATHS[target], BODIES[target](`o${seq.n++}`));
        if (r.status === 201) {
          tally.ops++;
          tally.latencies.push(performance.now() - t);
        } else {
          tally.errors++;
          tally.firstError ??= `${r.status} ${r.body.slice(0, 200)}`;
        }
      }
    }),
  );
  tally.ms += performance.now() - started;
  tally.cpuMs += cpuMs(pid) - cpu0;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load0 = loadavg()[0] as number;
  const s = await startStrata();
  try {
    const admin = await Pool.open(s, 1);
    const must = async (path: string, body: unknown): Promise<void> => {
      const r = await admin.request('POST', path, body);
      if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
    };
    await must('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await must('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('openthings', 'OpenThing', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, false));
    await must('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('fullthings', 'FullThing', FULL_SCHEMA, true));
    for (const t of ['open', 'full'] as const) {
      for (let i = 0; ; i++) {
        if ((await admin.request('GET', PATHS[t])).status === 200) break;
        if (i > 500) throw new Error(`${t} never served`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const sizes = Object.fromEntries(TARGETS.map((t) => [t, Buffer.byteLength(JSON.stringify(BODIES[t]('o00000')))]));
    process.stdout.write(`CRD create throughput — ${cpus().length} cores, ${cpus()[0]?.model ?? ''}, Node ${process.versions.node}, load average at start ${load0.toFixed(2)}\n`);
    process.stdout.write(`request bodies: ${TARGETS.map((t) => `${LABELS[t]} ${sizes[t]} B`).join(', ')}; ${o.rounds} rounds of ${o.seconds} s per target, targets alternating\n\n`);

    const seq = { n: 0 };
    const pid = s.child?.pid as number;
    const fresh = (): Tally => ({ ops: 0, errors: 0, ms: 0, cpuMs: 0, latencies: [] });
    for (const clients of o.clients) {
      const pool = await Pool.open(s, Math.min(clients, 8));
      const tallies = Object.fromEntries(TARGETS.map((t) => [t, fresh()])) as Record<Target, Tally>;
      // Warm-up (JIT, caches), not counted.
      for (const t of TARGETS) await closedLoop(pool, t, clients, 0.5, seq, fresh(), pid);
      for (let r = 0; r < o.rounds; r++) {
        const order = r % 2 === 0 ? TARGETS : [...TARGETS].reverse();
        for (const t of order) await closedLoop(pool, t, clients, o.seconds, seq, tallies[t], pid);
      }
      pool.close();
      const base = tallies.configmap.ops / (tallies.configmap.ms / 1000);
      const baseCpu = (tallies.configmap.cpuMs * 1000) / tallies.configmap.ops;
      process.stdout.write(`${clients} concurrent client${clients === 1 ? '' : 's'} (closed loop, HTTP/2)\n`);
      process.stdout.write(`  ${pad('target', 24)} ${pad('creates/s', 10, true)} ${pad('p50 ms', 8, true)} ${pad('p99 ms', 8, true)} ${pad('errors', 7, true)} ${pad('÷ ConfigMap', 12, true)} ${pad('server CPU/op', 14, true)} ${pad('÷ ConfigMap', 12, true)}\n`);
      for (const t of TARGETS) {
        const tally = tallies[t];
        const rate = tally.ops / (tally.ms / 1000);
        const cpuPerOp = (tally.cpuMs * 1000) / tally.ops;
        const sorted = tally.latencies.sort((a, b) => a - b);
        process.stdout.write(`  ${pad(LABELS[t], 24)} ${pad(rate.toFixed(0), 10, true)} ${pad(quantile(sorted, 0.5).toFixed(2), 8, true)} ${pad(quantile(sorted, 0.99).toFixed(2), 8, true)} ${pad(String(tally.errors), 7, true)} ${pad(`${(rate / base).toFixed(2)}×`, 12, true)} ${pad(`${cpuPerOp.toFixed(0)} µs`, 14, true)} ${pad(`${(cpuPerOp / baseCpu).toFixed(2)}×`, 12, true)}\n`);
        if (tally.firstError) process.stdout.write(`    first error: ${tally.firstError}\n`);
      }
      process.stdout.write('\n');
    }
    process.stdout.write(`load average at end ${(loadavg()[0] as number).toFixed(2)}\n`);
    admin.close();
  } finally {
    await s.cleanup();
  }
}

await main();
