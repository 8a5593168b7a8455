// A protocol buffers wire-format reader over a byte array: tags, varints (as numbers when they fit,
// else bigints), length-delimited slices (views, not copies) and skipping of unknown fields.

import { ProtobufError } from './well-known.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

export class ProtobufReader {
  readonly #buf: Uint8Array;
  #pos = 0;
  readonly #end: number;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#end = buf.length;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** The next field key: field number = key >>> 3, wire type = key & 7. */
  key(): number {
    const key = this.varint();
    if (typeof key !== 'number' || key < 8 || key > 0xffffffff) throw new ProtobufError(`invalid field tag at byte ${this.#pos}`);
    return key;
  }

  /** A length-delimited field as UTF-8 text. */
  string(): string {
    return utf8(this.bytes());
  }

  /** An unsigned varint: a number up to 2^49, a bigint (64-bit, unsigned) beyond. */
  varint(): number | bigint {
    const buf = this.#buf;
    const start = this.#pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.#pos >= this.#end) throw new ProtobufError('truncated varint');
      const b = buf[this.#pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    // Long varints (negative int64 take ten bytes): redo in bigint.
    this.#pos = start;
    let big = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.#pos >= this.#end) throw new ProtobufError('truncated varint');
      const b = buf[this.#pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, big);
    }
    throw new ProtobufError('varint longer than ten bytes');
  }

  /** A length-delimited field's bytes (a view into the buffer). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (typeof len !== 'number' || this.#pos + len > this.#end) throw new ProtobufError('truncated length-delimited field');
    const out = this.#buf.subarray(this.#pos, this.#pos + len);
    this.#pos += len;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.#advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.#advance(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }

  #advance(n: number): void {
    if (this.#pos + n > this.#end) throw new ProtobufError('truncated fixed-width field');
    this.#pos += n;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, rejecting invalid sequences; short ASCII strings skip TextDecoder's per-call cost. */
export function utf8(bytes: Uint8Array): string {
  const len = bytes.length;
  if (len <= 64) {
    let out = '';
    let i = 0;
    for (; i < len; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) break;
      out += String.fromCharCode(b);
    }
    if (i === len) return out;
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ProtobufError('a string field is not valid UTF-8');
  }
}

/** A varint read as a signed 32-bit integer (negative int32 values are sign-extended to 64 bits). */
export function toInt32(v: number | bigint): number {
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  return v > 0xffffffff ? Number(BigInt.asIntN(32, BigInt(v))) : v | 0;
}

/** A varint read as a signed 64-bit integer, as a JavaScript number (exact up to 2^53). */
export function toInt64(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}
