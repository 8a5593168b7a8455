// SPDY/3 header blocks: name/value pairs (32-bit lengths, names lower-case, several values of one
// name joined by NUL) compressed by zlib primed with the SPDY/3 dictionary. Each direction of a
// connection has ONE zlib context for its whole life, and every block ends with a SYNC_FLUSH so
// the peer can decode it at once: blocks must be fed to a codec in exactly their wire order,
// which the serialising queue below guarantees.

import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';
import { SpdyProtocolError } from './spdy-frames.ts';

export type SpdyHeaders = Record<string, string[]>;

/** The uncompressed name/value block. */
export function encodeHeaderPairs(headers: Readonly<Record<string, string | readonly string[]>>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(typeof value === 'string' ? value : value.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderPairs(block: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  if (block.length === 0) return out;
  let off = 0;
  const take = (): Buffer => {
    if (off + 4 > block.length) throw new SpdyProtocolError('truncated SPDY header block');
    const len = block.readUInt32BE(off);
    off += 4;
    if (off + len > block.length) throw new SpdyProtocolError('truncated SPDY header block');
    const b = block.subarray(off, off + len);
    off += len;
    return b;
  };
  if (block.length < 4) throw new SpdyProtocolError('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  off = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toString('utf8').toLowerCase();
    const values = take().toString('utf8').split('\0');
    (out[name] ??= []).push(...values);
  }
  return out;
}

/** One direction's zlib context, used strictly one block at a time. */
class ZlibContext {
  readonly #z: Deflate | Inflate;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(z: Deflate | Inflate) {
    this.#z = z;
    // Errors surface through the pending process() call.
    z.on('error', () => {});
  }

  process(input: Buffer): Promise<Buffer> {
    const run = (): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const onData = (c: Buffer): void => void chunks.push(c);
        const onError = (err: Error): void => {
          this.#z.off('data', onData);
          reject(new SpdyProtocolError(`SPDY header block: ${err.message}`));
        };
        this.#z.on('data', onData);
        this.#z.once('error', onError);
        if (input.length > 0) this.#z.write(input);
        this.#z.flush(constants.Z_SYNC_FLUSH, () => {
          this.#z.off('data', onData);
          this.#z.off('error', onError);
          resolve(Buffer.concat(chunks));
        });
      });
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  close(): void {
    this.#z.destroy();
  }
}

/** The header compressor (our direction) and decompressor (the peer's) of one connection. */
export class SpdyHeaderCodec {
  readonly #deflate = new ZlibContext(createDeflate({ dictionary: SPDY3_DICTIONARY }));
  readonly #inflate = new ZlibContext(createInflate({ dictionary: SPDY3_DICTIONARY }));

  async compress(headers: Readonly<Record<string, string | readonly string[]>>): Promise<Buffer> {
    return this.#deflate.process(encodeHeaderPairs(headers));
  }

  async decompress(block: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderPairs(await this.#inflate.process(block));
  }

  close(): void {
    this.#deflate.close();
    this.#inflate.close();
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
