// A protocol buffers wire-format writer tuned for deep object trees: one growing buffer for the
// whole message, nested messages framed in place (one length byte reserved, the body moved
// only when its length needs more), and an ASCII fast path for strings. (protobuf-writer.ts
// beside this folder allocates a buffer per nested message, which dominated encoding time here.)

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const textEncoder = new TextEncoder();

export class WireWriter {
  #buf = new Uint8Array(1024);
  #pos = 0;

  varint(field: number, value: number | bigint): void {
    this.#key(field, WIRE_VARINT);
    this.#varint(value);
  }

  bool(field: number, value: boolean): void {
    this.#key(field, WIRE_VARINT);
    this.#reserve(1);
    this.#buf[this.#pos++] = value ? 1 : 0;
  }

  string(field: number, value: string): void {
    this.#key(field, WIRE_LENGTH_DELIMITED);
    const len = value.length;
    // Length byte + at most 3 bytes per UTF-16 unit.
    this.#reserve(5 + len * 3);
    const buf = this.#buf;
    if (len < 128) {
      // Short ASCII strings: copy the code units directly behind a one-byte length.
      let pos = this.#pos + 1;
      let ascii = true;
      for (let i = 0; i < len; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        buf[pos++] = c;
      }
      if (ascii) {
        buf[this.#pos] = len;
        this.#pos = pos;
        return;
      }
    }
    const start = this.#pos;
    const first = this.#beginLength();
    const { written } = textEncoder.encodeInto(value, this.#buf.subarray(this.#pos));
    this.#pos += written;
    this.#endLength(start, first);
  }

  bytes(field: number, value: Uint8Array): void {
    this.#key(field, WIRE_LENGTH_DELIMITED);
    this.#varint(value.length);
    this.#reserve(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  /** A nested message: `write` fills it in place, then its length is written before it. */
  message(field: number, write: () => void): void {
    this.#key(field, WIRE_LENGTH_DELIMITED);
    const start = this.#pos;
    const first = this.#beginLength();
    write();
    this.#endLength(start, first);
  }

  /** The bytes written (a copy, safe to keep). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  #beginLength(): number {
    this.#reserve(1);
    this.#pos++;
    return this.#pos;
  }

  /** Writes the length of the bytes since `first` at `start`, moving them when it takes more than one byte. */
  #endLength(start: number, first: number): void {
    const len = this.#pos - first;
    if (len < 128) {
      this.#buf[start] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.#reserve(extra);
    const buf = this.#buf;
    buf.copyWithin(first + extra, first, this.#pos);
    let v = len;
    let p = start;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
    this.#pos += extra;
  }

  #key(field: number, wireType: number): void {
    this.#varint(field * 8 + wireType);
  }

  #varint(value: number | bigint): void {
    this.#reserve(10);
    const buf = this.#buf;
    if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) {
      let v = value;
      while (v >= 0x80) {
        buf[this.#pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      buf[this.#pos++] = v;
      return;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer for a varint: ${value}`);
    // Negative int32/int64 values are their 64-bit two's complement: ten bytes.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[this.#pos++] = Number(v);
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
