// Runs one exec or attach over negotiated channels, whatever carries them (WebSocket channels or
// SPDY streams): client stdin into the process, its output back, resizes to its terminal, and at
// the end the outcome on the error channel. A client that goes away ends the process (exec) or
// the attachment.

import type { Readable, Writable } from 'node:stream';
import type { StreamingProcess } from '../runtime/cri.ts';
import type { ExecOutcome } from './exec-status.ts';
import type { RemoteCommandProtocol } from './protocols.ts';

export interface TerminalSize {
  width: number;
  height: number;
}

/** The client's side of a remotecommand session, as a transport exposes it. */
export interface RemoteCommandChannels {
  protocol: RemoteCommandProtocol;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  onResize(cb: (size: TerminalSize) => void): void;
  /** Sends the outcome on the error channel and closes the connection. */
  finish(outcome: ExecOutcome): Promise<void>;
  /** Resolves when the client's connection is gone. */
  gone: Promise<void>;
}

/** How long a TTY session waits for the client's first terminal size (kubectl sends it at once). */
const FIRST_SIZE_WAIT_MS = 1000;

export async function runRemoteCommand(ch: RemoteCommandChannels, start: (size?: TerminalSize) => Promise<StreamingProcess>, tty = false): Promise<void> {
  let proc: StreamingProcess;
  try {
    // A command that looks at its terminal at once (stty size, a full-screen program) must see the
    // client's size, not 0x0: wait briefly for it before starting.
    const size = tty ? await firstSize(ch) : undefined;
    proc = await start(size);
  } catch (err) {
    await ch.finish({ error: (err as Error).message });
    return;
  }
  if (ch.stdin) {
    if (proc.stdin) ch.stdin.pipe(proc.stdin);
    else ch.stdin.resume();
  }
  ch.onResize((s) => proc.resize(s.width, s.height));
  const drained = Promise.all([forward(proc.stdout, ch.stdout), forward(proc.stderr, ch.stderr)]);
  const done = Promise.all([proc.exited, drained]).then(([code]) => ({ code }));
  const result = await Promise.race([done, ch.gone.then(() => undefined)]);
  if (!result) {
    proc.close();
    return;
  }
  // All output must be out before the status: a client stops reading once it has the status.
  await Promise.all([flushed(ch.stdout), flushed(ch.stderr)]);
  await ch.finish({ exitCode: result.code });
}

function flushed(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('finish', resolve);
    w.once('close', resolve);
    w.once('error', () => resolve());
    w.end();
  });
}

function firstSize(ch: RemoteCommandChannels): Promise<TerminalSize | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), FIRST_SIZE_WAIT_MS);
    ch.onResize((s) => {
      clearTimeout(timer);
      resolve(s);
    });
    void ch.gone.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** Copies a process stream to a client channel (or discards it) and resolves at its end. */
function forward(from: Readable | undefined, to: Writable | undefined): Promise<void> {
  if (!from) return Promise.resolve();
  return new Promise((resolve) => {
    from.once('end', resolve);
    from.once('close', resolve);
    from.once('error', () => resolve());
    if (to) from.pipe(to, { end: false });
    else from.resume();
  });
}
