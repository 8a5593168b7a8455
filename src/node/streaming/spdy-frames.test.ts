import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  encodeData,
  encodeGoaway,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynReply,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SpdyFrameParser,
  SpdyProtocolError,
} from './spdy-frames.ts';

describe('SPDY/3.1 frames', () => {
  it('lays out a control frame header as the spec does: C bit, version 3, type, flags, 24-bit length', () => {
    const f = encodePing(7);
    assert.deepEqual([...f], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 7]);
    const d = encodeData(5, Buffer.from('hi'), true);
    assert.deepEqual([...d], [0, 0, 0, 5, FLAG_FIN, 0, 0, 2, 0x68, 0x69]);
  });

  it('parses every frame type back, whatever way the bytes are split', () => {
    const bytes = Buffer.concat([
      encodeSynStream(1, 0, 2, FLAG_FIN, Buffer.from('hdrs')),
      encodeSynReply(1, 0, Buffer.from('rep')),
      encodeData(1, Buffer.from('payload'), false),
      encodeRstStream(3, 5),
      encodeSettings([{ id: SETTINGS_INITIAL_WINDOW_SIZE, value: 1 << 20 }]),
      encodePing(2),
      encodeGoaway(9, 0),
      encodeWindowUpdate(1, 4096),
    ]);
    for (const step of [1, 3, 7, bytes.length]) {
      const p = new SpdyFrameParser();
      const frames = [];
      for (let i = 0; i < bytes.length; i += step) frames.push(...p.push(bytes.subarray(i, i + step)));
      assert.deepEqual(
        frames.map((f) => f.type),
        ['syn_stream', 'syn_reply', 'data', 'rst_stream', 'settings', 'ping', 'goaway', 'window_update'],
      );
      const [syn, reply, data, rst, settings, ping, goaway, wu] = frames;
      assert.deepEqual(syn, { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 2, flags: FLAG_FIN, headerBlock: Buffer.from('hdrs') });
      assert.deepEqual(reply, { type: 'syn_reply', streamId: 1, flags: 0, headerBlock: Buffer.from('rep') });
      assert.deepEqual(data, { type: 'data', streamId: 1, flags: 0, data: Buffer.from('payload') });
      assert.deepEqual(rst, { type: 'rst_stream', streamId: 3, status: 5 });
      assert.deepEqual(settings, { type: 'settings', flags: 0, entries: [{ flags: 0, id: SETTINGS_INITIAL_WINDOW_SIZE, value: 1 << 20 }] });
      assert.deepEqual(ping, { type: 'ping', id: 2 });
      assert.deepEqual(goaway, { type: 'goaway', lastGoodStreamId: 9, status: 0 });
      assert.deepEqual(wu, { type: 'window_update', streamId: 1, delta: 4096 });
    }
  });

  it('waits for the rest of a frame and ignores unknown control frame types', () => {
    const p = new SpdyFrameParser();
    const whole = encodeData(3, Buffer.alloc(100, 1), false);
    assert.deepEqual(p.push(whole.subarray(0, 50)), []);
    assert.equal(p.push(whole.subarray(50)).length, 1);
    const unknown = Buffer.from([0x80, 0x03, 0x00, 0x0a, 0, 0, 0, 0]);
    assert.deepEqual(p.push(unknown), [{ type: 'unknown', frameType: 10 }]);
  });

  it('rejects another SPDY version and truncated control frames', () => {
    assert.throws(() => new SpdyFrameParser().push(Buffer.from([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1])), SpdyProtocolError);
    assert.throws(() => new SpdyFrameParser().push(Buffer.from([0x80, 0x03, 0x00, 0x03, 0, 0, 0, 4, 0, 0, 0, 1])), /too short/);
  });
});
