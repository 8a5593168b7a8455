// One entry of a CRI-format container log (`<RFC3339Nano time> <stream> <F|P> <content>`), as the
// runtime's log writer produces it, and the way the kubelet prints an entry's time with
// --timestamps (Go's RFC3339Nano: trailing zeros of the fraction dropped).

export interface CriLogEntry {
  /** Nanoseconds since the epoch. */
  timeNs: bigint;
  /** The time as written in the file. */
  time: string;
  stream: 'stdout' | 'stderr';
  /** P: a piece of a longer line (no newline follows); F: the end of a line. */
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/** Parses one line (without its newline); undefined when it is not a CRI log entry. */
export function parseCriLogLine(line: Buffer): CriLogEntry | undefined {
  const a = line.indexOf(SPACE);
  if (a <= 0) return undefined;
  const b = line.indexOf(SPACE, a + 1);
  if (b < 0) return undefined;
  const time = line.subarray(0, a).toString('latin1');
  const stream = line.subarray(a + 1, b).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timeNs = parseRfc3339Ns(time);
  if (timeNs === undefined) return undefined;
  // The tag may carry more flags after ':' (CRI reserves them); only P/F matter here.
  const c = line.indexOf(SPACE, b + 1);
  const tagEnd = c < 0 ? line.length : c;
  const tag = line.subarray(b + 1, tagEnd).toString('latin1').split(':')[0];
  if (tag !== 'P' && tag !== 'F') return undefined;
  return { timeNs, time, stream, partial: tag === 'P', content: c < 0 ? Buffer.alloc(0) : line.subarray(c + 1) };
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to nine fractional digits. */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** Go's time.RFC3339Nano in UTC: `2026-11-24T06:00:00.1234Z`, no trailing zeros, no dot for whole seconds. */
export function formatRfc3339Nano(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return frac === '' ? `${base}Z` : `${base}.${frac}Z`;
}
