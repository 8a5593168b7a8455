// A small protocol buffers wire-format writer: tags, varints, 64-bit doubles and length-delimited
// fields (strings, bytes, nested messages). Enough to hand-encode a known schema without code
// generation; the caller owns field numbers and proto3 default-skipping.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

const encoder = new TextEncoder();

export class ProtobufWriter {
  #buf = new Uint8Array(256);
  #pos = 0;

  get length(): number {
    return this.#pos;
  }

  /** A varint field (int32, int64, uint64, bool, enum). Negative values take ten bytes, as int64. */
  varint(field: number, value: number | bigint): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.varint(field, value ? 1 : 0);
  }

  /** A `double` field: eight bytes, little-endian. */
  double(field: number, value: number): this {
    this.#tag(field, WIRE_FIXED64);
    this.#reserve(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#pos, 8).setFloat64(0, value, true);
    this.#pos += 8;
    return this;
  }

  /** A `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#varint(value.length);
    this.#raw(value);
    return this;
  }

  /** A nested message field: `write` fills it, then it is framed with its length. */
  message(field: number, write: (w: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  #tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`invalid protobuf field number ${field}`);
    this.#varint(field * 8 + wireType);
  }

  #varint(value: number | bigint): void {
    this.#reserve(10);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) {
      let n = value;
      while (n > 0x7f) {
        this.#buf[this.#pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.#buf[this.#pos++] = n;
      return;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer for a varint: ${value}`);
    // int64 on the wire: negatives are their 64-bit two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#pos++] = Number(v);
  }

  #raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  #reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }
}
