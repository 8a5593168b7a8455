// Streaming attach for the process runtime (`kubectl attach`): the caller's input goes to the
// container's stdin FIFO (the supervisor holds a writer on it, so the container sees no EOF
// between attaches), and its output comes live from the supervisor's attach socket, or, for a
// supervisor without one, from the container's CRI log followed from its current end. The session
// ends when the container exits or the caller goes away.

import { closeSync, constants, createWriteStream, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { StreamingOptions, StreamingProcess } from '../cri.ts';
import { AttachFrameParser, connectAttachSocket } from './attach-socket.ts';

const POLL_MS = 50;
/** About 5 s of retries for a TTY helper that has not opened its resize FIFO yet. */
const RESIZE_RETRIES = 100;

export interface AttachTarget {
  logPath: string;
  /** The container's stdin FIFO, or '' when it was not created with stdin. */
  stdinFifo: string;
  /** The FIFO its terminal takes sizes from, or '' when it has no TTY. */
  resizeFifo: string;
  /** stdinOnce: called once when this attach's stdin ends, to close the container's stdin for good. */
  closeStdin?: () => void;
  /** Its supervisor, whose socket carries the live output. */
  supervisorPid?: number;
  /** The exit code once the container has ended, else undefined. */
  exitCode(): number | undefined;
}

export async function startAttach(t: AttachTarget, o: StreamingOptions): Promise<StreamingProcess> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const emit = (e: CriLogEntry): void => void (e.stream === 'stderr' ? stderr : stdout).write(e.data);
  let closed = false;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (resolveExit = r));
  let stopSource = (): void => {};
  const finish = (code: number): void => {
    if (closed) return;
    closed = true;
    stopSource();
    stdout.end();
    stderr.end();
    resolveExit(code);
  };
  const live = t.supervisorPid ? await connectAttachSocket(t.supervisorPid).catch(() => undefined) : undefined;
  if (live) {
    // The supervisor closes the socket after it recorded the exit (or when it dies).
    const parser = new AttachFrameParser();
    live.on('data', (d: Buffer) => parser.push(d).forEach(emit));
    live.on('error', () => {});
    live.once('close', () => finish(t.exitCode() ?? 0));
    stopSource = () => live.destroy();
  } else {
    // A supervisor without the socket (started by an older agent): follow the log file instead.
    const follower = new CriLogFollower(t.logPath);
    const poll = (): void => {
      follower.read().forEach(emit);
      const code = t.exitCode();
      // One more read after the exit record: the last entries were written before it.
      if (code !== undefined) {
        follower.read().forEach(emit);
        finish(code);
      }
    };
    const timer = setInterval(poll, POLL_MS);
    stopSource = () => {
      clearInterval(timer);
      follower.close();
    };
  }
  const resizer = new TerminalResizer(t.resizeFifo);
  void exited.then(() => resizer.stop());
  const proc: StreamingProcess = {
    stdout,
    resize(width, height) {
      if (t.resizeFifo && width > 0 && height > 0) resizer.set(width, height);
    },
    exited,
    close: () => finish(t.exitCode() ?? 0),
  };
  if (!o.tty) proc.stderr = stderr;
  if (o.size) proc.resize(o.size.width, o.size.height);
  if (o.stdin && t.stdinFifo) {
    const stdin = createWriteStream(t.stdinFifo, { flags: 'a' });
    stdin.on('error', () => {});
    // The FIFO stays open for the next attach (ending the caller's stdin only detaches it), unless
    // the container asked for stdinOnce.
    stdin.once('close', () => t.closeStdin?.());
    void exited.then(() => stdin.destroy());
    // Input waits for the first size to reach the terminal: a container that has just started may
    // not read its resize FIFO yet, and a line typed at once (`kubectl run -it`) would otherwise
    // be read by a program that still sees a 0x0 terminal.
    const held = new PassThrough();
    void resizer.settled().then(() => held.pipe(stdin));
    proc.stdin = held;
  }
  return proc;
}

/**
 * Sends "COLS ROWS" lines to a TTY container's helper. Right after the container starts the helper
 * may not have opened its FIFO yet (python takes a moment) and the size would be lost, so the
 * latest size is retried for a while until a reader is there.
 */
class TerminalResizer {
  readonly #fifo: string;
  #pending: { width: number; height: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #tries = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(fifo: string) {
    this.#fifo = fifo;
  }

  set(width: number, height: number): void {
    this.#pending = { width, height };
    this.#tries = 0;
    this.#flush();
  }

  /** Resolves once no size is waiting for the terminal any more (delivered, or retries over). */
  settled(): Promise<void> {
    if (!this.#pending) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#pending = undefined;
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #flush(): void {
    clearTimeout(this.#timer);
    const size = this.#pending;
    if (!size) return;
    try {
      const fd = openSync(this.#fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        writeSync(fd, `${Math.floor(size.width)} ${Math.floor(size.height)}\n`);
      } finally {
        closeSync(fd);
      }
      this.#pending = undefined;
      this.#wake();
    } catch {
      // ENXIO: no reader yet (or any more: the retries end).
      if (++this.#tries < RESIZE_RETRIES) this.#timer = setTimeout(() => this.#flush(), POLL_MS).unref();
      else this.#wake();
    }
  }
}

export interface CriLogEntry {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** Reads CRI log entries appended to a file from the moment it was created on, across rotations. */
export class CriLogFollower {
  readonly #path: string;
  #fd: number | undefined;
  #ino = 0;
  #pos = 0;
  #partial = Buffer.alloc(0);

  constructor(path: string) {
    this.#path = path;
    this.#open(true);
  }

  read(): CriLogEntry[] {
    this.#reopenIfRotated();
    if (this.#fd === undefined) return [];
    const chunks: Buffer[] = [this.#partial];
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(this.#fd, buf, 0, buf.length, this.#pos);
      if (n <= 0) break;
      this.#pos += n;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const all = Buffer.concat(chunks);
    const lastNl = all.lastIndexOf(0x0a);
    this.#partial = all.subarray(lastNl + 1);
    return lastNl < 0 ? [] : parseCriLines(all.subarray(0, lastNl + 1));
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(atEnd: boolean): void {
    try {
      this.#fd = openSync(this.#path, 'r');
      const st = fstatSync(this.#fd);
      this.#ino = st.ino;
      this.#pos = atEnd ? st.size : 0;
      this.#partial = Buffer.alloc(0);
    } catch {
      this.#fd = undefined;
    }
  }

  #reopenIfRotated(): void {
    let ino: number;
    try {
      ino = statSync(this.#path).ino;
    } catch {
      return;
    }
    if (this.#fd !== undefined && ino === this.#ino) return;
    // Rotated (what the old file gained since the last poll is lost): read the new one from its start.
    this.close();
    this.#open(false);
  }
}

/** `<time> <stream> <F|P> <content>` lines; F entries end a line, P entries are pieces of one. */
export function parseCriLines(text: Buffer): CriLogEntry[] {
  const out: CriLogEntry[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf(0x0a, start);
    const line = text.subarray(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    const s1 = line.indexOf(0x20);
    const s2 = line.indexOf(0x20, s1 + 1);
    const s3 = line.indexOf(0x20, s2 + 1);
    if (s1 < 0 || s2 < 0) continue;
    const stream = line.subarray(s1 + 1, s2).toString();
    if (stream !== 'stdout' && stream !== 'stderr') continue;
    const tag = s3 < 0 ? line.subarray(s2 + 1).toString() : line.subarray(s2 + 1, s3).toString();
    const content = s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1);
    out.push({ stream, data: tag.startsWith('P') ? Buffer.from(content) : Buffer.concat([content, Buffer.from('\n')]) });
  }
  return out;
}
