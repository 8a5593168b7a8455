// Sets of completion indexes as sorted, disjoint intervals, and their text form in
// status.completedIndexes / status.failedIndexes: "1,3-5,7" (two adjacent indexes are written
// "3,4", three or more as a range), as upstream's orderedIntervals.

export interface Interval {
  first: number;
  last: number;
}

export type Intervals = readonly Interval[];

/** Parses the text form, keeping only indexes below `completions`; malformed parts are skipped. */
export function parseIndexes(text: string | undefined, completions: number): Interval[] {
  const out: Interval[] = [];
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    let last = m[2] === undefined ? first : Number(m[2]);
    if (last < first || first >= completions) continue;
    last = Math.min(last, completions - 1);
    const prev = out[out.length - 1];
    if (prev && first <= prev.last + 1) prev.last = Math.max(prev.last, last);
    else out.push({ first, last });
  }
  return out;
}

export function formatIndexes(intervals: Intervals): string {
  return intervals
    .map(({ first, last }) => (last === first ? `${first}` : last === first + 1 ? `${first},${last}` : `${first}-${last}`))
    .join(',');
}

/** The union of `intervals` and the (sorted or not) `indexes`. */
export function withIndexes(intervals: Intervals, indexes: Iterable<number>): Interval[] {
  const all = [...intervals.map((i) => ({ ...i }))];
  for (const ix of [...indexes].sort((a, b) => a - b)) all.push({ first: ix, last: ix });
  all.sort((a, b) => a.first - b.first);
  const out: Interval[] = [];
  for (const iv of all) {
    const prev = out[out.length - 1];
    if (prev && iv.first <= prev.last + 1) prev.last = Math.max(prev.last, iv.last);
    else out.push({ ...iv });
  }
  return out;
}

export function hasIndex(intervals: Intervals, ix: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const iv = intervals[mid]!;
    if (ix < iv.first) hi = mid - 1;
    else if (ix > iv.last) lo = mid + 1;
    else return true;
  }
  return false;
}

export const countIndexes = (intervals: Intervals): number => intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
