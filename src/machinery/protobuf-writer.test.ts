import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufWriter } from './protobuf-writer.ts';

const hex = (w: ProtobufWriter): string => Buffer.from(w.finish()).toString('hex');

describe('ProtobufWriter', () => {
  it('writes varints as in the protobuf encoding guide', () => {
    assert.equal(hex(new ProtobufWriter().varint(1, 150)), '089601');
    assert.equal(hex(new ProtobufWriter().varint(1, 0)), '0800');
    assert.equal(hex(new ProtobufWriter().varint(1, 300)), '08ac02');
    assert.equal(hex(new ProtobufWriter().varint(2, 2 ** 40)), '10808080808020');
    assert.equal(hex(new ProtobufWriter().varint(1, 9007199254740991)), '08ffffffffffffff0f');
    assert.equal(hex(new ProtobufWriter().varint(1, 0xffffffffffffffffn)), '08ffffffffffffffffff01');
  });

  it('writes negative int64 as ten-byte two\'s complement', () => {
    assert.equal(hex(new ProtobufWriter().varint(1, -1)), '08ffffffffffffffffff01');
    assert.equal(hex(new ProtobufWriter().varint(1, -2n)), '08feffffffffffffffff01');
  });

  it('writes large field numbers and refuses invalid ones', () => {
    assert.equal(hex(new ProtobufWriter().bool(16, true)), '800101');
    assert.equal(hex(new ProtobufWriter().bool(31, false)), 'f80100');
    assert.throws(() => new ProtobufWriter().bool(0, true), RangeError);
    assert.throws(() => new ProtobufWriter().varint(1, 2 ** 60), RangeError);
  });

  it('writes strings as UTF-8 with their byte length', () => {
    assert.equal(hex(new ProtobufWriter().string(2, 'testing')), '120774657374696e67');
    assert.equal(hex(new ProtobufWriter().string(1, 'é')), '0a02c3a9');
    assert.equal(hex(new ProtobufWriter().string(1, '')), '0a00');
  });

  it('writes doubles little-endian with wire type 1', () => {
    assert.equal(hex(new ProtobufWriter().double(6, 1.5)), '31000000000000f83f');
    assert.equal(hex(new ProtobufWriter().double(9, -2)), '4900000000000000c0');
  });

  it('frames nested messages with their length', () => {
    const w = new ProtobufWriter().message(3, (m) => m.varint(1, 150));
    assert.equal(hex(w), '1a03089601');
    assert.equal(hex(new ProtobufWriter().message(1, () => {})), '0a00');
  });

  it('grows past its initial buffer and keeps earlier bytes', () => {
    const w = new ProtobufWriter();
    const big = 'x'.repeat(100_000);
    w.string(1, 'a').message(2, (m) => m.string(1, big)).string(3, 'z');
    const out = Buffer.from(w.finish());
    assert.equal(out.length, w.length);
    assert.equal(out.subarray(0, 3).toString('hex'), '0a0161');
    // field 2, length 100004 (inner tag + 3-byte length + payload), then the payload's frame
    assert.equal(out.subarray(3, 7).toString('hex'), '12a48d06');
    assert.equal(out.subarray(7, 11).toString('hex'), '0aa08d06');
    assert.equal(out.subarray(-3).toString('hex'), '1a017a');
  });
});
