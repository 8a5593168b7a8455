// Which scheduled time a CronJob runs now: missed times, the 100-miss warning, starting deadlines.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchedule, ScheduleError, type Schedule } from '../../machinery/cron-schedule.ts';
import { mostRecentScheduleTime, scheduledTimeToRun, untilNextSchedule, type CronTimes } from './schedule-times.ts';

const at = (iso: string): number => Date.parse(iso);
const hourly = parseSchedule('0 * * * *', undefined, 'UTC');
const times = (created: string, last?: string, deadline?: number): CronTimes => ({
  createdMs: at(created),
  lastScheduleMs: last === undefined ? undefined : at(last),
  startingDeadlineSeconds: deadline,
});

describe('scheduled times to run', () => {
  it('nothing is due before the first time after creation', () => {
    const r = mostRecentScheduleTime(times('2024-01-01T10:10:00Z'), at('2024-01-01T10:59:59Z'), hourly, true);
    assert.deepEqual(r, { earliestMs: at('2024-01-01T10:10:00Z'), mostRecentMs: undefined, missed: 'none' });
    assert.equal(untilNextSchedule(times('2024-01-01T10:10:00Z'), at('2024-01-01T10:59:59Z'), hourly), 1100, 'the next time plus 100 ms');
  });

  it('the single due time once it passed, and after running it the next one', () => {
    const now = at('2024-01-01T11:00:00Z');
    assert.deepEqual(scheduledTimeToRun(times('2024-01-01T10:10:00Z'), now, hourly), { scheduledMs: now, tooManyMissed: false });
    assert.equal(untilNextSchedule(times('2024-01-01T10:10:00Z', '2024-01-01T11:00:00Z'), now, hourly), 3_600_100);
    assert.deepEqual(scheduledTimeToRun(times('2024-01-01T10:10:00Z', '2024-01-01T11:00:00Z'), now + 5_000, hourly).scheduledMs, undefined);
  });

  it('after missed times only the most recent runs', () => {
    const r = mostRecentScheduleTime(times('2024-01-01T10:10:00Z'), at('2024-01-01T15:20:00Z'), hourly, true);
    assert.equal(r.mostRecentMs, at('2024-01-01T15:00:00Z'));
    assert.equal(r.missed, 'few');
    assert.equal(untilNextSchedule(times('2024-01-01T10:10:00Z'), at('2024-01-01T15:20:00Z'), hourly), 40 * 60_000 + 100);
  });

  it('more than 100 missed times is reported, and the latest still runs', () => {
    const now = at('2024-01-10T00:30:00Z');
    const r = scheduledTimeToRun(times('2024-01-01T00:00:00Z'), now, hourly);
    assert.deepEqual(r, { scheduledMs: at('2024-01-10T00:00:00Z'), tooManyMissed: true });
    const few = scheduledTimeToRun(times('2024-01-09T00:00:00Z'), now, hourly);
    assert.deepEqual(few, { scheduledMs: at('2024-01-10T00:00:00Z'), tooManyMissed: false }, '24 missed are not too many');
  });

  it('startingDeadlineSeconds bounds how far back times are considered', () => {
    const now = at('2024-01-10T00:30:00Z');
    // Within 10 minutes of now there is no scheduled time: nothing runs, nothing is "too many".
    assert.deepEqual(scheduledTimeToRun(times('2024-01-01T00:00:00Z', undefined, 600), now, hourly), { scheduledMs: undefined, tooManyMissed: false });
    // A 45 minute deadline reaches 00:00 and is not flooded by the earlier misses.
    assert.deepEqual(scheduledTimeToRun(times('2024-01-01T00:00:00Z', undefined, 2700), now, hourly), { scheduledMs: at('2024-01-10T00:00:00Z'), tooManyMissed: false });
  });

  it('irregular schedules find the true most recent time', () => {
    const irregular = parseSchedule('30 6-16/4 * * 1-5', undefined, 'UTC');
    // Mon 2024-01-08: 06:30 10:30 14:30; now Tuesday 12:00 → Tuesday 10:30.
    const r = mostRecentScheduleTime(times('2024-01-08T00:00:00Z'), at('2024-01-09T12:00:00Z'), irregular, true);
    assert.equal(r.mostRecentMs, at('2024-01-09T10:30:00Z'));
  });

  it('schedules that repeat in less than a second are refused', () => {
    const broken: Schedule = { next: (ms) => ms + 1 };
    assert.throws(() => mostRecentScheduleTime(times('2024-01-01T00:00:00Z'), at('2024-01-01T00:00:01Z'), broken, true), ScheduleError);
    assert.ok(untilNextSchedule(times('2024-01-01T00:00:00Z'), at('2024-01-01T00:00:01Z'), broken) > 0);
  });

  it('@every schedules count from the last run', () => {
    const every = parseSchedule('@every 90m', undefined, 'UTC');
    assert.equal(scheduledTimeToRun(times('2024-01-01T00:00:00Z', '2024-01-01T01:30:00Z'), at('2024-01-01T03:00:00Z'), every).scheduledMs, at('2024-01-01T03:00:00Z'));
  });
});
