// remotecommand over SPDY (kubectl ≤ 1.29, and the fallback of newer ones): the client opens one
// stream per channel, named by the `streamtype` header (error, stdin, stdout, stderr, resize). As
// the kubelet does, the session starts once every stream the request implies has arrived, and the
// outcome is written to the error stream before all streams are ended and the connection closed.

import { encodeOutcome } from './exec-status.ts';
import { protocolFeatures, type RemoteCommandProtocol } from './protocols.ts';
import type { RemoteCommandChannels } from './remotecommand.ts';
import type { WantedStreams } from './remotecommand-ws.ts';
import { ResizeDecoder } from './resize-decoder.ts';
import type { SpdySession, SpdyStream } from './spdy-session.ts';

const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** Expected stream types for a request. */
export function expectedStreamTypes(protocol: RemoteCommandProtocol, want: WantedStreams): string[] {
  const types = ['error'];
  if (want.stdin) types.push('stdin');
  if (want.stdout) types.push('stdout');
  if (want.stderr && !want.tty) types.push('stderr');
  if (want.tty && protocolFeatures(protocol).resize) types.push('resize');
  return types;
}

/**
 * Sets up the session's stream handler; resolves once the expected streams exist. Call it right
 * after creating the session, so no stream is missed.
 */
export function spdyRemoteCommandChannels(session: SpdySession, protocol: RemoteCommandProtocol, want: WantedStreams, onStream: (cb: (s: SpdyStream) => void) => void): Promise<RemoteCommandChannels> {
  const expected = expectedStreamTypes(protocol, want);
  const streams = new Map<string, SpdyStream>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out waiting for client streams (have ${[...streams.keys()].join(', ') || 'none'}, want ${expected.join(', ')})`));
      void session.close();
    }, STREAM_CREATION_TIMEOUT_MS);
    void session.whenClosed().then(() => {
      clearTimeout(timer);
      reject(new Error('the client closed the connection before opening its streams'));
    });
    onStream((s) => {
      const type = s.header('streamtype') ?? '';
      if (type !== 'resize' && type !== 'stdin') s.resume(); // nothing to read on output streams
      streams.set(type, s);
      if (!expected.every((t) => streams.has(t))) return;
      clearTimeout(timer);
      resolve(channelsOf(session, protocol, streams));
    });
  });
}

function channelsOf(session: SpdySession, protocol: RemoteCommandProtocol, streams: Map<string, SpdyStream>): RemoteCommandChannels {
  const features = protocolFeatures(protocol);
  const resize = new ResizeDecoder();
  streams.get('resize')?.on('data', (d: Buffer) => resize.push(d));
  const ch: RemoteCommandChannels = {
    protocol,
    onResize: (cb) => resize.on(cb),
    gone: session.whenClosed(),
    async finish(outcome) {
      const error = streams.get('error');
      const body = encodeOutcome(outcome, features.statusJson);
      const ends = [...streams.entries()].map(
        ([type, s]) =>
          new Promise<void>((r) => {
            if (s.writableEnded || s.destroyed) return r();
            if (s === error && body.length > 0) s.end(body, () => r());
            else s.end(() => r());
            if (type === 'stdin') s.resume();
          }),
      );
      await Promise.all(ends);
      await session.close();
    },
  };
  const stdin = streams.get('stdin');
  const stdout = streams.get('stdout');
  const stderr = streams.get('stderr');
  if (stdin) ch.stdin = stdin;
  if (stdout) ch.stdout = stdout;
  if (stderr) ch.stderr = stderr;
  return ch;
}
