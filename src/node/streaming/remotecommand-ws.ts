// remotecommand over WebSocket (wsstream, kubectl 1.30+): binary messages whose first byte is the
// channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); v5 adds `ff <channel>` from the client
// to close its stdin. Output waits a moment after the 101: kubectl registers its channel readers
// after the handshake returns and discards messages that arrive earlier ("Unknown stream id").

import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { encodeOutcome } from './exec-status.ts';
import { BASE64_WS_PROTOCOLS, Channel, protocolFeatures, type RemoteCommandProtocol } from './protocols.ts';
import type { RemoteCommandChannels, TerminalSize } from './remotecommand.ts';
import { ResizeDecoder } from './resize-decoder.ts';

const FIRST_WRITE_DELAY_MS = 50;

export interface WantedStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** `negotiated` is the WebSocket subprotocol: a binary one, a base64 text one, or '' (binary v1). */
export function wsRemoteCommandChannels(ws: WebSocket, negotiated: string, want: WantedStreams): RemoteCommandChannels {
  const base64 = negotiated in BASE64_WS_PROTOCOLS;
  const protocol: RemoteCommandProtocol = base64 ? BASE64_WS_PROTOCOLS[negotiated as keyof typeof BASE64_WS_PROTOCOLS] : ((negotiated || 'channel.k8s.io') as RemoteCommandProtocol);
  const features = protocolFeatures(protocol);
  const ready = new Promise<void>((r) => setTimeout(r, FIRST_WRITE_DELAY_MS));
  const send = async (channel: number, data: Buffer): Promise<void> => {
    await ready;
    if (ws.readyState !== ws.OPEN) throw new Error('the client closed the connection');
    const message = base64 ? `${channel}${data.toString('base64')}` : Buffer.concat([Buffer.of(channel), data]);
    await new Promise<void>((resolve, reject) => ws.send(message, { binary: !base64 }, (err) => (err ? reject(err) : resolve())));
  };
  const channelWriter = (channel: number): Writable => {
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        send(channel, chunk).then(() => cb(), cb);
      },
    });
    // A client that left mid-write: runRemoteCommand learns that from `gone`.
    w.on('error', () => {});
    return w;
  };

  const stdin = want.stdin ? new PassThrough() : undefined;
  const resize = new ResizeDecoder();
  const gone = new Promise<void>((r) => ws.once('close', () => r()));
  void gone.then(() => stdin?.end());
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (isBinary === base64 || raw.length === 0) return;
    const channel = base64 ? Number(String.fromCharCode(raw[0] ?? 0)) : raw[0];
    const data = base64 ? Buffer.from(raw.subarray(1).toString(), 'base64') : raw.subarray(1);
    switch (channel) {
      case Channel.stdin:
        if (stdin && !stdin.writableEnded) stdin.write(data);
        return;
      case Channel.resize:
        resize.push(data); // every WebSocket version has the resize channel
        return;
      case Channel.close:
        if (features.closeSignal && data[0] === Channel.stdin) stdin?.end();
        return;
    }
  });
  ws.on('error', () => {});

  const ch: RemoteCommandChannels = {
    protocol,
    onResize: (cb: (s: TerminalSize) => void) => resize.on(cb),
    gone,
    async finish(outcome) {
      try {
        const body = encodeOutcome(outcome, features.statusJson);
        if (body.length > 0 || features.statusJson) await send(Channel.error, body);
      } catch {
        // The client is gone: nobody to tell.
      }
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
  if (stdin) ch.stdin = stdin;
  if (want.stdout) ch.stdout = channelWriter(Channel.stdout);
  if (want.stderr && !want.tty) ch.stderr = channelWriter(Channel.stderr);
  return ch;
}
