// LIST of a namespace holding N ConfigMaps of ~1 KiB: the full JSON list (no limit) and the same
// list paged with limit=500, beside the raw SqliteStore.list(prefix) of the same values and the
// transport moving the same number of bytes as 64 KiB no-op responses (the no-op body is capped
// at 64 KiB by the server, so one full-size canned list is not possible).

import type { BenchContext, Cpu, ScenarioResult } from '../context.ts';
import { H2Pool, type HttpClient } from '../clients.ts';
import { configMap, configMapKey, configMapsPath } from '../fixtures.ts';
import { closedLoop, type LoadResult } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio } from '../stats.ts';

export const LIST_NAMESPACE = 'bench-list';
const FILL_CLIENTS = 32;
const NOOP_CHUNK = 64 * 1024;

export interface Timing {
  readonly label: string;
  readonly objects: number;
  readonly bytes: number;
  readonly requests: number;
  /** Milliseconds of each repetition. */
  readonly ms: readonly number[];
  readonly cpu: Cpu;
}

export interface ListData {
  readonly objects: number;
  readonly fill: LoadResult;
  readonly full: Timing;
  readonly paged: Timing;
  readonly noop: Timing;
  readonly store: Timing;
}

export async function runList(ctx: BenchContext): Promise<ScenarioResult<ListData>> {
  const o = ctx.options;
  const ns = LIST_NAMESPACE;
  const n = o.listObjects;
  const name = (i: number): string => `l-${String(i).padStart(6, '0')}`;
  const client = await H2Pool.connect(ctx.endpoint, 1);
  try {
    ctx.progress(`LIST: creating ${fmtInt(n)} ConfigMaps`);
    const fillClient = await H2Pool.connect(ctx.endpoint, FILL_CLIENTS);
    const fill = await closedLoop({ workers: FILL_CLIENTS, durationMs: 120_000, maxOps: n }, async (i) => {
      return (await fillClient.request('POST', configMapsPath(ns), configMap(ns, name(i), o.valueBytes))).status === 201;
    }).finally(() => fillClient.close());
    if (fill.errors) ctx.progress(`LIST: ${fill.errors} creates failed (${fill.firstError ?? 'non-201 answers'})`);

    ctx.progress(`LIST: full list ×${o.listReps}`);
    const path = configMapsPath(ns);
    const full = await timed(ctx, 'full', o.listReps, async () => {
      const res = await client.request('GET', path);
      if (res.status !== 200) throw new Error(`LIST ${path}: HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
      return { bytes: res.body.length, requests: 1, body: res.body };
    });
    const listed = (JSON.parse(full.lastBody.toString()) as { items: unknown[] }).items.length;

    ctx.progress(`LIST: paged limit=${o.pageLimit} ×${o.pageReps}`);
    const paged = await timed(ctx, 'paged', o.pageReps, () => pagedList(client, path, o.pageLimit));

    ctx.progress('LIST: no-op transport of the same bytes');
    const chunks = Math.max(1, Math.ceil(full.timing.bytes / NOOP_CHUNK));
    const noopPath = `/debug/strata/noop?size=${NOOP_CHUNK}`;
    const noopOnce = async (): Promise<{ bytes: number; requests: number }> => {
      let bytes = 0;
      for (let i = 0; i < chunks; i++) {
        const res = await client.request('GET', noopPath);
        if (res.status !== 200) throw new Error(`no-op GET: HTTP ${res.status}`);
        bytes += res.body.length;
      }
      return { bytes, requests: chunks };
    };
    await noopOnce(); // warm-up
    const noop = await timed(ctx, 'noop', o.listReps, noopOnce);

    ctx.progress('LIST: raw store');
    const store = await ctx.openStore();
    const storeTiming = await (async () => {
      await closedLoop({ workers: FILL_CLIENTS, durationMs: 120_000, maxOps: n }, async (i) => {
        await store.create(configMapKey(ns, name(i)), configMap(ns, name(i), o.valueBytes));
        return true;
      });
      const prefix = configMapKey(ns, '');
      await store.list(prefix); // warm-up
      return timed(ctx, 'store', o.listReps, async () => {
        const { items } = await store.list(prefix);
        let bytes = 0;
        for (const kv of items) bytes += kv.value.byteLength;
        return { bytes, requests: 1, objects: items.length };
      });
    })().finally(() => store.close());

    const data: ListData = {
      objects: listed,
      fill,
      full: { ...full.timing, objects: listed },
      paged: { ...paged.timing, objects: listed },
      noop: noop.timing,
      store: storeTiming.timing,
    };
    return { section: section(data, o.pageLimit), data };
  } finally {
    await client.close();
  }
}

interface Rep {
  bytes: number;
  requests: number;
  objects?: number;
  body?: Buffer;
}

async function timed(ctx: BenchContext, label: string, reps: number, once: () => Promise<Rep>): Promise<{ timing: Timing; lastBody: Buffer }> {
  const ms: number[] = [];
  let last: Rep = { bytes: 0, requests: 0 };
  const [, cpu] = await ctx.measured(async () => {
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      last = await once();
      ms.push(performance.now() - t0);
    }
  });
  return { timing: { label, objects: last.objects ?? 0, bytes: last.bytes, requests: last.requests, ms, cpu }, lastBody: last.body ?? Buffer.alloc(0) };
}

/** Follows continue tokens to the end; the token is read from the raw bytes, the pages are not decoded. */
async function pagedList(client: HttpClient, path: string, limit: number): Promise<Rep> {
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

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : NaN;
};

function section(d: ListData, pageLimit: number): ScenarioResult<ListData>['section'] {
  const apiMs = median(d.full.ms);
  const row = (name: string, t: Timing, ratio: string): string[] => {
    const ms = median(t.ms);
    return [name, fmtInt(t.requests), fmtBytes(t.bytes), fmtMs(ms), fmtMs(Math.min(...t.ms)), (t.bytes / 1e6 / (ms / 1000)).toFixed(0), ratio, fmtCores(t.cpu.server), fmtCores(t.cpu.bench)];
  };
  return {
    title: `LIST of ${fmtInt(d.objects)} ConfigMaps of 1 KiB in one namespace (JSON)`,
    header: ['target', 'requests', 'bytes', 'median', 'best', 'MB/s', 'API÷this', 'server CPU', 'bench CPU'],
    rows: [
      row('API  LIST, no limit', d.full, ''),
      row(`API  LIST, limit=${pageLimit} pages`, d.paged, fmtRatio(apiMs / median(d.paged.ms))),
      row('no-op 64 KiB GETs, same bytes', d.noop, fmtRatio(apiMs / median(d.noop.ms))),
      row('raw SqliteStore.list(prefix)', d.store, fmtRatio(apiMs / median(d.store.ms))),
    ],
    notes: [
      `${d.full.ms.length} full lists, ${d.paged.ms.length} paged lists; times are per whole list; store bytes = stored values`,
      `filled with ${fmtInt(d.fill.ops)} creates at ${FILL_CLIENTS} clients: ${fmtInt(d.fill.rate)}/s${d.fill.errors ? `, ${d.fill.errors} failed` : ''}`,
      'API÷this = API full-list time divided by the row\'s time',
    ],
  };
}
