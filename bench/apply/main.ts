// Server-side apply benchmark: throughput of `application/apply-patch+yaml` PATCHes of a
// 40-field Deployment beside plain PUT updates of the same Deployment, measured in the same run
// against the same `strata server` child process (started with test/e2e/harness.ts), in
// alternating rounds so that a shared machine's noise hits both alike. Every operation is a real
// write (an annotation changes each time); the no-op variants (the same body again) are measured
// too. A last section times the field manager itself in-process, which is what the Update path
// of every write now pays.
//
//   node bench/apply/main.ts [--seconds N] [--rounds N] [--concurrency N]

import { connect, type ClientHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parse } from 'yaml';
import { startStrata } from '../../test/e2e/harness.ts';
import { applyToObject, STRIP_SET, toFieldSet, updateManagedFields, type FieldManagerContext } from '../../src/machinery/apply/index.ts';
import { typeInfoFor } from '../../src/apiserver/handlers/apply.ts';
import { deployment, NAMESPACE } from './fixture.ts';
import type { JsonObject } from '../../src/machinery/patch/json-value.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 3);
const ROUNDS = arg('rounds', 5);
const CONCURRENCY = arg('concurrency', 8);

class H2 {
  readonly #sessions: ClientHttp2Session[];
  #next = 0;
  private constructor(sessions: ClientHttp2Session[]) {
    this.#sessions = sessions;
  }
  static async open(port: number, kubeconfig: string, n: number): Promise<H2> {
    const cfg = parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
    const b64 = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64');
    const ca = b64(cfg.clusters[0]?.cluster['certificate-authority-data']);
    const cert = b64(cfg.users[0]?.user['client-certificate-data']);
    const key = b64(cfg.users[0]?.user['client-key-data']);
    const sessions = await Promise.all(
      Array.from({ length: n }, () => new Promise<ClientHttp2Session>((resolve, reject) => {
        const s = connect(`https://127.0.0.1:${port}`, { ca, cert, key });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      })),
    );
    return new H2(sessions);
  }
  request(method: string, path: string, contentType: string | undefined, body: string | undefined): Promise<{ status: number; body: string }> {
    const session = this.#sessions[this.#next++ % this.#sessions.length]!;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ':method': method, ':path': path, accept: 'application/json' };
      if (contentType) headers['content-type'] = contentType;
      const stream = session.request(headers, { endStream: body === undefined });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', reject);
      if (body !== undefined) stream.end(body);
    });
  }
  close(): void {
    for (const s of this.#sessions) s.close();
  }
}

interface Outcome {
  ops: number;
  seconds: number;
  latenciesMs: number[];
}

/** Runs `op(worker, seq)` from CONCURRENCY workers for SECONDS; every answer must be 2xx. */
async function measure(op: (worker: number, seq: number) => Promise<{ status: number; body: string }>): Promise<Outcome> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  let ops = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let seq = 0; performance.now() < deadline; seq++) {
        const t = performance.now();
        const r = await op(worker, seq);
        if (r.status < 200 || r.status > 299) throw new Error(`status ${r.status}: ${r.body.slice(0, 300)}`);
        latencies.push(performance.now() - t);
        ops++;
      }
    }),
  );
  return { ops, seconds: (performance.now() - start) / 1000, latenciesMs: latencies };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function median(xs: number[]): number {
  return pct(xs, 50);
}

async function main(): Promise<void> {
  const type = typeInfoFor({ def: { definition: 'io.k8s.api.apps.v1.Deployment' } } as never).root;
  const fieldCount = toFieldSet(deployment('x', 0), type).difference(STRIP_SET).size();
  const s = await startStrata();
  const client = await H2.open(s.port, s.kubeconfig, 4);
  try {
    const ns = await client.request('POST', '/api/v1/namespaces', 'application/json', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }));
    if (ns.status !== 201) throw new Error(`namespace: ${ns.status} ${ns.body}`);
    const base = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`;
    // Separate objects per scenario and worker: no scenario sees another's managers.
    const names = (prefix: string) => Array.from({ length: CONCURRENCY }, (_, w) => `${prefix}-${w}`);
    for (const name of [...names('put'), ...names('put-same')]) {
      const r = await client.request('POST', base, 'application/json', JSON.stringify(deployment(name, 0)));
      if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
    }
    let counter = 1;
    const put = (prefix: string, changing: boolean) => (w: number) =>
      client.request('PUT', `${base}/${prefix}-${w}`, 'application/json', JSON.stringify(deployment(`${prefix}-${w}`, changing ? counter++ : 0)));
    const apply = (prefix: string, changing: boolean) => (w: number) =>
      client.request('PATCH', `${base}/${prefix}-${w}?fieldManager=bench&force=false`, 'application/apply-patch+yaml', JSON.stringify(deployment(`${prefix}-${w}`, changing ? counter++ : 0)));

    const scenarios: { label: string; op: (w: number, seq: number) => Promise<{ status: number; body: string }> }[] = [
      { label: 'PUT update (changes)', op: put('put', true) },
      { label: 'SSA apply (changes)', op: apply('apply', true) },
      { label: 'PUT update (no-op)', op: put('put-same', false) },
      { label: 'SSA apply (no-op)', op: apply('apply-same', false) },
    ];
    // Warm-up (JIT, caches; creates the apply objects by create-on-apply).
    for (const sc of scenarios) await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => sc.op(w, 0)));
    const results = new Map<string, Outcome[]>(scenarios.map((sc) => [sc.label, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const sc of scenarios) results.get(sc.label)!.push(await measure(sc.op));
    }

    const rate = (label: string): number => median(results.get(label)!.map((o) => o.ops / o.seconds));
    console.log(`server-side apply vs PUT — ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0]?.toFixed(2)}, Node ${process.version}`);
    console.log(`Deployment config: ${fieldCount} fields owned by the applier (its managedFields entry); ${CONCURRENCY} concurrent clients over HTTP/2; ${ROUNDS} rounds × ${SECONDS} s, alternating; median round shown\n`);
    console.log('scenario                  ops/s    p50 ms   p99 ms');
    for (const sc of scenarios) {
      const all = results.get(sc.label)!.flatMap((o) => o.latenciesMs);
      console.log(`${sc.label.padEnd(24)} ${rate(sc.label).toFixed(0).padStart(6)}   ${pct(all, 50).toFixed(2).padStart(6)}   ${pct(all, 99).toFixed(2).padStart(6)}`);
    }
    // Ratios per round (each pair ran back to back), then the median: steadier than a ratio of medians.
    const ratio = (a: string, b: string): string => {
      const per = results.get(a)!.map((o, i) => o.ops / o.seconds / (results.get(b)![i]!.ops / results.get(b)![i]!.seconds));
      return `${median(per).toFixed(2)} (rounds ${per.map((x) => x.toFixed(2)).join(', ')})`;
    };
    console.log(`\nratio apply/PUT (changes): ${ratio('SSA apply (changes)', 'PUT update (changes)')}`);
    console.log(`ratio apply/PUT (no-op):   ${ratio('SSA apply (no-op)', 'PUT update (no-op)')}`);

    // In-process cost of the field manager on the same object (what every write pays on top).
    const live = JSON.parse((await client.request('GET', `${base}/put-0`, undefined, undefined)).body) as JsonObject;
    const next = structuredClone(live);
    ((next['metadata'] as JsonObject)['annotations'] as JsonObject)['bench/seq'] = 'changed';
    const liveApplied = JSON.parse((await client.request('GET', `${base}/apply-0`, undefined, undefined)).body) as JsonObject;
    // The PUT loop's writer: no fieldManager and no User-Agent, so "unknown", already in the entries.
    const ctx: FieldManagerContext = { type, now: '2026-01-01T00:00:00Z', manager: '', apiVersion: 'apps/v1', subresource: '' };
    // The fastest of several batches: other processes on a shared machine only ever add time.
    const time = (fn: () => unknown): number => {
      for (let i = 0; i < 500; i++) fn();
      let best = Infinity;
      for (let batch = 0; batch < 10; batch++) {
        const n = 500;
        const t = performance.now();
        for (let i = 0; i < n; i++) fn();
        best = Math.min(best, ((performance.now() - t) / n) * 1000);
      }
      return best;
    };
    const updateUs = time(() => updateManagedFields(live, next, ctx));
    const applyUs = time(() => applyToObject(liveApplied, deployment('apply-0', 99), false, { ...ctx, manager: 'bench' }, { namespace: NAMESPACE, name: 'apply-0', kind: 'Deployment' }));
    // The server is saturated: one write costs 1/throughput of its time.
    const putLatencyUs = 1e6 / rate('PUT update (changes)');
    console.log(`\nfield manager in-process: Update ${updateUs.toFixed(1)} µs/op, Apply ${applyUs.toFixed(1)} µs/op`);
    console.log(`Update bookkeeping per PUT: ${updateUs.toFixed(1)} µs of ${putLatencyUs.toFixed(0)} µs of server time per write at the measured PUT throughput (${((updateUs / putLatencyUs) * 100).toFixed(1)}%)`);
  } finally {
    client.close();
    await s.cleanup();
  }
}

await main();
