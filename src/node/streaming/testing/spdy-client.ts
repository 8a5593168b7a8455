// A small SPDY/3.1 client for tests: speaks HTTP/1.1 to ask for the upgrade, then opens streams
// the way Go's spdystream (kubectl) does and records what the server sends on each.

import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { encodeData, encodePing, encodeSynStream, FLAG_FIN, SpdyFrameParser, type SpdyFrame } from '../spdy-frames.ts';
import { SpdyHeaderCodec, type SpdyHeaders } from '../spdy-headers.ts';

export interface ClientStream {
  id: number;
  replied: Promise<SpdyHeaders>;
  /** Everything received on the stream, once the server FINs or resets it. */
  done: Promise<{ data: Buffer; reset: boolean }>;
  received(): Buffer;
  write(data: Buffer | string, fin?: boolean): Promise<void>;
}

interface StreamState {
  chunks: Buffer[];
  reply: (h: SpdyHeaders) => void;
  finish: (r: { data: Buffer; reset: boolean }) => void;
}

export class SpdyTestClient {
  readonly socket: Duplex;
  readonly frames: SpdyFrame[] = [];
  readonly #codec = new SpdyHeaderCodec();
  readonly #parser = new SpdyFrameParser();
  readonly #streams = new Map<number, StreamState>();
  #nextId = 1;
  #incoming: Promise<void> = Promise.resolve();
  #writes: Promise<void> = Promise.resolve();
  readonly closed: Promise<void>;
  #pongs: ((id: number) => void)[] = [];

  constructor(socket: Duplex, rest: Buffer = Buffer.alloc(0)) {
    this.socket = socket;
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('data', (d: Buffer) => this.#receive(d));
    if (rest.length > 0) this.#receive(rest);
  }

  openStream(headers: Record<string, string>, fin = false): ClientStream {
    const id = this.#nextId;
    this.#nextId += 2;
    let reply!: (h: SpdyHeaders) => void;
    let finish!: (r: { data: Buffer; reset: boolean }) => void;
    const replied = new Promise<SpdyHeaders>((r) => (reply = r));
    const done = new Promise<{ data: Buffer; reset: boolean }>((r) => (finish = r));
    const state: StreamState = { chunks: [], reply, finish };
    this.#streams.set(id, state);
    this.#write(async () => encodeSynStream(id, 0, 0, fin ? FLAG_FIN : 0, await this.#codec.compress(headers)));
    return {
      id,
      replied,
      done,
      received: () => Buffer.concat(state.chunks),
      write: (data, endStream = false) => this.#write(async () => encodeData(id, Buffer.from(data), endStream)),
    };
  }

  ping(id: number): Promise<number> {
    const p = new Promise<number>((r) => this.#pongs.push(r));
    void this.#write(async () => encodePing(id));
    return p;
  }

  /** Writes raw bytes (tests of split frames). */
  raw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  #write(make: () => Promise<Buffer>): Promise<void> {
    this.#writes = this.#writes.then(async () => {
      this.socket.write(await make());
    });
    return this.#writes;
  }

  #receive(d: Buffer): void {
    for (const f of this.#parser.push(d)) this.#incoming = this.#incoming.then(() => this.#handle(f));
  }

  async #handle(f: SpdyFrame): Promise<void> {
    this.frames.push(f);
    if (f.type === 'syn_reply') this.#streams.get(f.streamId)?.reply(await this.#codec.decompress(f.headerBlock));
    else if (f.type === 'syn_stream' || f.type === 'headers') await this.#codec.decompress(f.headerBlock);
    else if (f.type === 'data') {
      const s = this.#streams.get(f.streamId);
      s?.chunks.push(f.data);
      if (s && f.flags & FLAG_FIN) s.finish({ data: Buffer.concat(s.chunks), reset: false });
    } else if (f.type === 'rst_stream') {
      const s = this.#streams.get(f.streamId);
      s?.finish({ data: Buffer.concat(s.chunks), reset: true });
    } else if (f.type === 'ping') {
      for (const p of this.#pongs.splice(0)) p(f.id);
    }
  }
}

/** Asks for a SPDY/3.1 upgrade on a plain HTTP server; resolves with the status and headers. */
export function spdyUpgrade(port: number, path: string, protocols: readonly string[]): Promise<{ status: number; headers: Record<string, string>; body: string; client: SpdyTestClient }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      const lines = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1', ...protocols.map((p) => `X-Stream-Protocol-Version: ${p}`), 'Content-Length: 0', '', ''];
      socket.write(lines.join('\r\n'));
    });
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const [statusLine = '', ...headerLines] = buf.subarray(0, end).toString().split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(statusLine.split(' ')[1]);
      const rest = buf.subarray(end + 4);
      if (status === 101) {
        resolve({ status, headers, body: '', client: new SpdyTestClient(socket, rest) });
        return;
      }
      let body = rest.toString();
      socket.on('data', (more: Buffer) => (body += more.toString()));
      socket.once('close', () => resolve({ status, headers, body, client: new SpdyTestClient(socket, Buffer.alloc(0)) }));
    };
    socket.on('data', onData);
  });
}
