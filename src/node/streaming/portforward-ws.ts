// The older WebSocket port-forward (kubelet's portforward/websocket.go, used by client libraries
// such as @kubernetes/client-node): one connection forwards a fixed list of ports (`ports=` or
// `port=` query values), port i on channels 2i (data) and 2i+1 (error). The server opens each
// channel by writing the port as two little-endian bytes, then relays the TCP bytes as messages.
// There is no half-close per channel: when every port's connection has ended the WebSocket closes.

import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export function parsePorts(url: URL): number[] | string {
  const values = [...url.searchParams.getAll('ports'), ...url.searchParams.getAll('port')].flatMap((v) => v.split(','));
  if (values.length === 0) return 'at least one port must be specified (query parameter ports)';
  const ports: number[] = [];
  for (const v of values) {
    const n = Number(v.trim());
    if (!/^\d+$/.test(v.trim()) || n < 1 || n > 65535) return `invalid port ${JSON.stringify(v)}: must be between 1 and 65535`;
    ports.push(n);
  }
  return ports;
}

export function serveWebSocketPortForward(ws: WebSocket, ports: readonly number[], podName: string, dial: (port: number) => Promise<Duplex>): void {
  const conns = new Map<number, Duplex>();
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true });
  };
  const portBytes = (port: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(port);
    return b;
  };
  let open = ports.length;
  const ended = (): void => {
    if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    send(2 * i, portBytes(port));
    send(2 * i + 1, portBytes(port));
    dial(port).then(
      (conn) => {
        conns.set(2 * i, conn);
        conn.on('data', (d: Buffer) => send(2 * i, d));
        conn.on('error', (err: Error) => send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${podName}: ${err.message}`)));
        conn.once('close', ended);
      },
      (err: Error) => {
        send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${podName}: ${err.message}`));
        ended();
      },
    );
  });
  ws.on('message', (m: Buffer, isBinary: boolean) => {
    if (!isBinary || m.length === 0) return;
    conns.get(m[0] ?? -1)?.write(m.subarray(1));
  });
  ws.on('error', () => {});
  ws.once('close', () => {
    for (const c of conns.values()) c.destroy();
  });
}
