// Creates/s of ~1 KiB ConfigMaps at a given number of closed-loop HTTPS clients, beside:
//   no-op  — POST /debug/strata/noop with a body of the same size, answered with a canned body the
//            size of the API's create response, same clients (the transport limit);
//   store  — SqliteStore.create(key, same bytes) in this process, same concurrency.

import type { BenchContext, Cpu, ScenarioResult } from '../context.ts';
import { openClient } from '../clients.ts';
import { configMap, configMapKey, configMapsPath, mustCreate } from '../fixtures.ts';
import { closedLoop, type LoadResult } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio } from '../stats.ts';

export const CREATE_NAMESPACE = 'bench-create';

export interface Measured extends LoadResult {
  readonly cpu: Cpu;
}

export interface CreatesData {
  readonly clients: number;
  readonly transport: string;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly api: Measured;
  readonly noop: Measured;
  readonly store: Measured;
}

export async function runCreates(ctx: BenchContext, clients: number): Promise<ScenarioResult<CreatesData>> {
  const o = ctx.options;
  const ns = CREATE_NAMESPACE;
  const loop = { workers: clients, durationMs: o.createMs, warmupMs: o.createWarmupMs, maxOps: 1_000_000 };
  const body = (seq: number): Buffer => configMap(ns, `c${clients}-${seq}`, o.valueBytes);
  const probe = body(-1);
  const responseBytes = (await mustCreate(ctx.admin, ns, configMap(ns, `probe-${clients}`, o.valueBytes))).length;

  const client = await openClient(ctx.endpoint, o.transport, clients);
  try {
    ctx.progress(`creates, ${clients} client(s): no-op`);
    const noopPath = `/debug/strata/noop?size=${responseBytes}`;
    const noop = await measure(ctx, () => closedLoop(loop, async (seq) => (await client.request('POST', noopPath, body(seq))).status === 201));

    ctx.progress(`creates, ${clients} client(s): API`);
    const path = configMapsPath(ns);
    const api = await measure(ctx, () => closedLoop(loop, async (seq) => (await client.request('POST', path, body(seq))).status === 201));

    ctx.progress(`creates, ${clients} client(s): raw store`);
    const store = await ctx.openStore();
    const raw = await measure(ctx, () =>
      closedLoop(loop, async (seq) => {
        await store.create(configMapKey(ns, `c${clients}-${seq}`), body(seq));
        return true;
      }),
    ).finally(() => store.close());

    const data: CreatesData = { clients, transport: client.description, requestBytes: probe.length, responseBytes, api, noop, store: raw };
    return { section: section(data), data };
  } finally {
    await client.close();
  }
}

async function measure(ctx: BenchContext, fn: () => Promise<LoadResult>): Promise<Measured> {
  const [result, cpu] = await ctx.measured(fn);
  return { ...result, cpu };
}

function section(d: CreatesData): ScenarioResult<CreatesData>['section'] {
  const row = (name: string, m: Measured, ratio: string): string[] => [
    name,
    fmtInt(m.rate),
    fmtMs(m.latency.p50),
    fmtMs(m.latency.p99),
    fmtMs(m.latency.max),
    fmtInt(m.errors),
    ratio,
    fmtCores(m.cpu.server),
    fmtCores(m.cpu.bench),
  ];
  const notes = [
    `${fmtInt(d.api.ops)} creates in ${d.api.seconds.toFixed(1)} s; request ${fmtBytes(d.requestBytes)}, response ${fmtBytes(d.responseBytes)}; client: ${d.transport}`,
    `API÷this = API creates/s divided by the row's rate; CPU = cores used (server process / bench process)`,
  ];
  for (const [name, m] of [['API', d.api], ['no-op', d.noop], ['store', d.store]] as const) {
    if (m.firstError) notes.push(`${name} first error: ${m.firstError.slice(0, 200)}`);
  }
  return {
    title: `Creates of 1 KiB ConfigMaps, ${d.clients} concurrent client${d.clients === 1 ? '' : 's'} (closed loop)`,
    header: ['target', 'creates/s', 'p50', 'p99', 'max', 'errors', 'API÷this', 'server CPU', 'bench CPU'],
    rows: [
      row('API  POST configmaps', d.api, ''),
      row('no-op HTTPS POST (transport)', d.noop, fmtRatio(d.api.rate / d.noop.rate)),
      row('raw SqliteStore.create', d.store, fmtRatio(d.api.rate / d.store.rate)),
    ],
    notes,
  };
}
