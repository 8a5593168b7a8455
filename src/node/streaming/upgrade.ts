// Switching an agent request to a streaming protocol: a WebSocket (RFC 6455, via `ws`) or SPDY/3.1
// (an HTTP/1.1 101 whose socket then carries SPDY frames), each after choosing a subprotocol the
// client offered; or, when that cannot be done, an ordinary HTTP error with a Status body, which
// also tells kubectl 1.30+ to retry with SPDY.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StatusError } from '../../machinery/index.ts';
import { headerList, negotiate } from './protocols.ts';
import type { SpdyTransport } from './spdy-session.ts';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 501: 'Not Implemented' };

/** Answers an upgrade request with an HTTP error carrying the Status, and closes the socket. */
export function rejectUpgrade(socket: Duplex, err: StatusError, extraHeaders: Record<string, string> = {}): void {
  const code = err.status.code ?? 500;
  const body = JSON.stringify(err.status);
  const head = [
    `HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

export function isWebSocketRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export function isSpdyRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3.1');
}

/** The WebSocket subprotocols the client offered, in its order. */
export function offeredWebSocketProtocols(req: IncomingMessage): string[] {
  return headerList(req.headers['sec-websocket-protocol']);
}

/**
 * Completes the WebSocket handshake answering with `protocol`, already chosen from what the client
 * offered. `ws` itself would refuse names that are not RFC 7230 tokens, such as kubectl's
 * `SPDY/3.1+portforward.k8s.io` (the slash), so it never sees the client's list.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    if (protocol) server.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    delete req.headers['sec-websocket-protocol'];
    // A handshake ws refuses (bad key or version) is answered with 400 by ws and ends here.
    const refused = (): void => resolve(undefined);
    socket.once('close', refused);
    server.handleUpgrade(req, socket as Socket, head, (ws) => {
      socket.off('close', refused);
      server.close();
      resolve(ws);
    });
  });
}

/**
 * SPDY's handshake (httpstream.Handshake): picks the newest X-Stream-Protocol-Version both sides
 * know. Without the header the oldest protocol is assumed, as upstream does; with no overlap the
 * answer is 403 listing what this server accepts.
 */
export function negotiateSpdy<T extends string>(req: IncomingMessage, supported: readonly T[]): { protocol: T } | { error: string } {
  const offered = headerList(req.headers['x-stream-protocol-version']);
  if (offered.length === 0) return { protocol: supported[supported.length - 1] as T };
  const protocol = negotiate(offered, supported);
  if (protocol) return { protocol };
  return { error: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]` };
}

/** Sends the 101 that starts a SPDY/3.1 connection and returns the socket as its transport. */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdyTransport {
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `X-Stream-Protocol-Version: ${protocol}`, '', ''].join('\r\n'));
  (socket as Socket).setNoDelay?.(true);
  return socketTransport(socket, head);
}

export function socketTransport(socket: Duplex, head: Buffer): SpdyTransport {
  socket.on('error', () => socket.destroy());
  return {
    write: (d) => {
      if (!socket.destroyed && socket.writable) socket.write(d);
    },
    onData(cb) {
      if (head.length > 0) queueMicrotask(() => cb(head));
      socket.on('data', cb);
    },
    onClose(cb) {
      socket.once('close', cb);
      socket.once('end', () => socket.end());
    },
    close: () => socket.end(),
  };
}

/** A SPDY byte stream tunnelled in WebSocket binary messages, split anywhere (kubectl 1.31+). */
export function webSocketTransport(ws: WebSocket): SpdyTransport {
  ws.on('error', () => {});
  return {
    write: (d) => {
      if (ws.readyState === ws.OPEN) ws.send(d, { binary: true });
    },
    onData: (cb) => ws.on('message', (m: Buffer) => cb(m)),
    onClose: (cb) => ws.once('close', () => cb()),
    close: () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
}
