import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AttachFrameParser } from './attach-socket.ts';
import { parseCriLines } from './attach-stream.ts';

describe('attach output', () => {
  it('turns CRI log lines back into stream bytes: F ends a line, P is a piece of one', () => {
    const text = Buffer.from(['2026-01-01T00:00:00.000000000Z stdout P par', '2026-01-01T00:00:00.000000001Z stdout F tial', '2026-01-01T00:00:00.000000002Z stderr F oops', '2026-01-01T00:00:00.000000003Z stdout F '].join('\n') + '\n');
    assert.deepEqual(
      parseCriLines(text).map((e) => [e.stream, e.data.toString()]),
      [['stdout', 'par'], ['stdout', 'tial\n'], ['stderr', 'oops\n'], ['stdout', '\n']],
    );
  });

  it("splits the supervisor socket's byte stream back into framed chunks, however it arrives", () => {
    const frame = (id: number, s: string): Buffer => {
      const head = Buffer.alloc(5);
      head[0] = id;
      head.writeUInt32BE(Buffer.byteLength(s), 1);
      return Buffer.concat([head, Buffer.from(s)]);
    };
    const bytes = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, '')]);
    const p = new AttachFrameParser();
    const got = [];
    for (const b of bytes) got.push(...p.push(Buffer.of(b)));
    assert.deepEqual(got.map((e) => [e.stream, e.data.toString()]), [['stdout', 'out'], ['stderr', 'err'], ['stdout', '']]);
  });
});
