// Cell formatting shared by the printers: upstream's duration.HumanDuration, timestamp ages,
// label and label-selector strings, and the container/image layout used by -o wide.

import { isRec, list, rec, recs, str, stringMap, strings } from './access.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration: "5s", "3m20s", "4h", "2d3h", "10d", "2y". */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  // Go truncates toward zero; up to 2s in the future counts as "now" to absorb clock skew.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Milliseconds since the epoch, or undefined for an absent/unparseable timestamp (Go's zero time). */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince: the age of a timestamp, "<unknown>" when it is zero. */
export function since(v: unknown, nowMs: number): string {
  const t = typeof v === 'number' ? v : parseTime(v);
  return t === undefined ? '<unknown>' : humanDuration(nowMs - t);
}

/** The Age cell every printer ends with. */
export function age(obj: unknown, nowMs: number): string {
  return since(rec(rec(obj)['metadata'])['creationTimestamp'], nowMs);
}

/** creationTimestamp as Go's Time.UTC().Format(time.RFC3339) — what the default table prints. */
export function rfc3339(v: unknown): string {
  const t = parseTime(v);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** labels.FormatLabels: "a=1,b=2" sorted by key, "<none>" when empty. */
export function formatLabels(v: unknown): string {
  const s = labelsString(stringMap(v));
  return s === '' ? '<none>' : s;
}

/** labels.Set(m).String(): sorted "k=v" pairs, "" when empty. */
export function labelsString(m: Record<string, string>): string {
  return Object.keys(m).sort(compare).map((k) => `${k}=${m[k] ?? ''}`).join(',');
}

/**
 * metav1.LabelSelectorAsSelector(...).String(). Returns undefined when the selector is invalid
 * (unknown operator, In/NotIn without values), which upstream reports as an error.
 */
export function selectorString(v: unknown): string | undefined {
  if (!isRec(v)) return ''; // nil selector selects nothing and prints as ""
  const reqs: { key: string; text: string }[] = [];
  const matchLabels = stringMap(v['matchLabels']);
  for (const key of Object.keys(matchLabels)) reqs.push({ key, text: `${key}=${matchLabels[key] ?? ''}` });
  for (const expr of recs(v['matchExpressions'])) {
    const key = str(expr['key']);
    const values = strings(expr['values']);
    switch (str(expr['operator'])) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) return undefined;
        const op = str(expr['operator']) === 'In' ? 'in' : 'notin';
        reqs.push({ key, text: `${key} ${op} (${[...values].sort(compare).join(',')})` });
        break;
      }
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // Requirements print sorted by key; the sort is stable here so duplicates keep input order.
  return reqs.sort((a, b) => compare(a.key, b.key)).map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(v: unknown): string {
  const s = selectorString(v);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** layoutContainerCells: container names and images, each joined with ",". */
export function layoutContainers(containers: unknown): [names: string, images: string] {
  const cs = list(containers).map(rec);
  return [cs.map((c) => str(c['name'])).join(','), cs.map((c) => str(c['image'])).join(',')];
}

/** The containers of a pod template (`spec.template.spec.containers` style paths). */
export function templateContainers(template: unknown): unknown {
  return rec(rec(template)['spec'])['containers'];
}

/** listWithMoreString: "a,b,c + 2 more...", "<unset>" when empty. */
export function listWithMore(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** Byte-wise string order, as Go's sort.Strings uses. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted, de-duplicated strings (sets.NewString(...).List()). */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compare);
}

