// The live output of a container for `kubectl attach`: its supervisor serves a unix socket on
// which every connected attach receives each chunk of stdout and stderr as it is read from the
// container's pipes, framed as [stream 1|2][u32 BE length][bytes]. The log file gets the same
// bytes; the socket only saves attach from waiting on it.
//
// sun_path holds at most 107 bytes and a container's directory (64-hex id under the state dir)
// can be longer, so the supervisor binds the name relative to its own working directory (its
// container directory) and the runtime connects through /proc/<supervisor pid>/cwd/.

import { chdir } from 'node:process';
import { connect, createServer, type Server, type Socket } from 'node:net';

export const ATTACH_SOCKET = 'attach.sock';
/** An attach that falls this far behind is dropped rather than let the supervisor's memory grow. */
const MAX_BUFFERED = 8 * 1024 * 1024;
const STREAM_IDS = { stdout: 1, stderr: 2 } as const;

/** The supervisor's side. */
export class AttachBroadcaster {
  readonly #clients = new Set<Socket>();
  readonly #server: Server;

  constructor(dir: string) {
    chdir(dir);
    this.#server = createServer((sock) => {
      this.#clients.add(sock);
      sock.on('error', () => sock.destroy());
      sock.once('close', () => this.#clients.delete(sock));
      sock.resume(); // attaches send nothing here: stdin goes through the FIFO
    });
    this.#server.on('error', () => {});
    this.#server.listen(ATTACH_SOCKET);
    this.#server.unref();
  }

  send(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.#clients.size === 0) return;
    const head = Buffer.alloc(5);
    head[0] = STREAM_IDS[stream];
    head.writeUInt32BE(chunk.length, 1);
    for (const c of this.#clients) {
      if (c.writableLength > MAX_BUFFERED) c.destroy();
      else c.write(Buffer.concat([head, chunk]));
    }
  }

  /** Ends every attach once what it was sent is out (bounded: the supervisor must exit). */
  async close(timeoutMs = 1000): Promise<void> {
    this.#server.close();
    const ends = [...this.#clients].map((c) => new Promise<void>((r) => c.end(() => r())));
    await Promise.race([Promise.all(ends), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

/** The runtime's side: connects to a supervisor's socket; rejects if it has none (older supervisors). */
export function connectAttachSocket(supervisorPid: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(`/proc/${supervisorPid}/cwd/${ATTACH_SOCKET}`);
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** Splits the socket's byte stream back into frames. */
export class AttachFrameParser {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: 'stdout' | 'stderr'; data: Buffer }[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];
    while (this.#buf.length >= 5) {
      const len = this.#buf.readUInt32BE(1);
      if (this.#buf.length < 5 + len) break;
      out.push({ stream: this.#buf[0] === STREAM_IDS.stderr ? 'stderr' : 'stdout', data: Buffer.from(this.#buf.subarray(5, 5 + len)) });
      this.#buf = this.#buf.subarray(5 + len);
    }
    return out;
  }
}
