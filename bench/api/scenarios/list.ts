// LIST of a namespace holding N ConfigMaps of ~1 KiB: the full JSON list (no limit) and the same
// list paged with limit=500, beside the raw SqliteStore.list(prefix) of the same values and the
// transport moving the same number of bytes as 64 KiB no-op responses (the no-op body is capped
// at 64 KiB by the server, so one full-size canned list is not possible). Repetitions of the four
// alternate (BenchContext.interleave).

import type { BenchContext, Measured, ScenarioResult } from '../context.ts';
import { H2Pool, type HttpClient } from '../clients.ts';
import { configMap, configMapKey, configMapsPath } from '../fixtures.ts';
import { closedLoop, type LoadResult, type Tally } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio } from '../stats.ts';

export const LIST_NAMESPACE = 'bench-list';
const FILL_CLIENTS = 32;
const FILL_TIMEOUT_MS = 120_000;
const NOOP_CHUNK = 64 * 1024;

export interface ListTiming extends Measured {
  readonly bytes: number;
  readonly requests: number;
}

export interface ListData {
  readonly objects: number;
  readonly fill: LoadResult;
  readonly pageLimit: number;
  readonly full: ListTiming;
  readonly paged: ListTiming;
  readonly noop: ListTiming;
  readonly store: ListTiming;
}

interface Transfer {
  bytes: number;
  requests: number;
}

/** Times one whole list into the tally (one sample = one list). */
async function timeOnce(tally: Tally, last: Transfer, fn: () => Promise<Transfer>): Promise<void> {
  const t0 = performance.now();
  const t = await fn();
  const ms = performance.now() - t0;
  tally.samples.add(ms);
  tally.ms += ms;
  last.bytes = t.bytes;
  last.requests = t.requests;
}

export async function runList(ctx: BenchContext): Promise<ScenarioResult<ListData>> {
  const o = ctx.options;
  const ns = LIST_NAMESPACE;
  const n = o.listObjects;
  const name = (i: number): string => `l-${String(i).padStart(6, '0')}`;
  const path = configMapsPath(ns);
  const prefix = configMapKey(ns, '');

  ctx.progress(`LIST: creating ${fmtInt(n)} ConfigMaps through the API and in the raw store`);
  const fillClient = await H2Pool.connect(ctx.endpoint, FILL_CLIENTS);
  let next = 0;
  const fill = (
    await closedLoop({ workers: FILL_CLIENTS, durationMs: FILL_TIMEOUT_MS, maxOps: n }, async () => {
      return (await fillClient.request('POST', path, configMap(ns, name(next++), o.valueBytes))).status === 201;
    }).finally(() => fillClient.close())
  ).result();
  if (fill.errors) ctx.progress(`LIST: ${fill.errors} creates failed (${fill.firstError ?? 'non-201 answers'})`);
  const store = await ctx.openStore();
  const client = await H2Pool.connect(ctx.endpoint, 1);
  try {
    let storeNext = 0;
    await closedLoop({ workers: FILL_CLIENTS, durationMs: FILL_TIMEOUT_MS, maxOps: n }, async () => {
      const i = storeNext++;
      await store.create(configMapKey(ns, name(i)), configMap(ns, name(i), o.valueBytes));
      return true;
    });

    const probe = await client.request('GET', path);
    if (probe.status !== 200) throw new Error(`LIST ${path}: HTTP ${probe.status} ${probe.body.toString().slice(0, 200)}`);
    const listed = (JSON.parse(probe.body.toString()) as { items: unknown[] }).items.length;
    const chunks = Math.max(1, Math.ceil(probe.body.length / NOOP_CHUNK));
    const noopPath = `/debug/strata/noop?size=${NOOP_CHUNK}`;

    const last = { full: { bytes: 0, requests: 0 }, paged: { bytes: 0, requests: 0 }, noop: { bytes: 0, requests: 0 }, store: { bytes: 0, requests: 0 } };
    const results = await ctx.interleave(
      o.listReps,
      {
        full: (tally) =>
          timeOnce(tally, last.full, async () => {
            const res = await client.request('GET', path);
            if (res.status !== 200) throw new Error(`LIST ${path}: HTTP ${res.status}`);
            return { bytes: res.body.length, requests: 1 };
          }),
        paged: (tally) => timeOnce(tally, last.paged, () => pagedList(client, path, o.pageLimit)),
        noop: (tally) =>
          timeOnce(tally, last.noop, async () => {
            let bytes = 0;
            for (let i = 0; i < chunks; i++) {
              const res = await client.request('GET', noopPath);
              if (res.status !== 200) throw new Error(`no-op GET: HTTP ${res.status}`);
              bytes += res.body.length;
            }
            return { bytes, requests: chunks };
          }),
        store: (tally) =>
          timeOnce(tally, last.store, async () => {
            const { items } = await store.list(prefix);
            let bytes = 0;
            for (const kv of items) bytes += kv.value.byteLength;
            return { bytes, requests: 1 };
          }),
      },
      (k, r) => ctx.progress(`LIST: ${k}, round ${r + 1}/${o.listReps}`),
    );
    const data: ListData = {
      objects: listed,
      fill,
      pageLimit: o.pageLimit,
      full: { ...results.full, ...last.full },
      paged: { ...results.paged, ...last.paged },
      noop: { ...results.noop, ...last.noop },
      store: { ...results.store, ...last.store },
    };
    return { section: section(data), data };
  } finally {
    await Promise.all([client.close(), store.close()]);
  }
}

/** Follows continue tokens to the end; the token is read from the raw bytes, the pages are not decoded. */
async function pagedList(client: HttpClient, path: string, limit: number): Promise<Transfer> {
  let bytes = 0;
  let requests = 0;
  let token = '';
  do {
    const res = await client.request('GET', `${path}?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    if (res.status !== 200) throw new Error(`paged LIST: HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
    bytes += res.body.length;
    requests++;
    const at = res.body.indexOf('"continue":"');
    token = at < 0 ? '' : res.body.toString('latin1', at + 12, res.body.indexOf('"', at + 12));
  } while (token && requests < 10_000);
  return { bytes, requests };
}

function section(d: ListData): ScenarioResult<ListData>['section'] {
  const apiMs = d.full.latency.p50;
  const row = (name: string, t: ListTiming, ratio: string): string[] => [
    name,
    fmtInt(t.requests),
    fmtBytes(t.bytes),
    fmtMs(t.latency.p50),
    fmtMs(t.latency.min),
    (t.bytes / 1e6 / (t.latency.p50 / 1000)).toFixed(0),
    ratio,
    fmtCores(t.cpu.server),
    fmtCores(t.cpu.bench),
  ];
  return {
    title: `LIST of ${fmtInt(d.objects)} ConfigMaps of 1 KiB in one namespace (JSON)`,
    header: ['target', 'requests', 'bytes', 'median', 'best', 'MB/s', 'API÷this', 'server CPU', 'bench CPU'],
    rows: [
      row('API  LIST, no limit', d.full, ''),
      row(`API  LIST, limit=${d.pageLimit} pages`, d.paged, fmtRatio(apiMs / d.paged.latency.p50)),
      row('no-op 64 KiB GETs, same bytes', d.noop, fmtRatio(apiMs / d.noop.latency.p50)),
      row('raw SqliteStore.list(prefix)', d.store, fmtRatio(apiMs / d.store.latency.p50)),
    ],
    notes: [
      `${d.full.latency.count} interleaved repetitions after one warm-up each; times are per whole list (all pages); store bytes = stored values`,
      `namespace filled with ${fmtInt(d.fill.ops)} creates at ${FILL_CLIENTS} clients: ${fmtInt(d.fill.rate)}/s${d.fill.errors ? `, ${d.fill.errors} failed` : ''}`,
      'API÷this = API full-list median divided by the row\'s median',
    ],
  };
}
