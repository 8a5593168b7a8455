import { strict as assert } from 'node:assert';
import { inflateSync, deflateSync, constants } from 'node:zlib';
import { describe, it } from 'node:test';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';
import { decodeHeaderPairs, encodeHeaderPairs, SpdyHeaderCodec } from './spdy-headers.ts';

describe('SPDY/3 header blocks', () => {
  it('has the 1423-byte SPDY/3 dictionary, starting with the length-prefixed "options"', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
    assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('utf-,*,enq=0.'));
  });

  it('encodes pairs with 32-bit lengths, lower-case names and NUL-joined values', () => {
    const block = encodeHeaderPairs({ StreamType: 'error', multi: ['a', 'b'] });
    assert.equal(block.readUInt32BE(0), 2);
    assert.deepEqual(decodeHeaderPairs(block), { streamtype: ['error'], multi: ['a', 'b'] });
    assert.throws(() => decodeHeaderPairs(block.subarray(0, block.length - 1)), /truncated/);
  });

  it('keeps one zlib context per direction: later blocks decode only in order, after the earlier ones', async () => {
    const client = new SpdyHeaderCodec();
    const server = new SpdyHeaderCodec();
    const b1 = await client.compress({ streamtype: 'error', port: '80', requestid: '0' });
    const b2 = await client.compress({ streamtype: 'data', port: '80', requestid: '0' });
    assert.deepEqual(await server.decompress(b1), { streamtype: ['error'], port: ['80'], requestid: ['0'] });
    assert.deepEqual(await server.decompress(b2), { streamtype: ['data'], port: ['80'], requestid: ['0'] });
    // The second block leans on the first's history: alone, in a fresh context, it is not a stream.
    assert.throws(() => inflateSync(b2, { dictionary: SPDY3_DICTIONARY }));
    client.close();
    server.close();
  });

  it('reads a block compressed by another zlib with the dictionary and a sync flush (what Go sends)', async () => {
    const pairs = encodeHeaderPairs({ streamtype: 'stdout' });
    const foreign = deflateSync(pairs, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const codec = new SpdyHeaderCodec();
    assert.deepEqual(await codec.decompress(foreign), { streamtype: ['stdout'] });
    codec.close();
  });

  it('decompresses an empty reply block (the SYN_REPLY answer) to no headers', async () => {
    const a = new SpdyHeaderCodec();
    const b = new SpdyHeaderCodec();
    assert.deepEqual(await b.decompress(await a.compress({})), {});
    a.close();
    b.close();
  });
});
