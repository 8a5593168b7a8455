// API server benchmark: starts `strata server` as a child process and measures creates/s, GET
// latency at a fixed rate, LIST of many objects and watch delivery latency with many watchers,
// each beside baselines measured in the same run (a no-op HTTPS endpoint of the same server and
// the raw store through the Store interface), so ratios stay meaningful on a shared machine.
//
//   npm run bench:api [-- --quick] [-- --json FILE] [-- --profile]   (see options.ts)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { H2Pool, readCredentials, type Endpoint, type HttpClient } from './clients.ts';
import { BenchContext, type ScenarioResult } from './context.ts';
import { ensureNamespace } from './fixtures.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { renderProfile, summarizeProfile, type ProfileSummary } from './profile.ts';
import { machine, renderGoals, renderMachine, renderSection, type Goal, type Section } from './report.ts';
import { CREATE_NAMESPACE, runCreates, type CreatesData } from './scenarios/creates.ts';
import { GET_NAMESPACE, runGet, type GetData } from './scenarios/get.ts';
import { LIST_NAMESPACE, runList, type ListData } from './scenarios/list.ts';
import { WATCH_NAMESPACE, runWatch, type WatchData } from './scenarios/watch.ts';
import { cpuProfiles, ServerProcess } from './server.ts';
import { fmtInt, fmtMs } from './stats.ts';

const MiB = 1024 * 1024;

interface Results {
  creates: CreatesData[];
  get?: GetData;
  list?: ListData;
  watch?: WatchData;
  idleRssBytes?: number;
  finalRssBytes?: number;
  startMs?: number;
  failures: { scenario: string; error: string }[];
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'strata-bench-api-prof-')) : undefined;
  const results: Results = { creates: [], failures: [] };
  const sections: Section[] = [];
  const begun = performance.now();
  const loadAtStart = loadavg()[0] as number;

  const t0 = performance.now();
  const server = await ServerProcess.start({ cpuProfileDir: profileDir, nodeArgs: options.nodeArgs, logFile: options.serverLog });
  results.startMs = performance.now() - t0;
  let ctx: BenchContext | undefined;
  const abandon = (code: number): never => {
    ctx?.dispose();
    server.removeDataDir();
    process.exit(code);
  };
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench:api: exceeded the ${options.deadlineMs / 1000} s deadline; killing the server\n`);
    process.kill(server.pid, 'SIGKILL');
    abandon(2);
  }, options.deadlineMs);
  watchdog.unref();
  const onSignal = (): void => void server.stop().finally(() => abandon(130));
  process.once('SIGINT', onSignal);

  let admin: HttpClient | undefined;
  let profile: ProfileSummary | undefined;
  try {
    const endpoint: Endpoint = { host: server.host, port: server.port, credentials: readCredentials(server.kubeconfig) };
    admin = await H2Pool.connect(endpoint, 1);
    const c = (ctx = new BenchContext(options, server, endpoint, admin));
    c.progress(`server pid ${server.pid} ready in ${fmtMs(results.startMs)}; idle for ${options.idleMs / 1000} s`);
    await sleep(options.idleMs);
    results.idleRssBytes = server.rssBytes();
    for (const ns of [CREATE_NAMESPACE, GET_NAMESPACE, LIST_NAMESPACE, WATCH_NAMESPACE]) await ensureNamespace(admin, ns);

    const run = async <T>(name: string, fn: () => Promise<ScenarioResult<T>>, keep: (data: T) => void): Promise<void> => {
      try {
        const r = await fn();
        keep(r.data);
        sections.push(r.section);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        c.progress(`${name} FAILED: ${error}`);
        results.failures.push({ scenario: name, error });
        sections.push({ title: `${name}: FAILED`, header: ['error'], rows: [[String(error).split('\n')[0] ?? '']] });
        if (!server.running) throw new Error(`the server exited during ${name}:\n${server.log.slice(-4000)}`);
      }
    };
    const only = new Set(options.only);
    if (only.has('creates')) for (const n of options.createClients) await run(`creates@${n}`, () => runCreates(c, n), (d) => results.creates.push(d));
    if (only.has('get')) await run('get', () => runGet(c), (d) => (results.get = d));
    if (only.has('list')) await run('list', () => runList(c), (d) => (results.list = d));
    if (only.has('watch')) await run('watch', () => runWatch(c), (d) => (results.watch = d));
    results.finalRssBytes = server.rssBytes();
  } finally {
    await admin?.close();
    await server.stop();
    server.removeDataDir();
    ctx?.dispose();
    clearTimeout(watchdog);
    process.off('SIGINT', onSignal);
  }
  if (profileDir) {
    const file = cpuProfiles(profileDir)[0];
    if (file) profile = summarizeProfile(file);
  }

  const goals = evaluateGoals(options, results);
  const m = machine();
  const out: string[] = [];
  out.push(`Strata API benchmark${options.quick ? ' (--quick)' : ''}: server = \`strata server\` child process (SQLite store), clients over loopback HTTPS with the admin client certificate`);
  out.push('');
  for (const s of sections) out.push(renderSection(s), '');
  out.push('Server memory');
  out.push(`  RSS after start + ${options.idleMs / 1000} s idle: ${fmtRss(results.idleRssBytes)}; after the run: ${fmtRss(results.finalRssBytes)}; ready in ${fmtMs(results.startMs ?? NaN)}`);
  out.push('');
  out.push(renderGoals(goals));
  out.push('');
  const load = `load average (1 min) ${loadAtStart.toFixed(2)} at start, ${(loadavg()[0] as number).toFixed(2)} at end`;
  out.push(renderMachine(m, [`Run took ${((performance.now() - begun) / 1000).toFixed(0)} s; ${load}${options.profile ? '; server ran under --cpu-prof (figures include profiling overhead)' : ''}`]));
  if (profile) out.push('', renderProfile(profile));
  process.stdout.write(`${out.join('\n')}\n`);

  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify({ machine: m, options, results, goals, profile }, null, 2)}\n`);
    process.stderr.write(`bench:api: wrote ${options.json}\n`);
  }
  if (profileDir) {
    if (profile) process.stderr.write(`bench:api: CPU profile kept at ${profile.file}\n`);
    else rmSync(profileDir, { recursive: true, force: true });
  }
  return results.failures.length ? 1 : 0;
}

function fmtRss(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / MiB).toFixed(1)} MiB`;
}

function evaluateGoals(o: BenchOptions, r: Results): Goal[] {
  const goals: Goal[] = [];
  const c32 = r.creates.find((c) => c.clients === 32);
  const share = c32 ? c32.api.rate / c32.noop.rate : NaN;
  goals.push({
    name: 'API creates/s at 32 clients vs no-op',
    target: '≥ 50% of no-op',
    actual: c32 ? `${(share * 100).toFixed(0)}% (${fmtInt(c32.api.rate)} / ${fmtInt(c32.noop.rate)})` : 'not run',
    pass: c32 ? share >= 0.5 : undefined,
  });
  goals.push({
    name: 'API creates/s at 32 clients',
    target: '≥ 5,000/s',
    actual: c32 ? `${fmtInt(c32.api.rate)}/s` : 'not run',
    pass: c32 ? c32.api.rate >= 5000 : undefined,
  });
  goals.push({
    name: `GET p99 at ${o.getRate} req/s`,
    target: '≤ 5 ms',
    actual: r.get ? `${fmtMs(r.get.api.latency.p99)} (median round ${fmtMs(r.get.api.roundP99Median)})${r.get.api.errors ? `, ${r.get.api.errors} errors` : ''}` : 'not run',
    pass: r.get ? r.get.api.latency.p99 <= 5 && r.get.api.errors === 0 && o.getRate >= 500 : undefined,
  });
  const w = r.watch?.api;
  goals.push({
    name: `watch delivery p99 at ${fmtInt(o.watchers)} watchers`,
    target: '≤ 100 ms',
    actual: w ? `${fmtMs(w.latency.p99)}${w.missing ? ` (${fmtInt(w.missing)} missing)` : ''}` : 'not run',
    pass: w ? w.latency.p99 <= 100 && w.missing === 0 && o.watchers >= 1000 : undefined,
  });
  goals.push({
    name: 'idle server RSS',
    target: '≤ 120 MiB',
    actual: fmtRss(r.idleRssBytes),
    pass: r.idleRssBytes === undefined ? undefined : r.idleRssBytes <= 120 * MiB,
  });
  return goals;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:api: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
