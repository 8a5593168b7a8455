// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 §2.2, with 3.1's session window): turns bytes
// into frames and frames into bytes. Header blocks stay compressed here; spdy-headers.ts owns the
// zlib contexts, because they span the whole connection and must see blocks in wire order.

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_ALREADY_CLOSED: 9,
} as const;

export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** Frames carry a 24-bit length. */
export const MAX_FRAME_LENGTH = 0xffffff;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

const STREAM_ID_MASK = 0x7fffffff;

/** Accumulates bytes (arbitrarily split, e.g. across WebSocket messages) and yields whole frames. */
export class SpdyFrameParser {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.#buf.length >= 8) {
      const length = this.#buf.readUIntBE(5, 3);
      if (this.#buf.length < 8 + length) break;
      const head = this.#buf.subarray(0, 8);
      const payload = this.#buf.subarray(8, 8 + length);
      this.#buf = this.#buf.subarray(8 + length);
      frames.push(decodeFrame(head, payload));
    }
    return frames;
  }
}

function decodeFrame(head: Buffer, p: Buffer): SpdyFrame {
  const flags = head[4] ?? 0;
  if (((head[0] ?? 0) & 0x80) === 0) return { type: 'data', streamId: head.readUInt32BE(0) & STREAM_ID_MASK, flags, data: Buffer.from(p) };
  const version = head.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = head.readUInt16BE(2);
  const need = (n: number): void => {
    if (p.length < n) throw new SpdyProtocolError(`SPDY frame type ${type} too short (${p.length} bytes)`);
  };
  switch (type) {
    case FrameType.SYN_STREAM:
      need(10);
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & STREAM_ID_MASK,
        associatedId: p.readUInt32BE(4) & STREAM_ID_MASK,
        priority: (p[8] ?? 0) >> 5,
        flags,
        headerBlock: Buffer.from(p.subarray(10)),
      };
    case FrameType.SYN_REPLY:
      need(4);
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, flags, headerBlock: Buffer.from(p.subarray(4)) };
    case FrameType.HEADERS:
      need(4);
      return { type: 'headers', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, flags, headerBlock: Buffer.from(p.subarray(4)) };
    case FrameType.RST_STREAM:
      need(8);
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(4);
      const n = p.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const off = 4 + i * 8;
        entries.push({ flags: p[off] ?? 0, id: p.readUIntBE(off + 1, 3), value: p.readUInt32BE(off + 4) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.PING:
      need(4);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(4);
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & STREAM_ID_MASK, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WINDOW_UPDATE:
      need(8);
      return { type: 'window_update', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, delta: p.readUInt32BE(4) & STREAM_ID_MASK };
    default:
      // §2.2.1: unknown control frames are ignored.
      return { type: 'unknown', frameType: type };
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`SPDY frame of ${payload.length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  if (data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`SPDY DATA of ${data.length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  head[4] = fin ? FLAG_FIN : 0;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

export function encodeSynStream(streamId: number, associatedId: number, priority: number, flags: number, headerBlock: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  fixed.writeUInt32BE(associatedId & STREAM_ID_MASK, 4);
  fixed[8] = (priority & 7) << 5;
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, headerBlock]));
}

export function encodeSynReply(streamId: number, flags: number, headerBlock: Buffer): Buffer {
  return controlFrame(FrameType.SYN_REPLY, flags, Buffer.concat([u32s(streamId & STREAM_ID_MASK), headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.RST_STREAM, 0, u32s(streamId & STREAM_ID_MASK, status));
}

export function encodeSettings(entries: readonly { flags?: number; id: number; value: number }[]): Buffer {
  const p = Buffer.alloc(4 + entries.length * 8);
  p.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    p[4 + i * 8] = e.flags ?? 0;
    p.writeUIntBE(e.id, 5 + i * 8, 3);
    p.writeUInt32BE(e.value >>> 0, 8 + i * 8);
  });
  return controlFrame(FrameType.SETTINGS, 0, p);
}

export function encodePing(id: number): Buffer {
  return controlFrame(FrameType.PING, 0, u32s(id));
}

export function encodeGoaway(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(FrameType.GOAWAY, 0, u32s(lastGoodStreamId & STREAM_ID_MASK, status));
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return controlFrame(FrameType.WINDOW_UPDATE, 0, u32s(streamId & STREAM_ID_MASK, delta & STREAM_ID_MASK));
}
