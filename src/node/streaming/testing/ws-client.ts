// A bare WebSocket client for tests (RFC 6455: handshake, masked binary frames out, unmasked frames
// in). The `ws` client refuses subprotocol names that are not HTTP tokens, but kubectl sends
// `SPDY/3.1+portforward.k8s.io`, so the tests need a client that sends what kubectl sends.

import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';

export interface RawWebSocket {
  status: number;
  protocol: string;
  /** Each binary message the server sent, in order. */
  messages: Buffer[];
  send(data: Buffer): void;
  close(): void;
  closed: Promise<void>;
  onMessage(cb: (m: Buffer) => void): void;
  /** The messages as one byte stream, writes as one message each (for SPDY tunnels). */
  stream(): Duplex;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function rawWebSocket(port: number, path: string, protocols: readonly string[]): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () =>
      socket.write(
        [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, `Sec-WebSocket-Protocol: ${protocols.join(', ')}`, '', ''].join('\r\n'),
      ),
    );
    let buf = Buffer.alloc(0);
    let open = false;
    const listeners: ((m: Buffer) => void)[] = [];
    const ws: RawWebSocket = {
      status: 0,
      protocol: '',
      messages: [],
      send: (data) => socket.write(frame(0x2, data)),
      close: () => {
        socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
        socket.end();
      },
      closed: new Promise((r) => socket.once('close', () => r())),
      onMessage: (cb) => listeners.push(cb),
      stream() {
        const d = new Duplex({
          read() {},
          write(chunk: Buffer, _e, cb) {
            ws.send(chunk);
            cb();
          },
        });
        listeners.push((m) => d.push(m));
        void ws.closed.then(() => d.push(null));
        return d;
      },
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!open) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [status = '', ...lines] = buf.subarray(0, end).toString().split('\r\n');
        ws.status = Number(status.split(' ')[1]);
        for (const l of lines) {
          const [name = '', ...v] = l.split(':');
          if (name.toLowerCase() === 'sec-websocket-protocol') ws.protocol = v.join(':').trim();
          if (name.toLowerCase() === 'sec-websocket-accept' && v.join(':').trim() !== createHash('sha1').update(key + GUID).digest('base64')) reject(new Error('bad Sec-WebSocket-Accept'));
        }
        buf = buf.subarray(end + 4);
        open = true;
        resolve(ws);
        if (ws.status !== 101) return;
      }
      for (;;) {
        const m = parseFrame(buf);
        if (!m) return;
        buf = buf.subarray(m.size);
        if (m.opcode === 0x8) socket.end();
        else if (m.opcode === 0x9) socket.write(frame(0xa, m.payload));
        else if (m.opcode === 0x2 || m.opcode === 0x1) {
          ws.messages.push(m.payload);
          for (const l of listeners) l(m.payload);
        }
      }
    });
  });
}

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), u64(len)]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([head, mask, masked]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

function parseFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = (buf[0] ?? 0) & 0x0f;
  let len = (buf[1] ?? 0) & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  if (buf.length < off + len) return undefined;
  return { opcode, payload: Buffer.from(buf.subarray(off, off + len)), size: off + len };
}
