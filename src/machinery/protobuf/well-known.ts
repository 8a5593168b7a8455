// JSON forms of the types whose Go marshalling is hand-written: metav1.Time (RFC 3339, whole
// seconds), metav1.MicroTime (six fractional digits) and metav1.Duration (Go's time.Duration
// string, "1h2m3.5s"). Pure conversions; the wire layout lives in decode.ts and encode.ts.

export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Seconds and nanoseconds since the epoch of an RFC 3339 timestamp. */
export function parseTimestamp(text: string): { seconds: number; nanos: number } {
  const m = RFC3339.exec(text);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`) : Number.NaN;
  if (!m || Number.isNaN(ms)) throw new ProtobufError(`invalid RFC 3339 time ${JSON.stringify(text)}`);
  const fraction = (m[3] ?? '').slice(0, 9).padEnd(9, '0');
  return { seconds: Math.floor(ms / 1000), nanos: Number(fraction) };
}

/** metav1.Time's JSON form: UTC, whole seconds ("2024-05-01T10:00:00Z"). */
export function formatTime(seconds: number): string {
  return `${dateTime(seconds)}Z`;
}

/** metav1.MicroTime's JSON form: UTC with six fractional digits. */
export function formatMicroTime(seconds: number, nanos: number): string {
  return `${dateTime(seconds)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** "YYYY-MM-DDTHH:MM:SS" in UTC without a Date (days to civil date: Howard Hinnant's algorithm). */
function dateTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const secs = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(secs % 60)}`;
}

const NS_PER: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** Parses Go's time.ParseDuration syntax ("300ms", "-1.5h", "2h45m") into nanoseconds. */
export function parseDuration(text: string): bigint {
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw new ProtobufError(`invalid duration ${JSON.stringify(text)}`);
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new ProtobufError(`invalid duration ${JSON.stringify(text)}`);
    const unit = NS_PER[m[3]!]!;
    const fraction = m[2] ?? '';
    total += BigInt(m[1] || '0') * unit;
    if (fraction) total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Go's time.Duration.String(): "0s", "1.5µs", "300ms", "1h2m3.5s". */
export function formatDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${decimal(u, 1_000n, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${decimal(u, 1_000_000n, 6)}ms`;
  const hours = u / 3_600_000_000_000n;
  const minutes = (u / 60_000_000_000n) % 60n;
  const seconds = decimal(u % 60_000_000_000n, 1_000_000_000n, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function decimal(value: bigint, unit: bigint, digits: number): string {
  const whole = value / unit;
  const fraction = (value % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}
