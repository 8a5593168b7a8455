// Watch delivery latency with many watchers: W watches of one namespace spread over a few HTTP/2
// sessions, then M ConfigMap creates at a fixed rate; every watcher × event is timed from the
// moment the write was sent to the moment the line carrying it arrived. Baseline: the same number
// of raw SqliteStore.watch handlers in this process and the same writes through store.create.

import type { ClientHttp2Session } from 'node:http2';
import type { Watch } from '../../../src/store/index.ts';
import type { BenchContext, Cpu, ScenarioResult } from '../context.ts';
import { H2Pool, streamLines, type LineStream } from '../clients.ts';
import { configMap, configMapKey, configMapsPath, mustCreate } from '../fixtures.ts';
import { openLoop, type LoadResult } from '../load.ts';
import { fmtBytes, fmtCores, fmtInt, fmtMs, fmtRatio, fmtUs, Samples, type LatencySummary } from '../stats.ts';

export const WATCH_NAMESPACE = 'bench-watch';
const SEQ_MARK = '"seq":"';
const DRAIN_MS = 15_000;
const OPEN_TIMEOUT_MS = 30_000;

export interface Delivery {
  readonly watchers: number;
  readonly writes: number;
  readonly delivered: number;
  readonly missing: number;
  /** Deliveries per second from the first write sent to the last delivery. */
  readonly rate: number;
  readonly latency: LatencySummary;
  readonly writeLatency: LatencySummary;
  readonly cpu: Cpu;
}

export interface WatchData {
  readonly transport: string;
  readonly eventBytes: number;
  readonly openMs: number;
  readonly api: Delivery;
  readonly store: Delivery;
  readonly writeErrors: number;
}

/** Tracks, per write, when it was sent and how many watchers have seen it. */
class Tracker {
  readonly sentAt: Float64Array;
  readonly samples = new Samples();
  delivered = 0;
  lastAt = 0;
  constructor(writes: number) {
    this.sentAt = new Float64Array(writes).fill(NaN);
  }
  receive(seq: number, at: number): void {
    const sent = this.sentAt[seq];
    if (sent === undefined || Number.isNaN(sent)) return;
    this.samples.add(at - sent);
    this.delivered++;
    this.lastAt = at;
  }
  async drain(expected: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.delivered < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runWatch(ctx: BenchContext): Promise<ScenarioResult<WatchData>> {
  const o = ctx.options;
  const ns = WATCH_NAMESPACE;
  const body = (seq: number | 'warm'): Buffer => configMap(ns, `w-${seq}`, o.watchValueBytes, { seq: String(seq) });
  const loop = { ratePerSec: o.watchRate, durationMs: (o.watchWrites / o.watchRate) * 1000 + 1000, maxOps: o.watchWrites };

  // ---- API ----
  const list = await ctx.admin.request('GET', `${configMapsPath(ns)}?limit=1`);
  const rv = (JSON.parse(list.body.toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const pool = await H2Pool.connect(ctx.endpoint, o.watchSessions);
  const writer = await H2Pool.connect(ctx.endpoint, 1);
  const streams: LineStream[] = [];
  const tracker = new Tracker(o.watchWrites);
  let warm = 0;
  let eventBytes = 0;
  const onLine = (line: string, at: number): void => {
    const i = line.indexOf(SEQ_MARK);
    if (i < 0) return;
    const start = i + SEQ_MARK.length;
    const seq = line.slice(start, line.indexOf('"', start));
    if (seq === 'warm') warm++;
    else {
      eventBytes ||= line.length + 1;
      tracker.receive(Number(seq), at);
    }
  };
  try {
    ctx.progress(`watch: opening ${fmtInt(o.watchers)} watches over ${o.watchSessions} HTTP/2 sessions`);
    const t0 = performance.now();
    const path = `${configMapsPath(ns)}?watch=true&resourceVersion=${rv}&timeoutSeconds=900`;
    const sessions = pool.sessions;
    for (let i = 0; i < o.watchers; i++) streams.push(streamLines(sessions[i % sessions.length] as ClientHttp2Session, path, onLine));
    const statuses = await withTimeout(Promise.all(streams.map((s) => s.status)), OPEN_TIMEOUT_MS, 'watch responses');
    const bad = statuses.filter((s) => s !== 200).length;
    if (bad) throw new Error(`${bad} watches answered with a status other than 200 (e.g. ${statuses.find((s) => s !== 200)})`);
    // The server sends headers before it registers the watch; one event seen by every watcher
    // proves they are all live before anything is timed.
    await mustCreate(writer, ns, body('warm'));
    const warmDeadline = performance.now() + OPEN_TIMEOUT_MS;
    while (warm < o.watchers && performance.now() < warmDeadline) await new Promise((r) => setTimeout(r, 20));
    if (warm < o.watchers) throw new Error(`only ${warm} of ${o.watchers} watchers saw the warm-up event`);
    const openMs = performance.now() - t0;

    ctx.progress(`watch: ${o.watchWrites} writes at ${o.watchRate}/s to ${fmtInt(o.watchers)} watchers`);
    const [writes, cpu] = await ctx.measured(async () => {
      let seq = 0;
      const result = await openLoop(loop, async () => {
        const n = seq++;
        tracker.sentAt[n] = performance.now();
        return (await writer.request('POST', configMapsPath(ns), body(n))).status === 201;
      });
      await tracker.drain(o.watchers * o.watchWrites, DRAIN_MS);
      return result;
    });
    const api = delivery(o.watchers, o.watchWrites, tracker, writes.result(), cpu);

    // ---- raw store ----
    ctx.progress(`watch: raw store, ${fmtInt(o.watchers)} Store.watch handlers`);
    const store = await ctx.openStore();
    const storeTracker = new Tracker(o.watchWrites);
    const prefix = configMapKey(ns, '');
    const watches: Watch[] = [];
    const storeDelivery = await (async () => {
      const from = await store.currentRevision();
      for (let i = 0; i < o.watchers; i++) {
        watches.push(
          store.watch(prefix, { afterRevision: from }, (events) => {
            const at = performance.now();
            for (const e of events) storeTracker.receive(Number(e.kv.key.slice(e.kv.key.lastIndexOf('-') + 1)), at);
          }),
        );
      }
      const [storeWrites, storeCpu] = await ctx.measured(async () => {
        let seq = 0;
        const result = await openLoop(loop, async () => {
          const n = seq++;
          storeTracker.sentAt[n] = performance.now();
          await store.create(configMapKey(ns, `w-${n}`), body(n));
          return true;
        });
        await storeTracker.drain(o.watchers * o.watchWrites, DRAIN_MS);
        return result;
      });
      return delivery(o.watchers, o.watchWrites, storeTracker, storeWrites.result(), storeCpu);
    })().finally(async () => {
      for (const w of watches) w.close();
      await store.close();
    });

    const data: WatchData = { transport: `HTTP/2, ${o.watchSessions} sessions × ${Math.ceil(o.watchers / o.watchSessions)} streams`, eventBytes, openMs, api, store: storeDelivery, writeErrors: writes.errors };
    return { section: section(data), data };
  } finally {
    for (const s of streams) s.close();
    await Promise.all([pool.close(), writer.close()]);
  }
}

function delivery(watchers: number, writes: number, t: Tracker, w: LoadResult, cpu: Cpu): Delivery {
  let firstSent = Infinity;
  for (const s of t.sentAt) if (s < firstSent) firstSent = s;
  return {
    watchers,
    writes,
    delivered: t.delivered,
    missing: watchers * w.ops - t.delivered,
    rate: t.delivered / ((t.lastAt - firstSent) / 1000),
    latency: t.samples.summary(),
    writeLatency: w.latency,
    cpu,
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function section(d: WatchData): ScenarioResult<WatchData>['section'] {
  const row = (name: string, x: Delivery, ratio: string): string[] => [
    name,
    fmtInt(x.delivered),
    fmtInt(x.rate),
    fmtMs(x.latency.p50),
    fmtMs(x.latency.p99),
    fmtMs(x.latency.max),
    fmtInt(x.missing),
    ratio,
    fmtCores(x.cpu.server),
    fmtCores(x.cpu.bench),
  ];
  return {
    title: `Watch delivery, ${fmtInt(d.api.watchers)} watchers, ${d.api.writes} creates at a fixed rate`,
    header: ['target', 'deliveries', 'per s', 'p50', 'p99', 'max', 'missing', 'API÷this', 'server CPU', 'bench CPU'],
    rows: [row('API  watch streams', d.api, ''), row('raw SqliteStore.watch handlers', d.store, fmtRatio(d.api.latency.p99 / d.store.latency.p99))],
    notes: [
      `latency = line received − write sent (includes the write's own commit); event ${fmtBytes(d.eventBytes)}; client: ${d.transport}`,
      `API writes: p50 ${fmtMs(d.api.writeLatency.p50)}, p99 ${fmtMs(d.api.writeLatency.p99)}${d.writeErrors ? `, ${d.writeErrors} failed` : ''}; store writes: p50 ${fmtMs(d.store.writeLatency.p50)}, p99 ${fmtMs(d.store.writeLatency.p99)}`,
      `CPU per delivered event: server ${fmtUs((d.api.cpu.serverMs * 1000) / d.api.delivered)}, this process (watch clients) ${fmtUs((d.api.cpu.benchMs * 1000) / d.api.delivered)}; raw store ${fmtUs((d.store.cpu.benchMs * 1000) / d.store.delivered)}`,
      `${fmtInt(d.api.watchers)} watches opened and confirmed live in ${fmtMs(d.openMs)}; API÷this = API p99 divided by the row's p99`,
    ],
  };
}
