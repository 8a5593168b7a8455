// The server side of a SPDY/3.1 connection as Kubernetes streaming uses it (httpstream/spdy): the
// client opens every stream (SYN_STREAM with headers such as `streamtype`), the server answers each
// with a SYN_REPLY and then both sides send DATA until FIN. Streams are Node Duplexes so they pipe
// to processes and sockets. Bytes come from a transport (a raw upgraded socket, or the binary
// messages of a WebSocket tunnel) in arbitrary pieces.
//
// Flow control: our sends respect the peer's per-stream window (64 KiB initially, SETTINGS may
// change it) once the peer shows it does flow control by sending a WINDOW_UPDATE; Go's
// spdystream, which kubectl uses, never sends one and does not limit what it receives, so
// enforcing windows against it would stall a transfer after 64 KiB. We return a stream's window
// as its reader consumes the bytes, for peers that do enforce it.

import { Duplex } from 'node:stream';
import {
  encodeData,
  encodeGoaway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeWindowUpdate,
  FLAG_FIN,
  RstStatus,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SpdyFrameParser,
  type SpdyFrame,
} from './spdy-frames.ts';
import { SpdyHeaderCodec, type SpdyHeaders } from './spdy-headers.ts';

/** A byte pipe carrying the SPDY connection. */
export interface SpdyTransport {
  write(data: Buffer): void;
  onData(cb: (data: Buffer) => void): void;
  onClose(cb: () => void): void;
  close(): void;
}

const DEFAULT_WINDOW = 64 * 1024;
const MAX_DATA_CHUNK = 16 * 1024;

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #session: SpdySession;
  /** Set when the peer ended its side (FIN) or reset the stream. */
  remoteClosed = false;
  localClosed = false;
  sendWindow: number;
  #blocked: (() => void) | undefined;

  constructor(session: SpdySession, id: number, headers: SpdyHeaders, window: number) {
    super({ allowHalfOpen: true });
    this.#session = session;
    this.id = id;
    this.headers = headers;
    this.sendWindow = window;
  }

  /** The first value of a request header, e.g. `streamtype`. */
  header(name: string): string | undefined {
    return this.headers[name]?.[0];
  }

  #credit = 0;

  /** DATA from the peer: its window comes back once the bytes are consumed, not before. */
  receive(data: Buffer): void {
    this.#credit += data.length;
    if (this.push(data)) this.#returnCredit();
  }

  override _read(): void {
    this.#returnCredit();
  }

  #returnCredit(): void {
    if (this.#credit === 0 || this.remoteClosed) return;
    this.#session.sendWindowUpdate(this.id, this.#credit);
    this.#credit = 0;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void this.#writeChunks(chunk).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.localClosed = true;
    this.#session.sendData(this.id, Buffer.alloc(0), true);
    this.#session.maybeForget(this);
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) this.#session.reset(this.id, RstStatus.CANCEL);
    this.localClosed = this.remoteClosed = true;
    this.#session.maybeForget(this);
    this.#blocked?.();
    cb(err);
  }

  /** Called by the session when the peer grants more window. */
  unblock(): void {
    const b = this.#blocked;
    this.#blocked = undefined;
    b?.();
  }

  async #writeChunks(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.destroyed) throw new Error('SPDY stream reset');
      let n = Math.min(rest.length, MAX_DATA_CHUNK);
      if (this.#session.enforcesWindows) {
        if (this.sendWindow <= 0) {
          await new Promise<void>((r) => (this.#blocked = r));
          continue;
        }
        n = Math.min(n, this.sendWindow);
      }
      this.sendWindow -= n;
      this.#session.sendData(this.id, rest.subarray(0, n), false);
      rest = rest.subarray(n);
    }
  }
}

export interface SpdySessionOptions {
  /** A new client stream, already answered with SYN_REPLY. */
  onStream(stream: SpdyStream): void;
  onError?(err: Error): void;
}

export class SpdySession {
  readonly #transport: SpdyTransport;
  readonly #opts: SpdySessionOptions;
  readonly #parser = new SpdyFrameParser();
  readonly #codec = new SpdyHeaderCodec();
  readonly #streams = new Map<number, SpdyStream>();
  #incoming: Promise<void> = Promise.resolve();
  #outgoing: Promise<void> = Promise.resolve();
  #initialWindow = DEFAULT_WINDOW;
  #lastStreamId = 0;
  #closed = false;
  readonly #closeWaiters: (() => void)[] = [];
  enforcesWindows = false;

  constructor(transport: SpdyTransport, opts: SpdySessionOptions) {
    this.#transport = transport;
    this.#opts = opts;
    transport.onData((d) => this.#receive(d));
    transport.onClose(() => this.#teardown());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when the connection is gone. */
  whenClosed(): Promise<void> {
    return this.#closed ? Promise.resolve() : new Promise((r) => this.#closeWaiters.push(r));
  }

  sendData(streamId: number, data: Buffer, fin: boolean): void {
    this.#enqueue(async () => encodeData(streamId, data, fin));
  }

  sendWindowUpdate(streamId: number, delta: number): void {
    this.#enqueue(async () => encodeWindowUpdate(streamId, delta));
  }

  reset(streamId: number, status: number): void {
    this.#enqueue(async () => encodeRstStream(streamId, status));
  }

  maybeForget(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.#streams.delete(stream.id);
  }

  /** Sends GOAWAY and closes the connection once everything queued is written. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#enqueue(async () => encodeGoaway(this.#lastStreamId, 0));
    await this.#outgoing;
    this.#transport.close();
    this.#teardown();
  }

  #enqueue(make: () => Promise<Buffer>): void {
    this.#outgoing = this.#outgoing.then(async () => {
      if (this.#closed) return;
      this.#transport.write(await make());
    });
    this.#outgoing = this.#outgoing.catch((err: Error) => this.#fail(err));
  }

  #receive(data: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.#parser.push(data);
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    for (const f of frames) {
      this.#incoming = this.#incoming.then(() => this.#handle(f)).catch((err: Error) => this.#fail(err));
    }
  }

  async #handle(f: SpdyFrame): Promise<void> {
    if (this.#closed) return;
    switch (f.type) {
      case 'syn_stream': {
        // The header block must be inflated even for a refused stream: the zlib context is shared.
        const headers = await this.#codec.decompress(f.headerBlock);
        if (f.streamId % 2 === 0 || f.streamId <= this.#lastStreamId) {
          this.reset(f.streamId, RstStatus.PROTOCOL_ERROR);
          return;
        }
        this.#lastStreamId = f.streamId;
        const stream = new SpdyStream(this, f.streamId, headers, this.#initialWindow);
        this.#streams.set(f.streamId, stream);
        this.#enqueue(async () => encodeSynReply(f.streamId, 0, await this.#codec.compress({})));
        if (f.flags & FLAG_FIN) this.#remoteEnd(stream);
        this.#opts.onStream(stream);
        return;
      }
      case 'data': {
        const stream = this.#streams.get(f.streamId);
        if (!stream || stream.remoteClosed) {
          this.reset(f.streamId, RstStatus.INVALID_STREAM);
          return;
        }
        if (f.data.length > 0) stream.receive(f.data);
        if (f.flags & FLAG_FIN) this.#remoteEnd(stream);
        return;
      }
      case 'headers':
      case 'syn_reply':
        // Keep the shared inflate context in step even though we need nothing from these.
        await this.#codec.decompress(f.headerBlock);
        return;
      case 'rst_stream': {
        const stream = this.#streams.get(f.streamId);
        if (stream) {
          stream.remoteClosed = stream.localClosed = true;
          stream.destroy();
          this.#streams.delete(f.streamId);
        }
        return;
      }
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const diff = e.value - this.#initialWindow;
          this.#initialWindow = e.value;
          for (const s of this.#streams.values()) s.sendWindow += diff;
        }
        return;
      case 'window_update': {
        this.enforcesWindows = true;
        if (f.streamId === 0) return; // SPDY/3.1's session window: per-stream windows bound us already.
        const stream = this.#streams.get(f.streamId);
        if (stream) {
          stream.sendWindow += f.delta;
          stream.unblock();
        }
        return;
      }
      case 'ping':
        this.#enqueue(async () => encodePing(f.id));
        return;
      case 'goaway':
        this.#transport.close();
        this.#teardown();
        return;
      case 'unknown':
        return;
    }
  }

  #remoteEnd(stream: SpdyStream): void {
    stream.remoteClosed = true;
    stream.push(null);
    this.maybeForget(stream);
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#opts.onError?.(err);
    this.#transport.close();
    this.#teardown();
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#streams.values()) {
      s.remoteClosed = s.localClosed = true;
      s.destroy();
    }
    this.#streams.clear();
    this.#codec.close();
    for (const w of this.#closeWaiters.splice(0)) w();
  }
}
