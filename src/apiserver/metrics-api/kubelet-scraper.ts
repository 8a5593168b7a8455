// Scrapes each node's /stats/summary through the KubeletClient, like metrics-server, and keeps
// the answer for a resolution of ~15 s so that a burst of `kubectl top` and the autoscaler's
// reads cost one scrape per node. A node that fails to answer contributes nothing (its pods have
// no metrics) until it answers again; one that is slow answers with its previous summary.

import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import type { KubeletClient } from '../kubelet/kubelet-client.ts';
import { nodePoint, podPoints, type MetricsPoint, type PodPoint } from './metrics-points.ts';
import type { SummaryWire } from './summary-wire.ts';

export interface MetricsSnapshot {
  nodes: Map<string, MetricsPoint>;
  pods: Map<string, PodPoint>;
}

/** Where the metrics API gets its points: the kubelet scraper, or a fixture in tests. */
export interface MetricsSource {
  /** Points of these nodes and of the pods on them. */
  collect(nodes: readonly KubeObject[]): Promise<MetricsSnapshot>;
}

export const DEFAULT_METRIC_RESOLUTION_MS = 15_000;
const SCRAPE_TIMEOUT_MS = 10_000;
/** A node's summary is dropped when no request asked for it this long. */
const FORGET_AFTER_MS = 5 * 60_000;
/** How long a request waits for a node's first scrape before answering without it. */
const FIRST_SCRAPE_WAIT_MS = 3000;
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

interface Entry {
  /** When the latest scrape started. */
  at: number;
  /** The latest scrape (possibly still running). */
  pending: Promise<SummaryWire | undefined>;
  /** The last summary a scrape brought, kept while the next one runs. */
  last: SummaryWire | undefined;
  failing: boolean;
}

export class KubeletScraper implements MetricsSource {
  readonly #kubelet: KubeletClient;
  readonly #resolutionMs: number;
  readonly #firstWaitMs: number;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #cache = new Map<string, Entry>();

  constructor(kubelet: KubeletClient, options: { resolutionMs?: number; firstWaitMs?: number; now?: () => number; logger?: Logger } = {}) {
    this.#kubelet = kubelet;
    this.#resolutionMs = options.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
    this.#firstWaitMs = options.firstWaitMs ?? FIRST_SCRAPE_WAIT_MS;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger;
  }

  async collect(nodes: readonly KubeObject[]): Promise<MetricsSnapshot> {
    const out: MetricsSnapshot = { nodes: new Map(), pods: new Map() };
    // Callers ask for the nodes they need; a node nobody asked about for a while (gone) is forgotten.
    const now = this.#now();
    for (const [name, e] of this.#cache) if (now - e.at > FORGET_AFTER_MS) this.#cache.delete(name);
    const summaries = await Promise.all(nodes.map((n) => this.#summary(n)));
    summaries.forEach((s, i) => {
      if (!s) return;
      const point = nodePoint(s);
      if (point) out.nodes.set(nodes[i]!.metadata.name ?? '', point);
      for (const [key, p] of podPoints(s)) out.pods.set(key, p);
    });
    return out;
  }

  /**
   * The node's summary: the cached one within the resolution; otherwise a new scrape starts and,
   * while it runs, the previous answer serves (a slow or unreachable node never holds a request
   * up for long). A node never scraped before is waited for, at most firstWaitMs.
   */
  async #summary(node: KubeObject): Promise<SummaryWire | undefined> {
    const now = this.#now();
    const key = node.metadata.name ?? '';
    let entry = this.#cache.get(key);
    if (entry && now - entry.at < this.#resolutionMs) return entry.last ?? this.#bounded(entry.pending);
    const e: Entry = entry ?? { at: now, pending: Promise.resolve(undefined), last: undefined, failing: false };
    e.at = now;
    e.pending = this.#scrape(node).then(
      (s) => {
        if (e.failing) this.#log?.info({ node: key }, 'node stats are back');
        e.failing = false;
        e.last = s;
        return s;
      },
      (err: unknown) => {
        // Once per outage, not once per scrape: simulated and lost nodes would flood the log.
        if (!e.failing) this.#log?.warn({ node: key, err: (err as Error).message }, 'failed to scrape node stats');
        e.failing = true;
        e.last = undefined;
        return undefined;
      },
    );
    entry = e;
    this.#cache.set(key, entry);
    return entry.last ?? this.#bounded(entry.pending);
  }

  #bounded(p: Promise<SummaryWire | undefined>): Promise<SummaryWire | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.#firstWaitMs)));
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  async #scrape(node: KubeObject): Promise<SummaryWire> {
    const res = await this.#kubelet.request(node, { path: '/stats/summary?only_cpu_and_memory=true', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    const body = await readBody(res);
    if (res.statusCode !== 200) throw new Error(`GET /stats/summary: ${res.statusCode} ${body.slice(0, 200)}`);
    return JSON.parse(body) as SummaryWire;
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SUMMARY_BYTES) {
      res.destroy();
      throw new Error('summary too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
