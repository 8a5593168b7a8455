import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { wsRemoteCommandChannels } from './remotecommand-ws.ts';

/** Just enough of a ws WebSocket: records what is sent, lets the test deliver messages. */
class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: (Buffer | string)[] = [];
  closeCode: number | undefined;
  send(data: Buffer | string, _opts: unknown, cb?: (err?: Error) => void): void {
    this.sent.push(data);
    cb?.();
  }
  close(code: number): void {
    this.closeCode = code;
    this.readyState = 3;
    this.emit('close', code);
  }
  deliver(bytes: number[] | Buffer, isBinary = true): void {
    this.emit('message', Buffer.from(bytes), isBinary);
  }
}

const all = { stdin: true, stdout: true, stderr: true, tty: false };
const asWs = (f: FakeWs): WebSocket => f as unknown as WebSocket;

describe('remotecommand channels over WebSocket', () => {
  it('routes channel 0 to stdin and ends it on the v5 close signal (ff 00)', async () => {
    const ws = new FakeWs();
    const ch = wsRemoteCommandChannels(asWs(ws), 'v5.channel.k8s.io', all);
    const got: Buffer[] = [];
    ch.stdin!.on('data', (d: Buffer) => got.push(d));
    const ended = new Promise((r) => ch.stdin!.once('end', r));
    ws.deliver([0, 0x68, 0x69]);
    ws.deliver([255, 0]);
    await ended;
    assert.equal(Buffer.concat(got).toString(), 'hi');
  });

  it('ignores the close signal before v5, which has none', async () => {
    const ws = new FakeWs();
    const ch = wsRemoteCommandChannels(asWs(ws), 'v4.channel.k8s.io', all);
    let ended = false;
    ch.stdin!.on('end', () => (ended = true)).resume();
    ws.deliver([255, 0]);
    await new Promise((r) => setImmediate(r));
    assert.equal(ended, false);
  });

  it('prefixes output with its channel, then sends the status on channel 3 and closes normally', async () => {
    const ws = new FakeWs();
    const ch = wsRemoteCommandChannels(asWs(ws), 'v5.channel.k8s.io', all);
    await new Promise<void>((r) => ch.stdout!.write(Buffer.from('out'), () => r()));
    await new Promise<void>((r) => ch.stderr!.write(Buffer.from('err'), () => r()));
    await ch.finish({ exitCode: 0 });
    assert.deepEqual(ws.sent.map((m) => [(m as Buffer)[0], (m as Buffer).subarray(1).toString()]), [
      [1, 'out'],
      [2, 'err'],
      [3, '{"metadata":{},"status":"Success"}'],
    ]);
    assert.equal(ws.closeCode, 1000);
  });

  it('has no stderr channel with a TTY, and decodes resize messages', () => {
    const ws = new FakeWs();
    const ch = wsRemoteCommandChannels(asWs(ws), 'v5.channel.k8s.io', { ...all, tty: true });
    assert.equal(ch.stderr, undefined);
    const sizes: unknown[] = [];
    ch.onResize((s) => sizes.push(s));
    ws.deliver(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":120,"Height":50}')]));
    assert.deepEqual(sizes, [{ width: 120, height: 50 }]);
  });

  it('speaks base64 text frames for v4.base64.channel.k8s.io', async () => {
    const ws = new FakeWs();
    const ch = wsRemoteCommandChannels(asWs(ws), 'v4.base64.channel.k8s.io', all);
    const got: Buffer[] = [];
    ch.stdin!.on('data', (d: Buffer) => got.push(d));
    ws.deliver(Buffer.from(`0${Buffer.from('typed').toString('base64')}`), false);
    ws.deliver([0, 1, 2]); // a binary frame is not part of this protocol
    await new Promise<void>((r) => ch.stdout!.write(Buffer.from('shown'), () => r()));
    assert.equal(Buffer.concat(got).toString(), 'typed');
    assert.deepEqual(ws.sent, [`1${Buffer.from('shown').toString('base64')}`]);
  });

  it('sends nothing on the error channel for a v1 success, and the message for a v1 failure', async () => {
    const ok = new FakeWs();
    await wsRemoteCommandChannels(asWs(ok), '', all).finish({ exitCode: 0 });
    assert.deepEqual(ok.sent, []);
    const failed = new FakeWs();
    await wsRemoteCommandChannels(asWs(failed), 'channel.k8s.io', all).finish({ exitCode: 4 });
    assert.equal((failed.sent[0] as Buffer)[0], 3);
    assert.match((failed.sent[0] as Buffer).subarray(1).toString(), /non-zero exit code/);
  });
});
