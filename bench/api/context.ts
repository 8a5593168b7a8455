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
import { CpuMeter } from './stats.ts';

export interface Cpu {
  /** Cores the server process used during the phase (1.0 = one core). NaN for in-process phases. */
  readonly server: number;
  /** Cores the benchmark process used (clients, or the raw store for store baselines). */
  readonly bench: number;
}

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
    const server = this.server.cpuMeter();
    const bench = new CpuMeter();
    const result = await fn();
    return [result, { server: server.cores(), bench: bench.cores() }];
  }

  progress(msg: string): void {
    process.stderr.write(`[bench:api ${(performance.now() / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
  }

  dispose(): void {
    rmSync(this.#storeDir, { recursive: true, force: true });
  }
}
