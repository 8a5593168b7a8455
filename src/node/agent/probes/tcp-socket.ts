// A tcpSocket probe or hook: success when a TCP connection to host:port opens within the timeout.

import * as net from 'node:net';
import type { ActionResult, HttpTarget } from './http-get.ts';

export function tcpSocket(target: HttpTarget, timeoutMs: number): Promise<ActionResult> {
  return new Promise((resolve) => {
    let done = false;
    const sock = net.connect({ host: target.host, port: target.port });
    const finish = (r: ActionResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${target.host}:${target.port}: i/o timeout` }), timeoutMs);
    sock.once('connect', () => finish({ result: 'success', output: '' }));
    sock.once('error', (err) => finish({ result: 'failure', output: `dial tcp ${target.host}:${target.port}: ${err.message}` }));
  });
}
