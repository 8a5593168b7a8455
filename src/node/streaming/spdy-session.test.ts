import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeData, encodePing, encodeRstStream, encodeSettings, encodeSynStream, encodeWindowUpdate, FLAG_FIN, SETTINGS_INITIAL_WINDOW_SIZE, SpdyFrameParser, type SpdyFrame } from './spdy-frames.ts';
import { SpdyHeaderCodec } from './spdy-headers.ts';
import { SpdySession, type SpdyStream, type SpdyTransport } from './spdy-session.ts';

/** An in-memory transport: what the server writes is parsed into frames. */
function harness(onStream: (s: SpdyStream) => void = () => {}) {
  const parser = new SpdyFrameParser();
  const frames: SpdyFrame[] = [];
  let deliver: (d: Buffer) => void = () => {};
  let closeCb: () => void = () => {};
  let closed = false;
  const transport: SpdyTransport = {
    write: (d) => frames.push(...parser.push(d)),
    onData: (cb) => (deliver = cb),
    onClose: (cb) => (closeCb = cb),
    close: () => {
      closed = true;
      closeCb();
    },
  };
  const session = new SpdySession(transport, { onStream });
  const codec = new SpdyHeaderCodec();
  return {
    session,
    frames,
    isClosed: () => closed,
    send: (b: Buffer) => deliver(b),
    syn: async (id: number, headers: Record<string, string>, flags = 0) => deliver(encodeSynStream(id, 0, 0, flags, await codec.compress(headers))),
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
const dataOn = (frames: SpdyFrame[], id: number): Buffer => Buffer.concat(frames.flatMap((f) => (f.type === 'data' && f.streamId === id ? [f.data] : [])));

describe('SPDY session (server side)', () => {
  it('answers every client stream with SYN_REPLY and hands it over with its headers', async () => {
    const streams: SpdyStream[] = [];
    const h = harness((s) => streams.push(s));
    await h.syn(1, { streamtype: 'error' });
    await h.syn(3, { streamtype: 'stdout' });
    await settle();
    assert.deepEqual(streams.map((s) => s.header('streamtype')), ['error', 'stdout']);
    assert.deepEqual(h.frames.filter((f) => f.type === 'syn_reply').map((f) => (f.type === 'syn_reply' ? f.streamId : 0)), [1, 3]);
  });

  it('delivers DATA to the stream, returns window for it, and ends the readable side on FIN', async () => {
    let stream: SpdyStream | undefined;
    const h = harness((s) => (stream = s));
    await h.syn(1, { streamtype: 'stdin' });
    h.send(encodeData(1, Buffer.from('abc'), false));
    h.send(encodeData(1, Buffer.from('def'), true));
    await settle();
    const chunks: Buffer[] = [];
    stream!.on('data', (c: Buffer) => chunks.push(c));
    await new Promise((r) => stream!.once('end', r));
    assert.equal(Buffer.concat(chunks).toString(), 'abcdef');
    assert.deepEqual(h.frames.filter((f) => f.type === 'window_update'), [
      { type: 'window_update', streamId: 1, delta: 3 },
      { type: 'window_update', streamId: 1, delta: 3 },
    ]);
  });

  it('returns window only as the reader consumes the data', async () => {
    let stream: SpdyStream | undefined;
    const h = harness((s) => (stream = s));
    await h.syn(1, { streamtype: 'stdin' });
    await settle();
    stream!.pause();
    const big = Buffer.alloc(50_000, 7); // two of them pass the readable's 64 KiB high-water mark
    h.send(encodeData(1, big, false));
    h.send(encodeData(1, big, false));
    await settle();
    const granted = (): number => h.frames.reduce((n, f) => n + (f.type === 'window_update' && f.streamId === 1 ? f.delta : 0), 0);
    assert.ok(granted() < 100_000, `the reader is paused, yet ${granted()} bytes were granted`);
    let read = 0;
    stream!.on('data', (c: Buffer) => (read += c.length));
    stream!.resume();
    await settle();
    assert.equal(read, 100_000);
    assert.equal(granted(), 100_000);
  });

  it('echoes PING and resets DATA for a stream it does not know', async () => {
    const h = harness();
    h.send(encodePing(7));
    h.send(encodeData(9, Buffer.from('x'), false));
    await settle();
    assert.ok(h.frames.some((f) => f.type === 'ping' && f.id === 7));
    assert.ok(h.frames.some((f) => f.type === 'rst_stream' && f.streamId === 9));
  });

  it('holds writes beyond the window of a peer that does flow control until it grants more', async () => {
    let stream: SpdyStream | undefined;
    const h = harness((s) => (stream = s));
    h.send(encodeSettings([{ id: SETTINGS_INITIAL_WINDOW_SIZE, value: 10 }]));
    await h.syn(1, { streamtype: 'stdout' });
    h.send(encodeWindowUpdate(3, 1)); // any WINDOW_UPDATE shows the peer does flow control
    await settle();
    stream!.write(Buffer.alloc(25, 1));
    await settle();
    assert.equal(dataOn(h.frames, 1).length, 10, 'only the 10-byte window is sent');
    h.send(encodeWindowUpdate(1, 10));
    await settle();
    assert.equal(dataOn(h.frames, 1).length, 20);
    h.send(encodeWindowUpdate(1, 100));
    await settle();
    assert.equal(dataOn(h.frames, 1).length, 25);
  });

  it("does not limit a peer that never sends WINDOW_UPDATE (Go's spdystream)", async () => {
    let stream: SpdyStream | undefined;
    const h = harness((s) => (stream = s));
    await h.syn(1, { streamtype: 'stdout' });
    await settle();
    stream!.end(Buffer.alloc(200_000, 2));
    await settle();
    assert.equal(dataOn(h.frames, 1).length, 200_000);
    const last = h.frames.filter((f) => f.type === 'data').at(-1);
    assert.ok(last?.type === 'data' && last.flags & FLAG_FIN, 'the stream ends with FIN');
  });

  it('destroys a stream the peer resets, and closes on GOAWAY', async () => {
    let stream: SpdyStream | undefined;
    const h = harness((s) => (stream = s));
    await h.syn(1, { streamtype: 'data' });
    await settle();
    h.send(encodeRstStream(1, 5));
    await settle();
    assert.equal(stream!.destroyed, true);
    h.send(Buffer.from([0x80, 0x03, 0x00, 0x07, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0]));
    await settle();
    assert.equal(h.isClosed(), true);
    assert.equal(h.session.closed, true);
  });

  it('refuses an even (server-side) or reused stream id', async () => {
    const h = harness();
    await h.syn(2, { streamtype: 'error' });
    await settle();
    assert.ok(h.frames.some((f) => f.type === 'rst_stream' && f.streamId === 2));
  });
});
