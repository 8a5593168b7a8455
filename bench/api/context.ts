// What every scenario gets: options, the server under test, an admin client for setup, fresh raw
// stores for the baselines, and a CPU meter around each measured phase.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/index.ts';
import type { Endpoint, HttpClient } from './clients.ts';
import type { BenchOptions } from './options.ts';
import type { Section } from './report.ts';
import type { ServerProcess } from './server.ts';
import { Tally, type LoadResult } from './load.ts';

export interface Cpu {
  /** Cores the server process used during the phase (1.0 = one core). NaN for in-process phases. */
  readonly server: number;
  /** Cores the benchmark process used (clients, or the raw store for store baselines). */
  readonly bench: number;
  /** CPU time in ms of the server and of this process over the phase. */
  readonly serverMs: number;
  readonly benchMs: number;
}

/** A load result with the CPU both processes spent producing it. */
export type Measured = LoadResult & {
  readonly cpu: Cpu;
  /** CPU time per successful operation in µs (less sensitive to other load than throughput). */
  readonly cpuPerOp: { readonly server: number; readonly bench: number };
  /** Median over the rounds of each round's p99: robust to a stall that hit a single round. */
  readonly roundP99Median: number;
};

export interface ScenarioResult<T> {
  readonly section: Section;
  readonly data: T;
}

export class BenchContext {
  readonly options: BenchOptions;
  readonly server: ServerProcess;
  readonly endpoint: Endpoint;
  readonly admin: HttpClient;
  readonly #storeDir = mkdtempSync(join(tmpdir(), 'strata-bench-api-store-'));
  #stores = 0;

  constructor(options: BenchOptions, server: ServerProcess, endpoint: Endpoint, admin: HttpClient) {
    this.options = options;
    this.server = server;
    this.endpoint = endpoint;
    this.admin = admin;
  }

  /** A new SqliteStore on its own file, opened the way `strata server` opens it. */
  openStore(): Promise<SqliteStore> {
    return SqliteStore.open({ path: join(this.#storeDir, `s${++this.#stores}`, 'state.db') });
  }

  /** Runs `fn` and reports the CPU both processes spent meanwhile. */
  async measured<T>(fn: () => Promise<T>): Promise<[T, Cpu]> {
    const server0 = this.server.cpuMs();
    const bench0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await fn();
    const wallMs = performance.now() - t0;
    const bench = process.cpuUsage(bench0);
    const benchMs = (bench.user + bench.system) / 1000;
    const serverMs = this.server.running ? this.server.cpuMs() - server0 : NaN;
    return [result, { server: serverMs / wallMs, bench: benchMs / wallMs, serverMs, benchMs }];
  }

  /**
   * Measures several variants (e.g. API, no-op, store) in alternating rounds, so that load from
   * other processes drifting over time hits them alike: one warm-up call each (warmup = true, into
   * a discarded Tally), then `rounds` rounds in a rotating order, each adding into the variant's
   * Tally.
   */
  async interleave<K extends string>(rounds: number, variants: Record<K, (tally: Tally, warmup: boolean) => Promise<unknown>>, onRound?: (variant: K, round: number) => void): Promise<Record<K, Measured>> {
    const names = Object.keys(variants) as K[];
    const state = new Map(names.map((k) => [k, { tally: new Tally(), serverMs: 0, benchMs: 0, wallMs: 0, p99s: [] as number[] }]));
    for (const k of names) await variants[k](new Tally(), true);
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < names.length; j++) {
        const k = names[(r + j) % names.length] as K;
        const st = state.get(k) as NonNullable<ReturnType<typeof state.get>>;
        onRound?.(k, r);
        const server0 = this.server.running ? this.server.cpuMs() : NaN;
        const bench0 = process.cpuUsage();
        const t0 = performance.now();
        const round = new Tally();
        await variants[k](round, false);
        st.wallMs += performance.now() - t0;
        const bench = process.cpuUsage(bench0);
        st.benchMs += (bench.user + bench.system) / 1000;
        st.serverMs += this.server.running ? this.server.cpuMs() - server0 : NaN;
        st.p99s.push(round.samples.summary().p99);
        st.tally.merge(round);
      }
    }
    const out = {} as Record<K, Measured>;
    for (const [k, st] of state) {
      const result = st.tally.result();
      out[k] = {
        ...result,
        cpu: { server: st.serverMs / st.wallMs, bench: st.benchMs / st.wallMs, serverMs: st.serverMs, benchMs: st.benchMs },
        cpuPerOp: { server: (st.serverMs * 1000) / result.ops, bench: (st.benchMs * 1000) / result.ops },
        roundP99Median: median(st.p99s),
      };
    }
    return out;
  }

  progress(msg: string): void {
    process.stderr.write(`[bench:api ${(performance.now() / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
  }

  dispose(): void {
    rmSync(this.#storeDir, { recursive: true, force: true });
  }
}

function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
