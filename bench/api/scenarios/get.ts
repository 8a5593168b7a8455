// GET latency of one existing ConfigMap at a fixed request rate (open loop: latency counts from
// the scheduled send time), beside a no-op GET answering a canned body of the same size, and a raw
// SqliteStore.get of the same key at the same rate, measured in alternating rounds.

import type { BenchContext, Measured, ScenarioResult } from '../context.ts';
import { H2Pool } from '../clients.ts';
import { configMap, configMapKey, configMapPath, mustCreate } from '../fixtures.ts';
import { openLoop } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio, fmtUs } from '../stats.ts';

export const GET_NAMESPACE = 'bench-get';
const NAME = 'get-target';

export interface GetData {
  readonly rate: number;
  readonly transport: string;
  readonly responseBytes: number;
  readonly api: Measured;
  readonly noop: Measured;
  readonly store: Measured;
}

export async function runGet(ctx: BenchContext): Promise<ScenarioResult<GetData>> {
  const o = ctx.options;
  const body = configMap(GET_NAMESPACE, NAME, o.valueBytes);
  await mustCreate(ctx.admin, GET_NAMESPACE, body);
  const path = configMapPath(GET_NAMESPACE, NAME);
  const first = await ctx.admin.request('GET', path);
  if (first.status !== 200) throw new Error(`GET ${path}: HTTP ${first.status}`);
  const responseBytes = first.body.length;
  const noopPath = `/debug/strata/noop?size=${responseBytes}`;
  const round = { ratePerSec: o.getRate, durationMs: o.getMs / o.rounds, maxOps: o.getRate * 60 };
  const warm = { ...round, durationMs: o.getWarmupMs };

  // One multiplexed connection, as one client-go client would use.
  const client = await H2Pool.connect(ctx.endpoint, 1);
  const store = await ctx.openStore();
  const key = configMapKey(GET_NAMESPACE, NAME);
  await store.create(key, body);
  try {
    const results = await ctx.interleave(
      o.rounds,
      {
        api: (tally, warmup) => openLoop(warmup ? warm : round, async () => (await client.request('GET', path)).status === 200, tally),
        noop: (tally, warmup) => openLoop(warmup ? warm : round, async () => (await client.request('GET', noopPath)).status === 200, tally),
        store: (tally, warmup) => openLoop(warmup ? warm : round, async () => (await store.get(key)) !== undefined, tally),
      },
      (k, r) => ctx.progress(`GET at ${o.getRate}/s: ${k}, round ${r + 1}/${o.rounds}`),
    );
    const data: GetData = { rate: o.getRate, transport: client.description, responseBytes, ...results };
    return { section: section(data, o.rounds), data };
  } finally {
    await Promise.all([client.close(), store.close()]);
  }
}

function section(d: GetData, rounds: number): ScenarioResult<GetData>['section'] {
  const row = (name: string, m: Measured, ratio: string, inProcess = false): string[] => [
    name,
    fmtInt(m.issuedRate),
    fmtMs(m.latency.p50),
    fmtMs(m.latency.p99),
    fmtMs(m.latency.max),
    fmtInt(m.errors),
    ratio,
    fmtCores(m.cpu.server),
    fmtCores(m.cpu.bench),
    fmtUs(inProcess ? m.cpuPerOp.bench : m.cpuPerOp.server),
  ];
  const notes = [
    `${fmtInt(d.api.ops)} GETs per target over ${rounds} interleaved rounds; response ${fmtBytes(d.responseBytes)}; client: ${d.transport}`,
    'latency counts from the scheduled send time, so it includes the client timer\'s lag (the store row is mostly that lag)',
    `median of the ${rounds} per-round p99s (robust to a stall that hit one round): API ${fmtMs(d.api.roundP99Median)}, no-op ${fmtMs(d.noop.roundP99Median)}, store ${fmtMs(d.store.roundP99Median)}`,
    'API÷this = API p99 divided by the row\'s p99',
  ];
  for (const [name, m] of [['API', d.api], ['no-op', d.noop], ['store', d.store]] as const) {
    if (m.firstError) notes.push(`${name} first error: ${m.firstError.slice(0, 200)}`);
  }
  return {
    title: `GET of one ConfigMap at a fixed ${d.rate} req/s (open loop)`,
    header: ['target', 'req/s', 'p50', 'p99', 'max', 'errors', 'API÷this', 'server CPU', 'bench CPU', 'CPU/op'],
    rows: [
      row('API  GET configmap', d.api, ''),
      row('no-op HTTPS GET (transport)', d.noop, fmtRatio(d.api.latency.p99 / d.noop.latency.p99)),
      row('raw SqliteStore.get', d.store, fmtRatio(d.api.latency.p99 / d.store.latency.p99), true),
    ],
    notes: [...notes, 'CPU/op = CPU time per operation of the process doing the work: the server, or this process for the raw store'],
  };
}
