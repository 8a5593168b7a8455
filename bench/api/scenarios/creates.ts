// Creates/s of ~1 KiB ConfigMaps at a given number of closed-loop HTTPS clients, beside:
//   no-op  — POST /debug/strata/noop with a body of the same size, answered with a canned body the
//            size of the API's create response, same clients (the transport limit);
//   store  — SqliteStore.create(key, same bytes) in this process, same concurrency.
// The three are measured in alternating rounds (BenchContext.interleave).

import type { BenchContext, Measured, ScenarioResult } from '../context.ts';
import { openClient } from '../clients.ts';
import { configMap, configMapKey, configMapsPath, mustCreate } from '../fixtures.ts';
import { closedLoop } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio, fmtUs } from '../stats.ts';

export const CREATE_NAMESPACE = 'bench-create';

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
  const round = { workers: clients, durationMs: o.createMs / o.rounds, maxOps: 1_000_000 };
  const warm = { ...round, durationMs: o.createWarmupMs };
  let seq = 0;
  const name = (): string => `c${clients}-${seq++}`;
  const requestBytes = configMap(ns, `c${clients}-${seq}`, o.valueBytes).length;
  const responseBytes = (await mustCreate(ctx.admin, ns, configMap(ns, `probe-${clients}`, o.valueBytes))).length;
  const noopPath = `/debug/strata/noop?size=${responseBytes}`;
  const path = configMapsPath(ns);

  const client = await openClient(ctx.endpoint, o.transport, clients);
  const store = await ctx.openStore();
  try {
    const results = await ctx.interleave(
      o.rounds,
      {
        api: (tally, warmup) => closedLoop(warmup ? warm : round, async () => (await client.request('POST', path, configMap(ns, name(), o.valueBytes))).status === 201, tally),
        noop: (tally, warmup) => closedLoop(warmup ? warm : round, async () => (await client.request('POST', noopPath, configMap(ns, name(), o.valueBytes))).status === 201, tally),
        store: (tally, warmup) =>
          closedLoop(
            warmup ? warm : round,
            async () => {
              const n = name();
              await store.create(configMapKey(ns, n), configMap(ns, n, o.valueBytes));
              return true;
            },
            tally,
          ),
      },
      (k, r) => ctx.progress(`creates, ${clients} client(s): ${k}, round ${r + 1}/${o.rounds}`),
    );
    const data: CreatesData = { clients, transport: client.description, requestBytes, responseBytes, ...results };
    return { section: section(data, o.rounds), data };
  } finally {
    await Promise.all([client.close(), store.close()]);
  }
}

function section(d: CreatesData, rounds: number): ScenarioResult<CreatesData>['section'] {
  const row = (name: string, m: Measured, ratio: string, inProcess = false): string[] => [
    name,
    fmtInt(m.rate),
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
    `${fmtInt(d.api.ops)} API creates in ${d.api.seconds.toFixed(1)} s over ${rounds} rounds interleaved with the baselines; request ${fmtBytes(d.requestBytes)}, response ${fmtBytes(d.responseBytes)}; client: ${d.transport}`,
    `median of the ${rounds} per-round p99s: API ${fmtMs(d.api.roundP99Median)}, no-op ${fmtMs(d.noop.roundP99Median)}, store ${fmtMs(d.store.roundP99Median)}`,
    'API÷this = API creates/s divided by the row\'s rate; CPU = cores used by the server process / by the bench process',
  ];
  for (const [name, m] of [['API', d.api], ['no-op', d.noop], ['store', d.store]] as const) {
    if (m.firstError) notes.push(`${name} first error: ${m.firstError.slice(0, 200)}`);
  }
  return {
    title: `Creates of 1 KiB ConfigMaps, ${d.clients} concurrent client${d.clients === 1 ? '' : 's'} (closed loop)`,
    header: ['target', 'creates/s', 'p50', 'p99', 'max', 'errors', 'API÷this', 'server CPU', 'bench CPU', 'CPU/op'],
    rows: [
      row('API  POST configmaps', d.api, ''),
      row('no-op HTTPS POST (transport)', d.noop, fmtRatio(d.api.rate / d.noop.rate)),
      row('raw SqliteStore.create', d.store, fmtRatio(d.api.rate / d.store.rate), true),
    ],
    notes: [...notes, 'CPU/op = CPU time per operation of the process doing the work: the server, or this process for the raw store'],
  };
}
