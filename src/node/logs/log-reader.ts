// Reads a container's CRI-format log file the way the kubelet's ReadLogs does: from the start,
// or from the last `tailLines` entries; skipping entries older than `since`; printing each
// entry's content (with its time first when `timestamps`); stopping after `limitBytes`; and with
// `follow`, waiting for more until the container stops running, carrying on into the new file
// when the runtime rotates the log away. Only the current file is read: rotated-away files are
// history the kubelet does not serve either.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { formatRfc3339Nano, parseCriLogLine } from './cri-log-line.ts';

export interface LogReadOptions {
  follow: boolean;
  /** Only the last N entries (undefined: all). */
  tailLines?: number;
  /** Only entries at or after this time (ns since the epoch). */
  sinceNs?: bigint;
  timestamps: boolean;
  /** Stop after this many bytes of output (undefined: no limit). */
  limitBytes?: number;
}

export interface LogSource {
  path: string;
  /** Whether the container still runs: following ends at the end of the file once it does not. */
  running(): Promise<boolean>;
}

/** Where the output goes; resolves when the consumer can take more. */
export type LogSink = (chunk: Buffer) => Promise<void>;

const BLOCK = 64 * 1024;
const NEWLINE = 0x0a;
const DEFAULT_POLL_MS = 150;

export async function readContainerLogs(source: LogSource, opts: LogReadOptions, sink: LogSink, signal: AbortSignal, pollMs = DEFAULT_POLL_MS): Promise<void> {
  let remain = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  let fd = await openOrWait(source, opts.follow, signal, pollMs);
  if (!fd) return;
  try {
    let ino = (await fd.stat()).ino;
    let pos = opts.tailLines === undefined ? 0 : await tailStart(fd, opts.tailLines);
    let leftover = Buffer.alloc(0);
    let finishing = false;
    const buf = Buffer.alloc(BLOCK);
    while (!signal.aborted) {
      const { bytesRead } = await fd.read(buf, 0, BLOCK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        let data = leftover.length > 0 ? Buffer.concat([leftover, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let nl: number;
        while ((nl = data.indexOf(NEWLINE)) >= 0) {
          const out = render(data.subarray(0, nl), opts);
          data = data.subarray(nl + 1);
          if (!out) continue;
          if (out.length >= remain) {
            await sink(out.subarray(0, remain));
            return;
          }
          remain -= out.length;
          await sink(out);
        }
        leftover = Buffer.from(data);
        continue;
      }
      if (!opts.follow || finishing) return;
      // At the end of the file: a rotated log continues in a new file at the same path.
      const current = await stat(source.path).catch(() => undefined);
      if (current && current.ino !== ino) {
        await fd.close();
        fd = await open(source.path, 'r');
        ino = (await fd.stat()).ino;
        pos = 0;
        leftover = Buffer.alloc(0);
        continue;
      }
      // A stopped container gets one more read for what it wrote just before it stopped.
      if (!(await source.running())) {
        finishing = true;
        continue;
      }
      await sleep(pollMs, signal);
    }
  } finally {
    await fd.close();
  }
}

/** The output of one log line, or undefined when it is skipped (not an entry, or before `since`). */
function render(line: Buffer, opts: LogReadOptions): Buffer | undefined {
  const entry = parseCriLogLine(line);
  if (!entry) return undefined;
  if (opts.sinceNs !== undefined && entry.timeNs < opts.sinceNs) return undefined;
  const parts: Buffer[] = [];
  if (opts.timestamps) parts.push(Buffer.from(`${formatRfc3339Nano(entry.timeNs)} `));
  parts.push(entry.content);
  if (!entry.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** Offset where the last `lines` lines of the file start (the final newline ends the last one). */
export async function tailStart(fd: FileHandle, lines: number): Promise<number> {
  const size = (await fd.stat()).size;
  if (lines <= 0) return size;
  const buf = Buffer.alloc(BLOCK);
  let count = 0;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - BLOCK);
    const { bytesRead } = await fd.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      const at = start + i;
      if (buf[i] !== NEWLINE || at === size - 1) continue;
      if (++count === lines) return at + 1;
    }
    end = start;
  }
  return 0;
}

/** The log file, waiting for it while following a running container that has not written one yet. */
async function openOrWait(source: LogSource, follow: boolean, signal: AbortSignal, pollMs: number): Promise<FileHandle | undefined> {
  for (;;) {
    try {
      return await open(source.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!follow || signal.aborted || !(await source.running())) return undefined;
    await sleep(pollMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
