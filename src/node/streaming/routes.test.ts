import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { ContainerStatus, RuntimeService } from '../runtime/cri.ts';
import { streamingRoutes } from './index.ts';

/** A runtime with the given containers and nothing else (no exec, like the sim runtime). */
function fakeRuntime(containers: Partial<ContainerStatus>[], withExec: boolean): RuntimeService {
  const rt = {
    listContainers: async () => containers as ContainerStatus[],
    ...(withExec ? { exec: async () => assert.fail('exec must not run for a refused request') } : {}),
  };
  return rt as unknown as RuntimeService;
}

const labels = (pod: string, container: string) => ({ 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.name': pod, 'io.kubernetes.container.name': container });

/** Calls a route's upgrade handler and returns the HTTP answer written to the socket. */
async function upgrade(runtime: RuntimeService, prefix: string, path: string, headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' }) {
  const route = streamingRoutes({ runtime }).find((r) => r.prefix === prefix)!;
  const url = new URL(path, 'https://agent');
  const socket = new PassThrough();
  let written = '';
  socket.on('data', (d: Buffer) => (written += d.toString()));
  const ended = new Promise((r) => socket.once('finish', r));
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  await route.upgrade!({ headers, method: 'GET' } as IncomingMessage, socket, Buffer.alloc(0), parts, url, { user: 'u', groups: [] });
  await ended;
  const [head = '', body = ''] = written.split('\r\n\r\n');
  return { code: Number(head.split(' ')[1]), head, status: JSON.parse(body) };
}

describe('streaming routes refuse bad requests with a Status before switching protocols', () => {
  const running = [{ id: 'c1', state: 'CONTAINER_RUNNING', createdAt: 1, labels: labels('web', 'main') }] as Partial<ContainerStatus>[];

  it('501 when the runtime cannot exec (sim nodes)', async () => {
    const r = await upgrade(fakeRuntime(running, false), 'exec', '/exec/default/web/main?command=ls&stdout=true');
    assert.equal(r.code, 501);
    assert.equal(r.status.reason, 'NotImplemented');
  });

  it('404 naming the container or the pod that is not here', async () => {
    const rt = fakeRuntime(running, true);
    const c = await upgrade(rt, 'exec', '/exec/default/web/nope?command=ls&stdout=true');
    assert.equal(c.code, 404);
    assert.equal(c.status.message, 'container not found ("nope")');
    const p = await upgrade(rt, 'exec', '/exec/default/other/main?command=ls&stdout=true');
    assert.equal(p.code, 404);
    assert.match(p.status.message, /pod default\/other/);
    const pf = await upgrade(rt, 'portForward', '/portForward/default/other', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'portforward.k8s.io' });
    assert.equal(pf.code, 404);
  });

  it('400 for a container that is not running, no streams, a malformed path or no upgrade', async () => {
    const rt = fakeRuntime([{ id: 'c0', state: 'CONTAINER_EXITED', createdAt: 1, labels: labels('web', 'main') }], true);
    assert.equal((await upgrade(rt, 'exec', '/exec/default/web/main?command=ls&stdout=true')).code, 400);
    const ok = fakeRuntime(running, true);
    const none = await upgrade(ok, 'exec', '/exec/default/web/main?command=ls');
    assert.equal(none.code, 400);
    assert.equal(none.status.message, 'you must specify at least 1 of stdin, stdout, stderr');
    assert.equal((await upgrade(ok, 'exec', '/exec/default/web?command=ls&stdout=true')).code, 400);
    assert.equal((await upgrade(ok, 'exec', '/exec/default/web/main?command=ls&stdout=true', {})).code, 400);
  });

  it('422 with the field path when exec has no command', async () => {
    const r = await upgrade(fakeRuntime(running, true), 'exec', '/exec/default/web/main?stdout=1');
    assert.equal(r.code, 422);
    assert.equal(r.status.reason, 'Invalid');
    assert.deepEqual(r.status.details.causes.map((c: { field: string }) => c.field), ['command']);
  });

  it('403 listing the accepted versions when SPDY negotiation fails', async () => {
    const r = await upgrade(fakeRuntime(running, true), 'exec', '/exec/default/web/uid-1/main?command=ls&stdout=true', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v9.channel.k8s.io' });
    assert.equal(r.code, 403);
    assert.match(r.head, /X-Accepted-Stream-Protocol-Versions: v5\.channel\.k8s\.io, v4/);
  });

  it('gives up on a WebSocket handshake that ws refuses (no Sec-WebSocket-Key) instead of waiting forever', async () => {
    const route = streamingRoutes({ runtime: fakeRuntime(running, true) }).find((r) => r.prefix === 'exec')!;
    const socket = new PassThrough();
    let written = '';
    socket.on('data', (d: Buffer) => (written += d.toString()));
    const url = new URL('https://agent/exec/default/web/main?command=ls&stdout=true');
    const headers = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-protocol': 'v5.channel.k8s.io' };
    await route.upgrade!({ headers, method: 'GET' } as unknown as IncomingMessage, socket, Buffer.alloc(0), ['default', 'web', 'main'], url, { user: 'u', groups: [] });
    assert.match(written, /^HTTP\/1\.1 400/);
  });

  it('400 for port-forward over the channel protocol without a valid port', async () => {
    const r = await upgrade(fakeRuntime(running, true), 'portForward', '/portForward/default/web?ports=http', { upgrade: 'websocket', 'sec-websocket-protocol': 'v4.channel.k8s.io' });
    assert.equal(r.code, 400);
    assert.match(r.status.message, /invalid port "http"/);
  });
});
