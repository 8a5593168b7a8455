// Port-forward for the process runtime: its pods share the node's network, so a sandbox's port is
// the node's loopback port. A runtime that gives pods a network namespace would dial inside it here.

import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

export function dialHostPort(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.once('error', reject);
  });
}
