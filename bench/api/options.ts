// Command-line options and the two run profiles (default ≈ 2–3 minutes, --quick ≈ 30 s).

import { parseArgs } from 'node:util';
import type { Transport } from './clients.ts';

export const SCENARIOS = ['creates', 'get', 'list', 'watch'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly json: string | undefined;
  readonly profile: boolean;
  /** Extra node flags for the server process (diagnosis, e.g. --trace-gc). */
  readonly nodeArgs: readonly string[];
  /** Copy the server's stdout and stderr to this file. */
  readonly serverLog: string | undefined;
  readonly transport: Transport;
  readonly only: readonly ScenarioName[];
  /** Total size of each ConfigMap's data values. */
  readonly valueBytes: number;
  readonly idleMs: number;
  /** Baselines and the API alternate in this many rounds (drift on a shared machine hits all alike). */
  readonly rounds: number;
  readonly createClients: readonly number[];
  readonly createMs: number;
  readonly createWarmupMs: number;
  readonly getRate: number;
  readonly getMs: number;
  readonly getWarmupMs: number;
  readonly listObjects: number;
  readonly listReps: number;
  readonly pageLimit: number;
  readonly watchers: number;
  readonly watchSessions: number;
  readonly watchWrites: number;
  readonly watchRate: number;
  readonly watchValueBytes: number;
  /** Hard stop for the whole run: the server is killed and the bench exits non-zero. */
  readonly deadlineMs: number;
}

const USAGE = `usage: npm run bench:api -- [options]
  --quick              ~30 s smoke run (shorter phases, 2,000 objects listed, 50 watch writes)
  --json FILE          also write the results as JSON
  --profile            run the server under node --cpu-prof and print its hot spots
  --node-arg FLAG      extra node flag for the server process (repeatable), e.g. --node-arg=--trace-gc
  --server-log FILE    copy the server's stdout and stderr to FILE
  --transport h2|h1    create clients: HTTP/2 sessions (default; one per client) or HTTP/1.1
                       keep-alive sockets; GET, LIST and watch always use HTTP/2
  --only LIST          comma-separated subset of: ${SCENARIOS.join(', ')}
  --clients LIST       create concurrencies (default 1,32)
  --watchers N         concurrent watches (default 1000)
  --list-objects N     objects in the listed namespace (default 10000)`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'node-arg': { type: 'string', multiple: true, default: [] },
      'server-log': { type: 'string' },
      transport: { type: 'string', default: 'h2' },
      only: { type: 'string' },
      clients: { type: 'string' },
      watchers: { type: 'string' },
      'list-objects': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.transport !== 'h2' && values.transport !== 'h1') throw new Error(`--transport must be h2 or h1\n${USAGE}`);
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SCENARIOS];
  for (const s of only) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario "${s}"\n${USAGE}`);
  const positive = (raw: string | undefined, name: string): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
    return n;
  };
  const quick = values.quick;
  const clients = values.clients ? values.clients.split(',').map((c) => positive(c, '--clients') as number) : [1, 32];
  return {
    quick,
    json: values.json,
    profile: values.profile,
    nodeArgs: values['node-arg'],
    serverLog: values['server-log'],
    transport: values.transport,
    only: only as ScenarioName[],
    valueBytes: 1024,
    idleMs: quick ? 2000 : 5000,
    rounds: quick ? 2 : 10,
    createClients: clients,
    createMs: quick ? 1200 : 7500,
    createWarmupMs: quick ? 300 : 1000,
    getRate: 500,
    getMs: quick ? 2000 : 10_000,
    getWarmupMs: quick ? 300 : 1000,
    listObjects: positive(values['list-objects'], '--list-objects') ?? (quick ? 2000 : 10_000),
    listReps: quick ? 2 : 7,
    pageLimit: 500,
    watchers: positive(values.watchers, '--watchers') ?? 1000,
    watchSessions: 10,
    watchWrites: quick ? 50 : 200,
    watchRate: 50,
    watchValueBytes: 1024,
    deadlineMs: quick ? 180_000 : 420_000,
  };
}
