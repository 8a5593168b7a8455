// port-forward end to end behind the streaming routes: raw SPDY (portforward.k8s.io), SPDY
// tunnelled in WebSocket messages (kubectl 1.31+) and the older WebSocket channel protocol.

import { strict as assert } from 'node:assert';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startAgentFixture, type AgentFixture } from './testing/agent-fixture.ts';
import { SpdyTestClient, spdyUpgrade } from './testing/spdy-client.ts';
import { rawWebSocket } from './testing/ws-client.ts';

let fixture: AgentFixture;
let port = 0;

before(async () => {
  fixture = await startAgentFixture({ main: { command: ['sleep', '300'] } });
  port = fixture.port;
});

after(() => fixture.close());

describe('port-forward', () => {
  let echoPort = 0;
  const echo = createTcpServer((s) => s.pipe(s));
  before(async () => {
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as AddressInfo).port;
  });
  after(() => echo.close());

  async function roundTrip(c: SpdyTestClient, requestId: number, message: string): Promise<string> {
    const error = c.openStream({ streamtype: 'error', port: String(echoPort), requestid: String(requestId) }, true);
    const data = c.openStream({ streamtype: 'data', port: String(echoPort), requestid: String(requestId) });
    await Promise.all([error.replied, data.replied]);
    await data.write(message, true);
    const got = await data.done;
    assert.equal((await error.done).data.length, 0, 'nothing on the error stream');
    return got.data.toString();
  }

  it('forwards each connection of a raw SPDY session (portforward.k8s.io) to the pod port', async () => {
    const up = await spdyUpgrade(port, '/portForward/default/web', ['portforward.k8s.io']);
    assert.equal(up.status, 101);
    assert.equal(await roundTrip(up.client, 0, 'first'), 'first');
    assert.equal(await roundTrip(up.client, 1, 'second'), 'second');
    up.client.close();
  });

  it('forwards through SPDY tunnelled in WebSocket messages (SPDY/3.1+portforward.k8s.io)', async () => {
    const ws = await rawWebSocket(port, '/portForward/default/web', ['SPDY/3.1+portforward.k8s.io']);
    assert.equal(ws.status, 101);
    assert.equal(ws.protocol, 'SPDY/3.1+portforward.k8s.io');
    const c = new SpdyTestClient(ws.stream());
    assert.equal(await roundTrip(c, 0, 'through the tunnel'), 'through the tunnel');
    ws.close();
  });

  it('speaks the older WebSocket protocol (v4.channel.k8s.io): channel pairs per port, each opened with the port', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/portForward/default/web?ports=${echoPort}`, ['v4.channel.k8s.io']);
    const messages: Buffer[] = [];
    const echoed = new Promise<void>((resolve) =>
      ws.on('message', (m: Buffer) => {
        messages.push(m);
        if (m[0] === 0 && m.subarray(1).toString() === 'over channels') resolve();
      }),
    );
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('over channels')]));
    await echoed;
    const lePort = Buffer.alloc(2);
    lePort.writeUInt16LE(echoPort);
    assert.deepEqual(messages.slice(0, 2), [Buffer.concat([Buffer.of(0), lePort]), Buffer.concat([Buffer.of(1), lePort])]);
    ws.close();
  });

  it('reports a port nobody listens on, on the error stream', async () => {
    const up = await spdyUpgrade(port, '/portForward/default/web', ['portforward.k8s.io']);
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    closed.close();
    const error = up.client.openStream({ streamtype: 'error', port: String(deadPort), requestid: '0' }, true);
    up.client.openStream({ streamtype: 'data', port: String(deadPort), requestid: '0' });
    assert.match((await error.done).data.toString(), new RegExp(`error forwarding port ${deadPort} to pod default/web: .*ECONNREFUSED`));
    up.client.close();
  });

  it('answers 404 for a pod with no running container here', async () => {
    const up = await spdyUpgrade(port, '/portForward/default/nope', ['portforward.k8s.io']);
    assert.equal(up.status, 404);
    assert.equal(JSON.parse(up.body).reason, 'NotFound');
  });
});
