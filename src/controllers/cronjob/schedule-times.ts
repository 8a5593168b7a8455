// Which scheduled time a CronJob should run now, and when to look again (upstream's
// mostRecentScheduleTime / nextScheduleTime / nextScheduleTimeDuration). Missed times are counted
// from the last schedule (or creation, or the starting deadline if later); only the most recent
// one is run, and more than 100 missed is reported as TooManyMissedTimes.

import type { Schedule } from '../../machinery/cron-schedule.ts';
import { ScheduleError } from '../../machinery/cron-schedule.ts';

/** Upstream requeues this long after the next scheduled time, so the clock has surely passed it. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export type Missed = 'none' | 'few' | 'many';

export interface CronTimes {
  /** Creation time, or lastScheduleTime when set (epoch ms). */
  createdMs: number;
  lastScheduleMs: number | undefined;
  startingDeadlineSeconds: number | undefined;
}

export interface MostRecent {
  earliestMs: number;
  /** The latest scheduled time not after now that is still due, if any. */
  mostRecentMs: number | undefined;
  missed: Missed;
}

/** Upstream's mostRecentScheduleTime; throws ScheduleError for schedules that never repeat sensibly. */
export function mostRecentScheduleTime(t: CronTimes, nowMs: number, schedule: Schedule, withStartingDeadline: boolean): MostRecent {
  let earliestMs = t.lastScheduleMs ?? t.createdMs;
  if (withStartingDeadline && t.startingDeadlineSeconds !== undefined) {
    // Nothing before the deadline would be started anyway.
    earliestMs = Math.max(earliestMs, nowMs - t.startingDeadlineSeconds * 1000);
  }
  const t1 = schedule.next(earliestMs);
  const t2 = schedule.next(t1);
  if (nowMs < t1) return { earliestMs, mostRecentMs: undefined, missed: 'none' };
  if (nowMs < t2) return { earliestMs, mostRecentMs: t1, missed: 'none' };
  const interval = Math.round((t2 - t1) / 1000);
  if (interval < 1) throw new ScheduleError('time difference between two schedules is less than 1 second');
  // A rough count: how many intervals fit between the first missed time and now.
  const elapsed = Math.trunc((nowMs - t1) / 1000);
  const missedCount = Math.trunc(elapsed / interval) + 1;
  // Start one interval early and let the schedule find the real times (irregular schedules).
  const potentialEarliest = t1 + (missedCount - 2) * interval * 1000;
  let mostRecentMs: number | undefined;
  for (let at = schedule.next(potentialEarliest); at <= nowMs; at = schedule.next(at)) mostRecentMs = at;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 1 ? 'few' : 'none';
  return { earliestMs, mostRecentMs, missed };
}

/** The scheduled time to run now (within the starting deadline), if any. */
export function scheduledTimeToRun(t: CronTimes, nowMs: number, schedule: Schedule): { scheduledMs: number | undefined; tooManyMissed: boolean } {
  const r = mostRecentScheduleTime(t, nowMs, schedule, true);
  if (r.mostRecentMs === undefined || r.mostRecentMs > nowMs) return { scheduledMs: undefined, tooManyMissed: false };
  return { scheduledMs: r.mostRecentMs, tooManyMissed: r.missed === 'many' };
}

/** How long until the next scheduled time (plus the small delta), measured from `nowMs`. */
export function untilNextSchedule(t: CronTimes, nowMs: number, schedule: Schedule): number {
  let from: number;
  try {
    const r = mostRecentScheduleTime(t, nowMs, schedule, false);
    from = r.mostRecentMs ?? (r.missed === 'none' ? r.earliestMs : nowMs);
  } catch {
    from = nowMs;
  }
  return schedule.next(from) + NEXT_SCHEDULE_DELTA_MS - nowMs;
}
