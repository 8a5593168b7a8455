// Load generators. Both stop by count AND by time, so a slow or stuck target cannot make the
// benchmark run away.
//   closedLoop — N workers, each issuing its next operation when the previous one finished
//                (throughput at a given concurrency).
//   openLoop   — operations started on a fixed schedule regardless of completions; latency is
//                measured from the *scheduled* start so a stall is charged to every request it
//                delayed (no coordinated omission).

import { setTimeout as sleep } from 'node:timers/promises';
import { Samples, type LatencySummary } from './stats.ts';

/** One operation; resolves true on success, false on a failed answer (e.g. a 5xx); may throw. */
export type Op = (seq: number) => Promise<boolean>;

export interface LoadResult {
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  /** Successful operations per second. */
  readonly rate: number;
  readonly latency: LatencySummary;
  /** First error seen, for the report. */
  readonly firstError?: string;
}

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly durationMs: number;
  readonly maxOps: number;
  /** Run this long first, unmeasured (JIT, connection warm-up, SQLite cache). */
  readonly warmupMs?: number;
}

export async function closedLoop(options: ClosedLoopOptions, op: Op): Promise<LoadResult> {
  let seq = 0;
  if (options.warmupMs) await runWorkers(options.workers, options.warmupMs, options.maxOps, () => seq++, op, undefined);
  return runWorkers(options.workers, options.durationMs, options.maxOps, () => seq++, op, new Samples());
}

async function runWorkers(workers: number, durationMs: number, maxOps: number, nextSeq: () => number, op: Op, samples: Samples | undefined): Promise<LoadResult> {
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const worker = async (): Promise<void> => {
    while (started < maxOps && performance.now() < deadline) {
      started++;
      const begin = performance.now();
      let ok = false;
      try {
        ok = await op(nextSeq());
      } catch (err) {
        firstError ??= String(err);
      }
      if (ok) samples?.add(performance.now() - begin);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const latency = samples?.summary() ?? new Samples().summary();
  return { ops: latency.count, errors, seconds, rate: latency.count / seconds, latency, ...(firstError ? { firstError } : {}) };
}

export interface OpenLoopOptions {
  readonly ratePerSec: number;
  readonly durationMs: number;
  readonly maxOps: number;
  readonly warmupMs?: number;
  /** Requests still running after the schedule ended get this long before they count as errors. */
  readonly drainMs?: number;
  /** Beyond this many in flight, scheduled requests are skipped and counted as errors. */
  readonly maxOutstanding?: number;
}

export async function openLoop(options: OpenLoopOptions, op: Op): Promise<LoadResult & { achievedRate: number }> {
  let seq = 0;
  if (options.warmupMs) await schedule(options, options.warmupMs, () => seq++, op, undefined);
  return schedule(options, options.durationMs, () => seq++, op, new Samples());
}

async function schedule(options: OpenLoopOptions, durationMs: number, nextSeq: () => number, op: Op, samples: Samples | undefined): Promise<LoadResult & { achievedRate: number }> {
  const interval = 1000 / options.ratePerSec;
  const total = Math.min(options.maxOps, Math.floor(durationMs / interval));
  const maxOutstanding = options.maxOutstanding ?? 2000;
  let outstanding = 0;
  let errors = 0;
  let firstError: string | undefined;
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now() + 1;
  const issue = (scheduledAt: number): void => {
    if (outstanding >= maxOutstanding) {
      errors++;
      firstError ??= `more than ${maxOutstanding} requests outstanding`;
      return;
    }
    outstanding++;
    const p = op(nextSeq()).then(
      (ok) => {
        if (ok) samples?.add(performance.now() - scheduledAt);
        else errors++;
      },
      (err: unknown) => {
        errors++;
        firstError ??= String(err);
      },
    );
    const tracked = p.finally(() => {
      outstanding--;
      inflight.delete(tracked);
    });
    inflight.add(tracked);
  };
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + i * interval <= now) issue(t0 + i++ * interval);
    if (i < total) await sleep(Math.max(0, t0 + i * interval - performance.now()));
  }
  const issuedFor = (performance.now() - t0) / 1000;
  const drained = Promise.all(inflight).then(() => true);
  const finished = await Promise.race([drained, sleep(options.drainMs ?? 10_000).then(() => false)]);
  if (!finished) {
    errors += outstanding;
    firstError ??= `${outstanding} requests unanswered after the schedule ended`;
  }
  const seconds = (performance.now() - t0) / 1000;
  const latency = samples?.summary() ?? new Samples().summary();
  return { ops: latency.count, errors, seconds, rate: latency.count / seconds, achievedRate: total / issuedFor, latency, ...(firstError ? { firstError } : {}) };
}
