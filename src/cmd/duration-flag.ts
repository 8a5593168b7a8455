// Duration flags as Go's time.ParseDuration reads them (15s, 500ms, 1m30s, 2h), in milliseconds.
// A module of its own so that light commands (agent, token) need not load the controllers.

export function parseDuration(raw: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(raw)) !== null) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed = re.lastIndex;
  }
  if (raw === '' || consumed !== raw.length) throw new Error(`invalid ${flag} "${raw}" (want a duration such as 15s or 500ms)`);
  return total;
}
