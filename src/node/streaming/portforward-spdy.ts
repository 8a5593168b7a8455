// Port-forward over SPDY (portforward.k8s.io), raw or tunnelled in WebSocket messages: for every
// local connection the client opens a pair of streams with the same `requestid` and `port`
// headers: `error` (which it FINs at once; the server writes failures there) and `data` (the TCP
// bytes both ways). The server connects to the pod's port when the data stream arrives and ends
// both streams when the pod side closes.

import type { Duplex } from 'node:stream';
import type { SpdyStream } from './spdy-session.ts';

/** Opens a TCP connection to a port of the pod. */
export type PodDialer = (port: number) => Promise<Duplex>;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer?: NodeJS.Timeout;
}

/** How long the second stream of a pair may take (the kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

export class PortForwardHandler {
  readonly #dial: PodDialer;
  readonly #podName: string;
  readonly #pairs = new Map<string, Pair>();

  constructor(podName: string, dial: PodDialer) {
    this.#podName = podName;
    this.#dial = dial;
  }

  onStream(s: SpdyStream): void {
    const type = s.header('streamtype');
    // Older clients send no requestid: the port then pairs the streams.
    const key = s.header('requestid') ?? `port:${s.header('port') ?? ''}`;
    const pair = this.#pairs.get(key) ?? {};
    if (type === 'error') pair.error = s;
    else if (type === 'data') pair.data = s;
    else {
      s.destroy();
      return;
    }
    if (type === 'error') s.resume(); // the client sends nothing there
    this.#pairs.set(key, pair);
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      this.#pairs.delete(key);
      void this.#forward(pair.data, pair.error);
      return;
    }
    // Half a pair never completed: give up on it, as the kubelet does.
    pair.timer ??= setTimeout(() => {
      this.#pairs.delete(key);
      if (pair.error && !pair.error.destroyed) pair.error.end(`timed out waiting for the data stream of request ${key}`);
      pair.data?.destroy();
    }, PAIR_TIMEOUT_MS).unref();
  }

  async #forward(data: SpdyStream, error: SpdyStream): Promise<void> {
    const portText = data.header('port') ?? '';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      error.end(`invalid port header ${JSON.stringify(portText)}: must be a port number between 1 and 65535`);
      data.end();
      return;
    }
    let conn: Duplex;
    try {
      conn = await this.#dial(port);
    } catch (err) {
      error.end(`error forwarding port ${port} to pod ${this.#podName}: ${(err as Error).message}`);
      data.end();
      return;
    }
    conn.on('error', (err: Error) => {
      if (!error.writableEnded) error.end(`error forwarding port ${port} to pod ${this.#podName}: ${err.message}`);
      data.destroy();
    });
    data.on('error', () => conn.destroy());
    data.pipe(conn);
    conn.pipe(data);
    conn.once('close', () => {
      if (!error.writableEnded && !error.destroyed) error.end();
    });
  }
}
