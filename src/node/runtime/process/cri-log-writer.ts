// Writes a container's stdout and stderr to one file in the CRI log format the kubelet and
// `kubectl logs` read: `<RFC3339Nano time> <stream> <F|P> <content>`, one line each, where P
// marks a piece of a line longer than maxLineBytes (the rest follows in later entries) and F the
// end of a line. The file is rotated by size: log → log.1 → … → log.<maxFiles-1>, oldest dropped.
// Writes are synchronous so entries of both streams keep their order and nothing is buffered in
// memory when the supervisor dies.

import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export type LogStream = 'stdout' | 'stderr';

export interface CriLogWriterOptions {
  /** Rotate once the file would grow beyond this (0: never). */
  maxBytes: number;
  /** Files kept including the current one (at least 1). */
  maxFiles: number;
  /** Longest line written as one entry; longer lines are split into P entries (kubelet: 16 KiB). */
  maxLineBytes: number;
  /** Wall-clock time in nanoseconds since the epoch (injectable for tests). */
  nowNs?: () => bigint;
}

export const DEFAULT_LOG_OPTIONS: CriLogWriterOptions = { maxBytes: 10 * 1024 * 1024, maxFiles: 5, maxLineBytes: 16 * 1024 };

const NEWLINE = 0x0a;

export class CriLogWriter {
  readonly #path: string;
  readonly #opts: CriLogWriterOptions;
  readonly #nowNs: () => bigint;
  readonly #pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  readonly #pendingBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  #fd: number;
  #size: number;

  constructor(path: string, opts: CriLogWriterOptions = DEFAULT_LOG_OPTIONS) {
    this.#path = path;
    this.#opts = opts;
    this.#nowNs = opts.nowNs ?? wallClockNs;
    this.#fd = openSync(path, 'a', 0o640);
    this.#size = fstatSync(this.#fd).size;
  }

  /** Adds output of one stream; complete lines are written now, a trailing piece waits for its end. */
  write(stream: LogStream, chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      this.#push(stream, chunk.subarray(start, nl));
      this.#flushLine(stream, 'F');
      start = nl + 1;
    }
    if (start < chunk.length) this.#push(stream, chunk.subarray(start));
  }

  /** Writes what is left of a stream's last line (at its end of file). */
  end(stream: LogStream): void {
    if (this.#pendingBytes[stream] > 0) this.#flushLine(stream, 'F');
  }

  /** Closes the file and opens `path` anew (after someone else rotated it away). */
  reopen(): void {
    closeSync(this.#fd);
    this.#fd = openSync(this.#path, 'a', 0o640);
    this.#size = fstatSync(this.#fd).size;
  }

  close(): void {
    this.end('stdout');
    this.end('stderr');
    closeSync(this.#fd);
  }

  #push(stream: LogStream, piece: Buffer): void {
    const max = this.#opts.maxLineBytes;
    let rest = piece;
    // A line that outgrows maxLineBytes goes out in P pieces as it arrives.
    while (this.#pendingBytes[stream] + rest.length > max) {
      const take = max - this.#pendingBytes[stream];
      this.#pending[stream].push(rest.subarray(0, take));
      this.#pendingBytes[stream] += take;
      this.#flushLine(stream, 'P');
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      this.#pending[stream].push(Buffer.from(rest));
      this.#pendingBytes[stream] += rest.length;
    }
  }

  #flushLine(stream: LogStream, tag: 'F' | 'P'): void {
    const content = Buffer.concat(this.#pending[stream]);
    this.#pending[stream] = [];
    this.#pendingBytes[stream] = 0;
    const entry = Buffer.concat([Buffer.from(`${formatNs(this.#nowNs())} ${stream} ${tag} `), content, Buffer.from('\n')]);
    if (this.#opts.maxBytes > 0 && this.#size > 0 && this.#size + entry.length > this.#opts.maxBytes) this.#rotate();
    writeSync(this.#fd, entry);
    this.#size += entry.length;
  }

  #rotate(): void {
    closeSync(this.#fd);
    const keep = Math.max(1, this.#opts.maxFiles);
    if (keep === 1) rmSync(this.#path, { force: true });
    else {
      rmSync(`${this.#path}.${keep - 1}`, { force: true });
      for (let i = keep - 2; i >= 1; i--) renameIfExists(`${this.#path}.${i}`, `${this.#path}.${i + 1}`);
      renameIfExists(this.#path, `${this.#path}.1`);
    }
    this.#fd = openSync(this.#path, 'a', 0o640);
    this.#size = 0;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

let anchorWall = 0n;
let anchorHr = 0n;

/**
 * Now in nanoseconds since the epoch: the monotonic clock's progress since an anchor on the wall
 * clock, re-anchored when the two drift more than 2 ms apart (the wall clock was set).
 */
export function wallClockNs(): bigint {
  const hr = process.hrtime.bigint();
  const wall = BigInt(Date.now()) * 1_000_000n;
  const ns = anchorWall + (hr - anchorHr);
  if (anchorWall !== 0n && ns - wall < 2_000_000n && wall - ns < 2_000_000n) return ns;
  anchorWall = wall;
  anchorHr = hr;
  return wall;
}

/** RFC 3339 with nine fractional digits, as CRI logs carry: 2026-11-24T06:00:00.123456789Z. */
export function formatNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}
