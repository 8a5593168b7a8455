// Cron schedule parsing and next times: fields, macros, @every, time zones, DST, rejects.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatInZone, parseSchedule, ScheduleError } from './cron-schedule.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
/** The next `n` activations after `from`. */
function nexts(schedule: string, from: string, n: number, tz?: string): string[] {
  const s = parseSchedule(schedule, tz, 'UTC');
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) out.push(iso((t = s.next(t))));
  return out;
}

describe('cron schedules', () => {
  it('reads five fields in the default zone, strictly after the given time', () => {
    assert.deepEqual(nexts('*/15 * * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T00:15:00.000Z', '2024-01-01T00:30:00.000Z', '2024-01-01T00:45:00.000Z']);
    assert.deepEqual(nexts('*/15 * * * *', '2024-01-01T00:14:59.999Z', 1), ['2024-01-01T00:15:00.000Z']);
    assert.deepEqual(nexts('0 9 * * 1-5', '2024-01-05T10:00:00Z', 2), ['2024-01-08T09:00:00.000Z', '2024-01-09T09:00:00.000Z'], 'Friday 10:00 → Monday');
    assert.deepEqual(nexts('0 0 1 JAN,jul ?', '2024-02-01T00:00:00Z', 2), ['2024-07-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nexts('0 0 * * 7', '2024-01-01T00:00:00Z', 1), ['2024-01-07T00:00:00.000Z'], '7 is Sunday');
  });

  it('runs when either day-of-month or day-of-week matches if both are restricted', () => {
    assert.deepEqual(nexts('0 0 13 * 5', '2024-09-01T00:00:00Z', 3), ['2024-09-06T00:00:00.000Z', '2024-09-13T00:00:00.000Z', '2024-09-20T00:00:00.000Z']);
  });

  it('expands the macros', () => {
    assert.deepEqual(nexts('@hourly', '2024-01-01T00:30:00Z', 1), ['2024-01-01T01:00:00.000Z']);
    assert.deepEqual(nexts('@daily', '2024-01-01T00:30:00Z', 1), ['2024-01-02T00:00:00.000Z']);
    assert.deepEqual(nexts('@midnight', '2024-01-01T00:30:00Z', 1), ['2024-01-02T00:00:00.000Z']);
    assert.deepEqual(nexts('@weekly', '2024-01-01T00:30:00Z', 1), ['2024-01-07T00:00:00.000Z']);
    assert.deepEqual(nexts('@monthly', '2024-01-15T00:00:00Z', 1), ['2024-02-01T00:00:00.000Z']);
    assert.deepEqual(nexts('@yearly', '2024-01-15T00:00:00Z', 1), ['2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nexts('@annually', '2024-01-15T00:00:00Z', 1), ['2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nexts('@every 1h30m', '2024-01-01T00:00:00.700Z', 2), ['2024-01-01T01:30:00.000Z', '2024-01-01T03:00:00.000Z']);
  });

  it('reads the schedule in spec.timeZone', () => {
    assert.deepEqual(nexts('0 9 * * *', '2024-01-01T00:00:00Z', 1, 'Europe/Berlin'), ['2024-01-01T08:00:00.000Z']);
    assert.deepEqual(nexts('0 9 * * *', '2024-07-01T00:00:00Z', 1, 'Europe/Berlin'), ['2024-07-01T07:00:00.000Z'], 'summer time');
    // 05:30 in Kolkata is 00:00 UTC; strictly after midnight UTC means the next day.
    assert.deepEqual(nexts('30 5 * * *', '2024-01-01T00:00:00Z', 1, 'Asia/Kolkata'), ['2024-01-02T00:00:00.000Z']);
    assert.deepEqual(nexts('TZ=America/New_York 0 12 * * *', '2024-01-01T00:00:00Z', 1), ['2024-01-01T17:00:00.000Z'], 'a TZ= prefix');
  });

  it('skips a wall-clock time that does not exist when DST starts, and fires once when an hour repeats', () => {
    // New York skips 02:00-03:00 on 2024-03-10: no 02:30 run that day.
    assert.deepEqual(nexts('30 2 * * *', '2024-03-09T00:00:00Z', 2, 'America/New_York'), ['2024-03-09T07:30:00.000Z', '2024-03-11T06:30:00.000Z']);
    // Hourly schedules keep running every real hour across the change.
    assert.deepEqual(nexts('30 * * * *', '2024-03-10T06:00:00Z', 2, 'America/New_York'), ['2024-03-10T06:30:00.000Z', '2024-03-10T07:30:00.000Z']);
    // 01:30 happens twice on 2024-11-03; the job runs at the first.
    assert.deepEqual(nexts('30 1 * * *', '2024-11-02T12:00:00Z', 2, 'America/New_York'), ['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z']);
    assert.deepEqual(nexts('0 * * * *', '2024-11-03T04:30:00Z', 3, 'America/New_York'), ['2024-11-03T05:00:00.000Z', '2024-11-03T06:00:00.000Z', '2024-11-03T07:00:00.000Z']);
  });

  it('rejects what the standard parser rejects', () => {
    for (const bad of ['', '* * * *', '0 * * * * *', '61 * * * *', '* 24 * * *', '0 0 L * *', '0 0 * * 1#2', 'H * * * *', '0 0 0 * *', '*/0 * * * *', '5-1 * * * *', '@often', '@every', '@every 5x', 'nonsense here at all']) {
      assert.throws(() => parseSchedule(bad, undefined, 'UTC'), ScheduleError, bad);
    }
    assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus', 'UTC'), ScheduleError);
    assert.throws(() => parseSchedule('0 0 31 2 *', undefined, 'UTC'), ScheduleError, 'a day that never comes');
  });

  it('formats times in a zone the way Go prints RFC 3339', () => {
    const t = at('2024-01-01T08:00:00Z');
    assert.equal(formatInZone(t, 'UTC'), '2024-01-01T08:00:00Z');
    assert.equal(formatInZone(t, 'Europe/Berlin'), '2024-01-01T09:00:00+01:00');
    assert.equal(formatInZone(t, 'America/New_York'), '2024-01-01T03:00:00-05:00');
    assert.equal(formatInZone(t, 'Asia/Kolkata'), '2024-01-01T13:30:00+05:30');
    assert.equal(formatInZone(t, 'Europe/London'), '2024-01-01T08:00:00Z', 'a zero offset is Z');
  });
});
