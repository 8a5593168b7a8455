// CronJob schedules as kube-controller-manager reads them (robfig/cron's standard parser):
// five fields (minute hour day-of-month month day-of-week, with *, ?, lists, ranges, steps and
// month/day names), the macros @yearly @annually @monthly @weekly @daily @midnight @hourly and
// @every <duration>, an optional TZ= / CRON_TZ= prefix, and spec.timeZone. Cron-parser computes
// the times; what robfig rejects (seconds field, L, W, #, H) is rejected here too. A wall-clock
// time that does not exist in the zone (the hour skipped when DST starts) does not fire that day,
// as with robfig; a repeated hour (DST end) fires once.

import { CronExpressionParser, type CronExpression } from 'cron-parser';

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

export interface Schedule {
  /** The first activation strictly after `afterMs` (epoch ms). */
  next(afterMs: number): number;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

/** The zone kube-controller-manager reads schedules in without spec.timeZone: its own local zone. */
export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function isValidTimeZone(tz: string): boolean {
  if (tz === '' || tz.toLowerCase() === 'local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Checks one field the way robfig's parser would accept it. */
function checkField(text: string, field: (typeof FIELDS)[number]): void {
  const value = (v: string): number => {
    if (/^\d+$/.test(v)) return Number(v);
    const named = field.names?.indexOf(v.toLowerCase()) ?? -1;
    if (named >= 0) return named + (field.names === MONTHS ? 1 : 0);
    throw new ScheduleError(`failed to parse ${field.name} "${text}": unknown value "${v}"`);
  };
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (range === undefined || extra !== undefined || range === '') throw new ScheduleError(`failed to parse ${field.name} "${text}"`);
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) throw new ScheduleError(`failed to parse ${field.name} "${text}": bad step "${step}"`);
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) throw new ScheduleError(`failed to parse ${field.name} "${text}"`);
    const [lo, hi] = [value(bounds[0]!), value(bounds[bounds.length - 1]!)];
    if (lo < field.min || hi > field.max || lo > hi) throw new ScheduleError(`${field.name} "${text}" is out of range ${field.min}-${field.max}`);
  }
}

/** "1h30m", "90s", "1.5h": Go duration syntax, units h, m, s, ms. */
function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/gy;
  let ms = 0;
  let matched = 0;
  for (const m of text.matchAll(re)) {
    matched += m[0].length;
    ms += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
  }
  if (text === '' || matched !== text.length) throw new ScheduleError(`failed to parse duration @every ${text}`);
  return ms;
}

/** @every <d>: every d (at least 1 s, whole seconds) from the last activation, second-aligned. */
function everySchedule(durationText: string): Schedule {
  const delay = Math.max(1000, Math.floor(parseDuration(durationText) / 1000) * 1000);
  return { next: (afterMs) => Math.floor(afterMs / 1000) * 1000 + delay };
}

/** Local hour and minute of an instant in a zone. */
function wallClock(ms: number, zone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { hour: get('hour'), minute: get('minute') };
}

function cronSchedule(expr: string, zone: string): Schedule {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: "${expr}"`);
  fields.forEach((f, i) => checkField(f, FIELDS[i]!));
  let parsed: CronExpression;
  try {
    parsed = CronExpressionParser.parse(fields.join(' '), { tz: zone, currentDate: new Date(0) });
  } catch (err) {
    throw new ScheduleError(err instanceof Error ? err.message : String(err));
  }
  const hours = new Set(parsed.fields.hour.values.map(Number));
  const minutes = new Set(parsed.fields.minute.values.map(Number));
  return {
    next(afterMs) {
      let from = afterMs;
      // A handful of skips at most (non-existent local times); the bound guards against surprises.
      for (let i = 0; i < 64; i++) {
        let t: number;
        try {
          t = CronExpressionParser.parse(fields.join(' '), { tz: zone, currentDate: new Date(from) }).next().getTime();
        } catch (err) {
          throw new ScheduleError(err instanceof Error ? err.message : String(err));
        }
        const local = wallClock(t, zone);
        if (hours.has(local.hour) && minutes.has(local.minute)) return t;
        from = t;
      }
      throw new ScheduleError(`no activation of "${expr}" found after ${new Date(afterMs).toISOString()}`);
    },
  };
}

/**
 * Parses a CronJob's schedule. `timeZone` (spec.timeZone) applies unless the schedule names its
 * own TZ=; without either the schedule is read in `defaultZone`.
 */
export function parseSchedule(schedule: string, timeZone: string | undefined, defaultZone: string = localTimeZone()): Schedule {
  let text = schedule.trim();
  let zone = timeZone ?? defaultZone;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(text);
  if (tz) {
    zone = tz[1]!;
    text = tz[2]!.trim();
  }
  if (!isValidTimeZone(zone)) throw new ScheduleError(`provided bad location ${zone}`);
  if (text.startsWith('@')) {
    if (text.startsWith('@every ')) return everySchedule(text.slice('@every '.length).trim());
    const expanded = MACROS[text.toLowerCase()];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${text}`);
    return cronSchedule(expanded, zone);
  }
  return cronSchedule(text, zone);
}

/** RFC 3339 in the zone, as Go formats it: "2024-01-01T09:00:00+01:00", "Z" for a zero offset. */
export function formatInZone(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  const local = `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
  const offsetMin = Math.round((Date.parse(`${local}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  if (offsetMin === 0) return `${local}Z`;
  const abs = Math.abs(offsetMin);
  return `${local}${offsetMin > 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
