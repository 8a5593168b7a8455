// Client side of the CRI streaming server (containerd's, on loopback): CRI Exec and Attach answer
// with a one-time URL, and the session runs over it as the kubelet's streaming library serves it.
// This speaks WebSocket with the v4.channel.k8s.io protocol: every message starts with its channel
// (0 stdin, 1 stdout, 2 stderr, 3 the final metav1.Status, 4 terminal resizes as JSON). v4 has no
// way to say "stdin ended" (v5's close signal is newer than containerd 1.6), so a command that
// reads stdin to its end sees it only when the session ends.

import { PassThrough, Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { StreamingProcess } from '../cri.ts';

const PROTOCOL = 'v4.channel.k8s.io';
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** Docker's and containerd's exit code for a command that could not be run at all. */
const CANNOT_RUN = 126;

export interface StreamSessionOptions {
  stdin: boolean;
  tty: boolean;
  size?: { width: number; height: number };
  /** The exit code once the session ended well (attach: the container's, not the session's). */
  exitCode?: () => Promise<number>;
}

/** Opens the session at `url` (http://127.0.0.1:PORT/exec/TOKEN) and wires it to streams. */
export function openStreamSession(url: string, o: StreamSessionOptions): Promise<StreamingProcess> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), [PROTOCOL]);
  const stdout = new PassThrough();
  const stderr = o.tty ? undefined : new PassThrough();
  let status = '';
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    // The server opens each output channel with an empty frame: nothing to pass on.
    if (payload.length === 0) return;
    switch (data[0]) {
      case STDOUT: stdout.write(payload); break;
      case STDERR: (stderr ?? stdout).write(payload); break;
      case ERROR: status += payload.toString(); break;
    }
  });
  const send = (channel: number, payload: Buffer): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.of(channel), payload]));
  };
  const exited = new Promise<number>((resolve) => {
    ws.once('close', () => {
      void (async () => {
        const outcome = parseStatus(status);
        let code: number;
        if ('exitCode' in outcome) code = outcome.exitCode;
        else {
          (stderr ?? stdout).write(`${outcome.error}\n`);
          code = CANNOT_RUN;
        }
        // An attach's status is about the session; the code that matters is the container's.
        if ('exitCode' in outcome && o.exitCode) code = await o.exitCode().catch(() => code);
        stdout.end();
        stderr?.end();
        resolve(code);
      })();
    });
  });
  const stdin = o.stdin
    ? new Writable({
      write(chunk: Buffer, _enc, cb) {
        send(STDIN, chunk);
        cb();
      },
    })
    : undefined;
  const proc: StreamingProcess = {
    stdout,
    ...(stderr ? { stderr } : {}),
    ...(stdin ? { stdin } : {}),
    resize(width, height) {
      if (o.tty && width > 0 && height > 0) send(RESIZE, Buffer.from(JSON.stringify({ Width: Math.floor(width), Height: Math.floor(height) })));
    },
    exited,
    close() {
      ws.close();
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.off('error', reject);
      // Errors after the start end the session like a close does.
      ws.on('error', () => undefined);
      if (o.size) proc.resize(o.size.width, o.size.height);
      resolve(proc);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => reject(new Error(`the runtime's streaming server answered ${res.statusCode ?? 0}: ${body.trim()}`)));
    });
  });
}

type Outcome = ({ exitCode: number } | { error: string }) & { fromStatus: boolean };

/** The v4 status on the error channel: Success, NonZeroExitCode with an ExitCode cause, or another failure. */
export function parseStatus(text: string): Outcome {
  if (text.trim() === '') return { exitCode: 0, fromStatus: false };
  let s: { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  try {
    s = JSON.parse(text) as typeof s;
  } catch {
    return { error: text.trim(), fromStatus: true };
  }
  if (s.status === 'Success') return { exitCode: 0, fromStatus: true };
  const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  if (s.reason === 'NonZeroExitCode' && Number.isInteger(code)) return { exitCode: code, fromStatus: true };
  return { error: s.message ?? 'the command failed', fromStatus: true };
}
