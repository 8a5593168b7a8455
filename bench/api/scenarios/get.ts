// GET latency of one existing ConfigMap at a fixed request rate (open loop: latency counts from
// the scheduled send time), beside a no-op GET answering a canned body of the same size, and a raw
// SqliteStore.get of the same key at the same rate.

import type { BenchContext, ScenarioResult } from '../context.ts';
import { H2Pool } from '../clients.ts';
import { configMap, configMapKey, configMapPath, mustCreate } from '../fixtures.ts';
import { openLoop, type LoadResult } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio } from '../stats.ts';
import type { Cpu } from '../context.ts';

export const GET_NAMESPACE = 'bench-get';
const NAME = 'get-target';

export interface GetMeasured extends LoadResult {
  readonly achievedRate: number;
  readonly cpu: Cpu;
}

export interface GetData {
  readonly rate: number;
  readonly transport: string;
  readonly responseBytes: number;
  readonly api: GetMeasured;
  readonly noop: GetMeasured;
  readonly store: GetMeasured;
}

export async function runGet(ctx: BenchContext): Promise<ScenarioResult<GetData>> {
  const o = ctx.options;
  const body = configMap(GET_NAMESPACE, NAME, o.valueBytes);
  await mustCreate(ctx.admin, GET_NAMESPACE, body);
  const path = configMapPath(GET_NAMESPACE, NAME);
  const first = await ctx.admin.request('GET', path);
  if (first.status !== 200) throw new Error(`GET ${path}: HTTP ${first.status}`);
  const responseBytes = first.body.length;
  const loop = { ratePerSec: o.getRate, durationMs: o.getMs, warmupMs: o.getWarmupMs, maxOps: o.getRate * 60 };

  // One multiplexed connection, as one client-go client would use.
  const client = await H2Pool.connect(ctx.endpoint, 1);
  try {
    ctx.progress(`GET at ${o.getRate}/s: no-op`);
    const noopPath = `/debug/strata/noop?size=${responseBytes}`;
    const noop = await measure(ctx, () => openLoop(loop, async () => (await client.request('GET', noopPath)).status === 200));

    ctx.progress(`GET at ${o.getRate}/s: API`);
    const api = await measure(ctx, () => openLoop(loop, async () => (await client.request('GET', path)).status === 200));

    ctx.progress(`GET at ${o.getRate}/s: raw store`);
    const store = await ctx.openStore();
    const key = configMapKey(GET_NAMESPACE, NAME);
    await store.create(key, body);
    const raw = await measure(ctx, () => openLoop(loop, async () => (await store.get(key)) !== undefined)).finally(() => store.close());

    const data: GetData = { rate: o.getRate, transport: client.description, responseBytes, api, noop, store: raw };
    return { section: section(data), data };
  } finally {
    await client.close();
  }
}

async function measure(ctx: BenchContext, fn: () => Promise<LoadResult & { achievedRate: number }>): Promise<GetMeasured> {
  const [result, cpu] = await ctx.measured(fn);
  return { ...result, cpu };
}

function section(d: GetData): ScenarioResult<GetData>['section'] {
  const row = (name: string, m: GetMeasured, ratio: string): string[] => [
    name,
    fmtInt(m.achievedRate),
    fmtMs(m.latency.p50),
    fmtMs(m.latency.p99),
    fmtMs(m.latency.max),
    fmtInt(m.errors),
    ratio,
    fmtCores(m.cpu.server),
    fmtCores(m.cpu.bench),
  ];
  const notes = [
    `${fmtInt(d.api.ops)} GETs per target; response ${fmtBytes(d.responseBytes)}; client: ${d.transport}; latency from the scheduled send time`,
    'API÷this = API p99 divided by the row\'s p99',
  ];
  for (const [name, m] of [['API', d.api], ['no-op', d.noop], ['store', d.store]] as const) {
    if (m.firstError) notes.push(`${name} first error: ${m.firstError.slice(0, 200)}`);
  }
  return {
    title: `GET of one ConfigMap at a fixed ${d.rate} req/s (open loop)`,
    header: ['target', 'req/s', 'p50', 'p99', 'max', 'errors', 'API÷this', 'server CPU', 'bench CPU'],
    rows: [
      row('API  GET configmap', d.api, ''),
      row('no-op HTTPS GET (transport)', d.noop, fmtRatio(d.api.latency.p99 / d.noop.latency.p99)),
      row('raw SqliteStore.get', d.store, fmtRatio(d.api.latency.p99 / d.store.latency.p99)),
    ],
    notes,
  };
}
