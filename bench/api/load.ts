// Load generators. Both stop by count AND by time, so a slow or stuck target cannot make the
// benchmark run away, and both add into a Tally so one measurement can be spread over several
// interleaved rounds (see BenchContext.interleave).
//   closedLoop — N workers, each issuing its next operation when the previous one finished
//                (throughput at a given concurrency).
//   openLoop   — operations started on a fixed schedule regardless of completions; latency is
//                measured from the *scheduled* start so a stall is charged to every request it
//                delayed (no coordinated omission).

import { setTimeout as sleep } from 'node:timers/promises';
import { Samples, type LatencySummary } from './stats.ts';

/** One operation; resolves true on success, false on a failed answer (e.g. a 5xx); may throw. */
export type Op = () => Promise<boolean>;

export interface LoadResult {
  /** Successful operations. */
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  /** Successful operations per second. */
  readonly rate: number;
  /** Operations started per second (open loop: the schedule actually kept). */
  readonly issuedRate: number;
  readonly latency: LatencySummary;
  /** First error seen, for the report. */
  readonly firstError?: string;
}

/** Accumulates operations, errors, latencies and wall time over one or more runs. */
export class Tally {
  readonly samples = new Samples();
  errors = 0;
  issued = 0;
  ms = 0;
  issueMs = 0;
  firstError: string | undefined;

  fail(err: unknown): void {
    this.errors++;
    this.firstError ??= err === undefined ? undefined : String(err);
  }

  /** Adds another tally's counts and samples into this one. */
  merge(other: Tally): void {
    this.samples.addAll(other.samples);
    this.errors += other.errors;
    this.issued += other.issued;
    this.ms += other.ms;
    this.issueMs += other.issueMs;
    this.firstError ??= other.firstError;
  }

  result(): LoadResult {
    const latency = this.samples.summary();
    const seconds = this.ms / 1000;
    return {
      ops: latency.count,
      errors: this.errors,
      seconds,
      rate: latency.count / seconds,
      issuedRate: this.issued / ((this.issueMs || this.ms) / 1000),
      latency,
      ...(this.firstError ? { firstError: this.firstError } : {}),
    };
  }
}

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly durationMs: number;
  readonly maxOps: number;
}

export async function closedLoop(options: ClosedLoopOptions, op: Op, tally = new Tally()): Promise<Tally> {
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;
  const worker = async (): Promise<void> => {
    while (started < options.maxOps && performance.now() < deadline) {
      started++;
      const begin = performance.now();
      try {
        if (await op()) tally.samples.add(performance.now() - begin);
        else tally.fail(undefined);
      } catch (err) {
        tally.fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  tally.issued += started;
  tally.ms += performance.now() - t0;
  return tally;
}

export interface OpenLoopOptions {
  readonly ratePerSec: number;
  readonly durationMs: number;
  readonly maxOps: number;
  /** Requests still running after the schedule ended get this long before they count as errors. */
  readonly drainMs?: number;
  /** Beyond this many in flight, scheduled requests are skipped and counted as errors. */
  readonly maxOutstanding?: number;
}

export async function openLoop(options: OpenLoopOptions, op: Op, tally = new Tally()): Promise<Tally> {
  const interval = 1000 / options.ratePerSec;
  const total = Math.min(options.maxOps, Math.floor(options.durationMs / interval));
  const maxOutstanding = options.maxOutstanding ?? 2000;
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now() + 1;
  let abandoned = false; // late answers after the drain timeout were already counted as errors
  const issue = (scheduledAt: number): void => {
    if (inflight.size >= maxOutstanding) {
      tally.fail(`more than ${maxOutstanding} requests outstanding`);
      return;
    }
    const tracked: Promise<void> = op()
      .then(
        (ok) => {
          if (abandoned) return;
          if (ok) tally.samples.add(performance.now() - scheduledAt);
          else tally.fail(undefined);
        },
        (err: unknown) => {
          if (!abandoned) tally.fail(err);
        },
      )
      .finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + i * interval <= now) issue(t0 + i++ * interval);
    if (i < total) await sleep(Math.max(0, t0 + i * interval - performance.now()));
  }
  const issueMs = performance.now() - t0;
  const drained = Promise.all(inflight).then(() => true);
  const finished = await Promise.race([drained, sleep(options.drainMs ?? 10_000).then(() => false)]);
  if (!finished) {
    abandoned = true;
    const left = inflight.size;
    tally.errors += left;
    tally.firstError ??= `${left} requests unanswered ${options.drainMs ?? 10_000} ms after the schedule ended`;
  }
  tally.issued += total;
  tally.issueMs += issueMs;
  tally.ms += performance.now() - t0;
  return tally;
}
